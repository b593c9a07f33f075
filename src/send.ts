/**
 * `fifo-init send`: the operator's writer. Unlike `echo cmd > fifo` it never
 * hangs when the service is down, never writes a regular file, and writes
 * each line with one write() so concurrent senders never interleave
 * (SPEC "fifo-init send").
 */
import { closeSync, constants as fsc, fstatSync, openSync, statSync, writeSync } from 'node:fs';
import { PIPE_BUF, type SendOptions } from './cli.js';
import { codeOf, InitError, SEND_EXIT } from './errors.js';
import { fileType } from './fifo.js';
import type { Logger } from './log.js';

/**
 * Opens the FIFO write-only and non-blocking. fifo(7): with O_NONBLOCK an
 * open for writing fails with ENXIO when no process has it open for reading,
 * instead of blocking until one does. No O_CREAT: a missing path is an error.
 */
export function openForSending(path: string): number {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') throw new InitError(`${path} does not exist: is the service's FIFO mounted at this path?`, SEND_EXIT.NOINPUT);
    throw new InitError(`cannot check ${path}: ${(error as Error).message}`, SEND_EXIT.NOINPUT);
  }
  if (!stats.isFIFO()) throw new InitError(`${path} is a ${fileType(stats)}, not a FIFO: refusing to write to it`, SEND_EXIT.NOINPUT);
  let fd: number;
  try {
    fd = openSync(path, fsc.O_WRONLY | fsc.O_NONBLOCK | fsc.O_NOCTTY);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENXIO') throw new InitError(`no process is reading ${path}: the service is not running`, SEND_EXIT.UNAVAILABLE);
    if (code === 'ENOENT') throw new InitError(`${path} does not exist`, SEND_EXIT.NOINPUT);
    if (code === 'EACCES') {
      throw new InitError(
        `permission denied writing ${path} (owned by uid ${stats.uid} gid ${stats.gid}, mode 0${(stats.mode & 0o777).toString(8)}; we are uid ${process.getuid?.()})`,
        SEND_EXIT.NOINPUT,
      );
    }
    throw new InitError(`cannot open ${path}: ${(error as Error).message}`, SEND_EXIT.NOINPUT);
  }
  // The path could have been swapped between stat and open: check what we hold.
  if (!fstatSync(fd).isFIFO()) {
    closeSync(fd);
    throw new InitError(`${path} is not a FIFO: refusing to write to it`, SEND_EXIT.NOINPUT);
  }
  return fd;
}

/** The bytes of one line, or an error when it cannot be written atomically. */
export function encodeLine(text: string): Buffer {
  const line = Buffer.from(`${text}\n`);
  if (line.length > PIPE_BUF) {
    throw new InitError(
      `a line of ${line.length} bytes (with its newline) is longer than PIPE_BUF (${PIPE_BUF}): it could interleave with other writers, so it was not sent`,
      SEND_EXIT.DATAERR,
    );
  }
  return line;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Backoff while the FIFO is full: short at first, at most 50 ms. */
const RETRY_MS = [1, 2, 5, 10, 20, 50];

/**
 * Writes one line with a single non-blocking write(). A write of at most
 * PIPE_BUF bytes is all or nothing (pipe(7)), so EAGAIN means nothing was
 * written and it is simply retried until the timeout.
 */
export async function writeLine(fd: number, line: Buffer, deadline: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      writeSync(fd, line);
      return;
    } catch (error) {
      const code = codeOf(error);
      if (code === 'EPIPE') throw new InitError('the service closed the FIFO while sending', SEND_EXIT.UNAVAILABLE);
      if (code !== 'EAGAIN') throw new InitError(`write failed: ${(error as Error).message}`, SEND_EXIT.NOINPUT);
      if (Date.now() >= deadline) {
        throw new InitError('timed out: the FIFO stayed full (is the service reading its stdin?); that line was not sent', SEND_EXIT.TEMPFAIL);
      }
      await sleep(Math.min(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!, Math.max(1, deadline - Date.now())));
    }
  }
}

async function* stdinLines(): AsyncGenerator<string> {
  // Loaded here, not at start-up: the init never needs readline (memory, start-up time).
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) yield line;
}

/** Runs `fifo-init send`; resolves with the exit code. */
export async function send(options: SendOptions, log: Logger): Promise<number> {
  // All TEXT arguments are checked before the first is written.
  const given = options.lines?.map(encodeLine);
  const fd = openForSending(options.fifo);
  let count = 0;
  try {
    const source: AsyncIterable<string> | Iterable<Buffer> = given ?? stdinLines();
    for await (const item of source) {
      const line = typeof item === 'string' ? encodeLine(item) : item;
      // Each line gets the whole timeout: the bound is on waiting, not on the total.
      await writeLine(fd, line, Date.now() + options.timeoutMs);
      count += 1;
    }
  } finally {
    closeSync(fd);
  }
  log.debug(`sent ${count} line(s) to ${options.fifo}`);
  return SEND_EXIT.OK;
}
