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
  | 'fault'; // SIGSEGV & co: raised by the init's own faults, never meant for PROGRAM

const NOT_FORWARDED: Readonly<Record<string, SignalRole>> = {
  SIGKILL: 'uncatchable',
  SIGSTOP: 'uncatchable',
  SIGCHLD: 'reap',
  SIGTTIN: 'ignore',
  SIGTTOU: 'ignore',
  // Synchronous faults: delivered to the thread that faulted; a handler that
  // returns re-runs the faulting instruction. Node cannot catch them usefully.
  SIGSEGV: 'fault',
  SIGBUS: 'fault',
  SIGFPE: 'fault',
  SIGILL: 'fault',
};

/** Aliases Node lists beside the canonical name (same number). */
const ALIASES: ReadonlySet<string> = new Set(['SIGIOT', 'SIGPOLL', 'SIGUNUSED', 'SIGCLD', 'SIGINFO', 'SIGLOST']);

export interface SignalEntry {
  name: string;
  number: number;
  role: SignalRole;
}

/**
 * Every signal Node knows on this platform, one entry per number, with its role.
 * Real-time signals are absent: Node's `process.on` accepts only named signals,
 * so an init written in Node cannot catch SIGRTMIN+n (SPEC: "where the platform
 * lets them be caught"). See README "Signals".
 */
export function signalTable(signals: Readonly<Record<string, number>> = constants.signals): SignalEntry[] {
  const byNumber = new Map<number, SignalEntry>();
  for (const [name, number] of Object.entries(signals)) {
    if (ALIASES.has(name) || byNumber.has(number)) continue;
    byNumber.set(number, { name, number, role: NOT_FORWARDED[name] ?? 'forward' });
  }
  return [...byNumber.values()].sort((a, b) => a.number - b.number);
}

/** The names of the signals the init forwards. */
export function forwardedSignals(signals?: Readonly<Record<string, number>>): SignalEntry[] {
  return signalTable(signals).filter((entry) => entry.role === 'forward');
}

/**
 * Parses a signal as users write it: `TERM`, `SIGTERM`, `term`, `15`.
 * Returns the number, or undefined when it is no signal of this platform.
 * `allowZero` accepts `0` (used by --rewrite's "drop").
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
    return number <= maxSignal(signals) ? number : undefined;
  }
  const upper = trimmed.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(signals, name) ? signals[name] : undefined;
}

/** The highest signal number: SIGRTMAX on Linux (64), from the table's SIGSYS upward. */
export function maxSignal(signals: Readonly<Record<string, number>> = constants.signals): number {
  // Node lists no real-time signals; Linux has them up to 64.
  return Math.max(64, ...Object.values(signals));
}

/** `SIGTERM` for 15, `SIG34` for a number Node has no name for. */
export function signalName(number: number, signals: Readonly<Record<string, number>> = constants.signals): string {
  const entry = signalTable(signals).find((e) => e.number === number);
  return entry ? entry.name : `SIG${number}`;
}
