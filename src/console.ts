/**
 * Lines the init itself types into the FIFO: stop, start-up and signal
 * commands and the relay of its own stdin (SPEC "The console"). Each line is
 * one write() of at most PIPE_BUF bytes on a non-blocking descriptor of its
 * own, so it arrives whole and never interleaved with other writers. A full
 * FIFO is retried later from a timer: the init never blocks on it.
 * See: pipe(7) "PIPE_BUF".
 */
import { constants as fsc, fstatSync, writeSync } from 'node:fs';
import { toBytes } from './bytes.js';
import { PIPE_BUF } from './cli.js';
import { codeOf, InitError, type Guard } from './errors.js';
import { reopenFifo } from './fifo.js';
import type { Logger } from './log.js';

/** Retry delays while the FIFO is full (ms), the last repeated: quick at first, then calm. */
const RETRY_MS = [5, 10, 20, 50, 100, 200];

/** Lines waiting for room at most; beyond it new ones are dropped with a warning. */
const MAX_QUEUED = 1000;

/**
 * A second descriptor on the FIFO, write-only and non-blocking. It must be a
 * new open file description: O_NONBLOCK on PROGRAM's fd 0 would make its
 * reads fail with EAGAIN. fifo.ts's reopenFifo reaches the very inode of
 * PROGRAM's descriptor through /proc/self/fd/N (the path, without following
 * a link and only when it is the same inode, where /proc is missing).
 */
export function openConsoleWriter(fifoPath: string, fifoFd: number): number {
  try {
    return reopenFifo(fifoPath, fifoFd, fstatSync(fifoFd), fsc.O_WRONLY | fsc.O_NONBLOCK | fsc.O_NOCTTY);
  } catch (error) {
    throw new InitError(`cannot open ${fifoPath} a second time to write console commands: ${(error as Error).message}`);
  }
}

/** One console line: its bytes with the LF, ready for a single write. */
export function consoleLine(text: string): Buffer {
  return Buffer.concat([toBytes(text), Buffer.from('\n')]);
}

interface Pending {
  line: Buffer;
  what: string;
  /** Give up (with a warning) when still not written at this time (ms since the epoch). */
  deadline: number;
}

export class ConsoleWriter {
  private readonly queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retries = 0;
  private readonly drainedListeners: (() => void)[] = [];

  constructor(
    private readonly fd: number,
    private readonly log: Logger,
    private readonly guard: Guard,
  ) {}

  /**
   * Queues one line (its bytes including the final LF) and writes what it
   * can now. `what` names it in warnings; `timeoutMs` bounds how long a full
   * FIFO is waited for (default: as long as it takes).
   */
  write(line: Buffer, what: string, timeoutMs = Infinity): void {
    if (line.length > PIPE_BUF) {
      this.log.warn(`${what} is ${line.length} bytes, more than one atomic write (${PIPE_BUF}): not written`);
      return;
    }
    if (this.queue.length >= MAX_QUEUED) {
      this.log.warn(`${what} not written: ${MAX_QUEUED} lines already wait for room in the FIFO (is PROGRAM reading its stdin?)`);
      return;
    }
    this.queue.push({ line, what, deadline: Date.now() + timeoutMs });
    if (this.timer === undefined) this.flush();
  }

  /** Lines not written yet. */
  get pending(): number {
    return this.queue.length;
  }

  /** Calls `listener` once the queue is empty (at once when it is). */
  onDrained(listener: () => void): void {
    if (this.queue.length === 0) listener();
    else this.drainedListeners.push(listener);
  }

  /** Drops what is queued and stops retrying (PROGRAM is gone). */
  close(): void {
    this.queue.length = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      try {
        writeSync(this.fd, next.line); // one write: all or nothing (PIPE_BUF)
      } catch (error) {
        if (codeOf(error) === 'EAGAIN' && Date.now() < next.deadline) {
          const delay = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)]!;
          this.retries += 1;
          this.timer = setTimeout(this.guard('the console writer', () => this.flush()), Math.min(delay, Math.max(1, next.deadline - Date.now())));
          return;
        }
        this.log.warn(`could not write ${next.what}: ${codeOf(error) === 'EAGAIN' ? 'the FIFO stayed full' : (error as Error).message}`);
      }
      this.queue.shift();
      this.retries = 0;
    }
    for (const listener of this.drainedListeners.splice(0)) listener();
  }
}
