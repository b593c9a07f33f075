/**
 * Wait-status decoding and the exit-code rule (SPEC "Behaviour of the init" 6).
 * Pure: no process, no libc.
 */

/** How a child ended, as plain data. */
export type Termination =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: number; coreDumped: boolean };

/**
 * What a wait status reports: an end, or a stop/continue that is not one.
 * The init asks for neither (no WUNTRACED/WCONTINUED), but a child that made
 * the init its tracer (PTRACE_TRACEME) reports every stop to it regardless.
 */
export type WaitEvent = Termination | { kind: 'stopped'; signal: number } | { kind: 'continued' };

/**
 * Decodes a waitpid(2) status word as glibc's W* macros do.
 * See: <bits/waitstatus.h>, ptrace(2) "waitpid".
 */
export function decodeWaitStatus(status: number): WaitEvent {
  if ((status & 0xffff) === 0xffff) return { kind: 'continued' };
  const signal = status & 0x7f;
  if (signal === 0) return { kind: 'exited', code: (status >> 8) & 0xff };
  if (signal === 0x7f) return { kind: 'stopped', signal: (status >> 8) & 0xff };
  return { kind: 'signaled', signal, coreDumped: (status & 0x80) !== 0 };
}

/** True when the event is an end (exited or killed), the only kind that is an exit status. */
export function isTermination(event: WaitEvent): event is Termination {
  return event.kind === 'exited' || event.kind === 'signaled';
}

/**
 * The init's exit code for PROGRAM's termination: its code, or 128+N for
 * signal N (the shell's convention, as tini), then `-e` remaps a code to 0.
 */
export function exitCodeFor(termination: Termination, remapToZero: ReadonlySet<number> = new Set()): number {
  const code = termination.kind === 'exited' ? termination.code : 128 + termination.signal;
  return remapToZero.has(code) ? 0 : code;
}

/** "exited with 3", "killed by signal 9 (core dumped)", for logs. */
export function describeTermination(termination: Termination, signalName?: (n: number) => string): string {
  if (termination.kind === 'exited') return `exited with ${termination.code}`;
  const name = signalName ? signalName(termination.signal) : String(termination.signal);
  return `killed by signal ${name}${termination.coreDumped ? ' (core dumped)' : ''}`;
}
