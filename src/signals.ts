/**
 * Signal duty: catch every forwardable signal and pass it on to PROGRAM (or
 * its group with -g), after --rewrite (SPEC "Behaviour of the init" 4 and
 * "Signal policy").
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

/** At most this many signals are held before PROGRAM exists; a flood beyond it keeps the first ones. */
const MAX_HELD = 256;

export interface SignalListener {
  /** A signal to forward (or to turn into a stop command). */
  onSignal(signal: number): void;
  /**
   * Runs after every delivery, SIGCHLD or not: libuv drops signals when a
   * flood fills its pipe, SIGCHLD among them, so the reaper must look for
   * the main child's exit on every wake-up, not only on SIGCHLD.
   */
  onWake(): void;
}

/**
 * Catches signals from the first moment of the init (SPEC "Signal policy"):
 * installed before the options are parsed, it holds what arrives before
 * PROGRAM exists and hands it over, in order, to the listener attached right
 * after the spawn.
 */
export class SignalRouter {
  private held: number[] = [];
  private listener: SignalListener | undefined;
  /** Signals that could not be caught (sigaction refused them), for the log. */
  readonly uncaught: number[] = [];

  /**
   * Installs the handlers: every forwardable signal and SIGCHLD through
   * libuv's watcher; SIGTTIN/SIGTTOU set to SIG_IGN as tini does, so a
   * backgrounded init is never stopped by its terminal.
   * (SIGUSR1 never opens the inspector: the executable runs with
   * --disable-sigusr1, which leaves SIGUSR1 blocked in every thread; it is
   * unblocked here, in the main thread only.)
   */
  install(): void {
    libc.ignoreSignal(constants.signals.SIGTTIN);
    libc.ignoreSignal(constants.signals.SIGTTOU);
    const deliver = (signal: number) => this.deliver(signal);
    for (const entry of forwardedSignals()) {
      if (!libc.watchSignal(entry.number, deliver)) {
        this.uncaught.push(entry.number);
        continue;
      }
      libc.unblockSignal(entry.number);
    }
    libc.watchSignal(constants.signals.SIGCHLD, deliver);
  }

  /** Signals held so far (before PROGRAM existed), oldest first. */
  heldSignals(): readonly number[] {
    return this.held;
  }

  /** From now on signals go to `listener`; the held ones are delivered first, in order. */
  attach(listener: SignalListener): void {
    this.listener = listener;
    const held = this.held;
    this.held = [];
    for (const signal of held) listener.onSignal(signal);
    listener.onWake();
  }

  private deliver(signal: number): void {
    const listener = this.listener;
    if (!listener) {
      if (signal !== constants.signals.SIGCHLD && this.held.length < MAX_HELD) this.held.push(signal);
      return;
    }
    if (signal !== constants.signals.SIGCHLD) listener.onSignal(signal);
    listener.onWake();
  }
}
