/**
 * Stop-command duty (--stop-command): on SIGTERM/SIGINT, type the stop
 * command(s) into the FIFO instead of forwarding the signal, then escalate to
 * SIGTERM and SIGKILL after --stop-timeout each (SPEC "Behaviour of the init" 7).
 */
import { closeSync, constants as fsc, fstatSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { toBytes } from './bytes.js';
import { codeOf, InitError } from './errors.js';
import type { Logger } from './log.js';
import { signalName } from './signal-table.js';
import { sendSignal, type ForwardTarget } from './signals.js';

/** How often a full FIFO is retried while the stop timeout runs (only during a stop). */
const RETRY_MS = 20;

/**
 * A second descriptor on the FIFO, write-only and non-blocking. It must be a
 * new open file description: O_NONBLOCK on PROGRAM's fd 0 would make its
 * reads fail with EAGAIN. Reopening /proc/self/fd/N reaches the same FIFO even
 * if the path was replaced; the path is the fallback when /proc is missing.
 */
export function openStopWriter(fifoPath: string, fifoFd: number): number {
  const want = fstatSync(fifoFd);
  for (const path of [`/proc/self/fd/${fifoFd}`, fifoPath]) {
    let fd: number;
    try {
      fd = openSync(path, fsc.O_WRONLY | fsc.O_NONBLOCK | fsc.O_NOCTTY);
    } catch {
      continue;
    }
    const got = fstatSync(fd);
    if (got.isFIFO() && got.ino === want.ino && got.dev === want.dev) return fd;
    closeSync(fd);
  }
  throw new InitError(`cannot open ${fifoPath} a second time to write the stop command`);
}

export interface StopOptions {
  commands: readonly string[];
  timeoutMs: number;
  writerFd: number;
  log: Logger;
  /** Wraps every timer callback: a failure inside one is logged, supervision goes on. */
  guard: <A extends unknown[]>(what: string, handler: (...args: A) => void) => (...args: A) => void;
}

export class StopController {
  private stopping = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: StopOptions) {}

  /**
   * Called for every signal the init receives. Returns true when the signal
   * started the console stop (so it is not forwarded); a second SIGTERM or
   * SIGINT returns false and is forwarded at once.
   */
  handle(signal: number, target: ForwardTarget): boolean {
    if (signal !== constants.signals.SIGTERM && signal !== constants.signals.SIGINT) return false;
    if (this.stopping) return false;
    this.stopping = true;
    const { commands, timeoutMs, log } = this.options;
    log.notice(`received ${signalName(signal)}: writing stop command ${commands.map((c) => JSON.stringify(c)).join(', ')} into the FIFO`);
    this.writeAll(Date.now() + timeoutMs);
    // Chained, never one timer for 2 x timeout: each delay stays within what
    // setTimeout honours (2^31-1 ms; longer ones fire after 1 ms), which is
    // the maximum the CLI accepts. See: units.ts MAX_TIMER_MS.
    this.after(timeoutMs, () => {
      log.notice(`PROGRAM still running ${timeoutMs} ms after the stop command: sending SIGTERM`);
      sendSignal(target, constants.signals.SIGTERM, log);
      this.after(timeoutMs, () => {
        log.notice(`PROGRAM still running ${2 * timeoutMs} ms after the stop command: sending SIGKILL`);
        sendSignal(target, constants.signals.SIGKILL, log);
      });
    });
    return true;
  }

  private after(ms: number, step: () => void): void {
    this.timers.push(setTimeout(this.options.guard('the stop timer', step), ms));
  }

  /** Writes the commands in order; a full FIFO is retried until the deadline, never blocking the init. */
  private writeAll(deadline: number, index = 0): void {
    const { commands, writerFd, log } = this.options;
    for (let i = index; i < commands.length; i++) {
      // One write of at most PIPE_BUF bytes: all or nothing, never interleaved.
      const line = Buffer.concat([toBytes(commands[i]!), Buffer.from('\n')]);
      try {
        writeSync(writerFd, line);
      } catch (error) {
        if (codeOf(error) === 'EAGAIN' && Date.now() < deadline) {
          this.after(RETRY_MS, () => this.writeAll(deadline, i));
          return;
        }
        log.warn(`could not write stop command ${JSON.stringify(commands[i])}: ${codeOf(error) === 'EAGAIN' ? 'the FIFO stayed full' : (error as Error).message}`);
        return;
      }
    }
  }
}
