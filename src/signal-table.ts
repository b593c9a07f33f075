/**
 * Which signals fifo-init forwards, and why the others are not forwarded.
 * Built from `os.constants.signals`, so numbers are the platform's own.
 * Pure: no process is touched here.
 */
import { constants } from 'node:os';

/** What the init does with a signal it receives. */
export type SignalRole =
  | 'forward' // passed on to PROGRAM (after --rewrite)
  | 'uncatchable' // SIGKILL, SIGSTOP: the kernel never lets a process see them
  | 'reap' // SIGCHLD: tells the reaper to run; forwarding it would confuse PROGRAM
  | 'ignore' // SIGTTIN, SIGTTOU: ignored as tini does, so a background init is never stopped
  | 'fault' // SIGSEGV & co: raised by the init's own faults, never meant for PROGRAM
  | 'libc'; // 32, 33: glibc keeps them for its threads; sigaction() refuses them (EINVAL)

const NOT_FORWARDED: Readonly<Record<string, SignalRole>> = {
  SIGKILL: 'uncatchable',
  SIGSTOP: 'uncatchable',
  SIGCHLD: 'reap',
  SIGTTIN: 'ignore',
  SIGTTOU: 'ignore',
  // Synchronous faults: delivered to the thread that faulted; a handler that
  // returns re-runs the faulting instruction. As in tini, a handler cannot
  // tell them from the init's own crash.
  SIGSEGV: 'fault',
  SIGBUS: 'fault',
  SIGFPE: 'fault',
  SIGILL: 'fault',
};

/** Aliases Node lists beside the canonical name (same number). */
const ALIASES: ReadonlySet<string> = new Set(['SIGIOT', 'SIGPOLL', 'SIGUNUSED', 'SIGCLD', 'SIGINFO', 'SIGLOST']);

/**
 * Linux real-time signals: the kernel numbers them 32..64; glibc reserves
 * 32 and 33 for its threads, so its SIGRTMIN is 34 and SIGRTMAX 64.
 * See: signal(7) "Real-time signals", nptl(7).
 */
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;
const FIRST_REALTIME = 32;

export interface SignalEntry {
  name: string;
  number: number;
  role: SignalRole;
}

/** `SIGRTMIN`, `SIGRTMIN+3`, `SIGRTMAX-1`, `SIGRTMAX`, as kill -l and glibc name them. */
function realtimeName(number: number): string {
  if (number < SIGRTMIN) return `SIG${number}`;
  const fromMin = number - SIGRTMIN;
  const fromMax = SIGRTMAX - number;
  if (fromMin === 0) return 'SIGRTMIN';
  if (fromMax === 0) return 'SIGRTMAX';
  return fromMin <= fromMax ? `SIGRTMIN+${fromMin}` : `SIGRTMAX-${fromMax}`;
}

/**
 * Every signal number 1..64 of this platform, one entry each, with its role.
 * Standard signals take Node's names (os.constants.signals); real-time ones
 * (34..64) are forwarded too: the init catches them through libuv's signal
 * API over node:ffi, since Node's process.on knows only named signals.
 */
export function signalTable(signals: Readonly<Record<string, number>> = constants.signals): SignalEntry[] {
  const names = new Map<number, string>();
  for (const [name, number] of Object.entries(signals)) {
    if (!ALIASES.has(name) && !names.has(number)) names.set(number, name);
  }
  const table: SignalEntry[] = [];
  for (let number = 1; number <= SIGRTMAX; number++) {
    const name = names.get(number) ?? realtimeName(number);
    const role: SignalRole = NOT_FORWARDED[name] ?? (number === FIRST_REALTIME || number === FIRST_REALTIME + 1 ? 'libc' : 'forward');
    table.push({ name, number, role });
  }
  return table;
}

/** The signals the init forwards. */
export function forwardedSignals(signals?: Readonly<Record<string, number>>): SignalEntry[] {
  return signalTable(signals).filter((entry) => entry.role === 'forward');
}

/**
 * Parses a signal as users write it: `TERM`, `SIGTERM`, `term`, `15`,
 * `RTMIN+2`, `SIGRTMAX`. Returns the number, or undefined when it is no
 * signal of this platform. `allowZero` accepts `0` (used by --rewrite's "drop").
 */
export function parseSignal(
  text: string,
  signals: Readonly<Record<string, number>> = constants.signals,
  allowZero = false,
): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const number = Number(trimmed);
    if (number === 0) return allowZero ? 0 : undefined;
    return number <= maxSignal() ? number : undefined;
  }
  const upper = trimmed.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const realtime = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (realtime) {
    const offset = realtime[2] ? Number(`${realtime[2]}${realtime[3]}`) : 0;
    const number = (realtime[1] === 'MIN' ? SIGRTMIN : SIGRTMAX) + offset;
    return number >= SIGRTMIN && number <= SIGRTMAX ? number : undefined;
  }
  return Object.hasOwn(signals, name) ? signals[name] : undefined;
}

/** The highest signal number: SIGRTMAX on Linux (64). */
export function maxSignal(): number {
  return SIGRTMAX;
}

/** `SIGTERM` for 15, `SIGRTMIN+2` for 36. */
export function signalName(number: number, signals: Readonly<Record<string, number>> = constants.signals): string {
  const entry = signalTable(signals).find((e) => e.number === number);
  return entry ? entry.name : `SIG${number}`;
}
