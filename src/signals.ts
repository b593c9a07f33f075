/**
 * Signal duty: catch every forwardable signal and pass it on to PROGRAM (or
 * its group with -g), after --rewrite (SPEC "Behaviour of the init" 4).
 */
import { constants } from 'node:os';
import { codeOf } from './errors.js';
import type { Logger } from './log.js';
import { forwardedSignals, signalName } from './signal-table.js';
import * as libc from './sys/libc.js';

export interface ForwardTarget {
  pid: number;
  /** -g: the whole process group (PROGRAM is its leader, so pgid = pid). */
  group: boolean;
}

/** The signal to send for one received, after --rewrite; 0 means drop it. */
export function rewriteSignal(signal: number, rewrite: ReadonlyMap<number, number>): number {
  return rewrite.get(signal) ?? signal;
}

/** Sends one signal to PROGRAM or its group; a target already gone (ESRCH) is fine. */
export function sendSignal(target: ForwardTarget, signal: number, log: Logger): void {
  try {
    process.kill(target.group ? -target.pid : target.pid, signal);
    log.debug(`sent ${signalName(signal)} to ${target.group ? 'process group ' : ''}${target.pid}`);
  } catch (error) {
    if (codeOf(error) !== 'ESRCH') log.warn(`kill(${signalName(signal)}) failed: ${(error as Error).message}`);
  }
}

/**
 * Installs the handlers: `onSignal` for each forwardable signal, `onChild`
 * for SIGCHLD; SIGTTIN/SIGTTOU are set to SIG_IGN as tini does, so a
 * backgrounded init is never stopped by its terminal.
 * (SIGUSR1 never opens the inspector: the executable runs with --disable-sigusr1,
 * which leaves SIGUSR1 blocked in every thread; it is unblocked here.)
 */
export function installSignalHandlers(onSignal: (signal: number) => void, onChild: () => void): void {
  libc.ignoreSignal(constants.signals.SIGTTIN);
  libc.ignoreSignal(constants.signals.SIGTTOU);
  for (const entry of forwardedSignals()) {
    libc.unblockSignal(entry.number);
    process.on(entry.name as NodeJS.Signals, () => onSignal(entry.number));
  }
  process.on('SIGCHLD', onChild);
}
