/**
 * `fifo-init send`: the operator's writer. Unlike `echo cmd > fifo` it never
 * hangs when the service is down, never writes a regular file, and writes
 * each line with one write() so concurrent senders never interleave
 * (SPEC "fifo-init send").
 */
import { closeSync, constants as fsc, readSync, writeSync } from 'node:fs';
import { toBytes } from './bytes.js';
import { PIPE_BUF, type SendOptions } from './cli.js';
import { codeOf, InitError, SEND_EXIT } from './errors.js';
import { fileType, openPathHandle, reopenFifo } from './fifo.js';
import type { Logger } from './log.js';
import { formatMode } from './units.js';

/**
 * Opens the FIFO write-only and non-blocking. fifo(7): with O_NONBLOCK an
 * open for writing fails with ENXIO when no process has it open for reading,
 * instead of blocking until one does. No O_CREAT: a missing path is an error.
 * The path is looked up once with O_PATH (which opens nothing) and checked to
 * be a FIFO before the write-only open goes through that very inode
 * (fifo.ts reopenFifo), so a file or device swapped in is never opened.
 * A symbolic link the operator gives is followed: it is checked like the rest.
 */
export function openForSending(path: string): number {
  let handle;
  try {
    handle = openPathHandle(path, true);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') throw new InitError(`${path} does not exist: is the service's FIFO mounted at this path?`, SEND_EXIT.NOINPUT);
    if (code === 'EACCES') throw new InitError(`permission denied reaching ${path}: a directory on the way cannot be searched by uid ${process.getuid?.()}`, SEND_EXIT.NOINPUT);
    throw new InitError(`cannot check ${path}: ${(error as Error).message}`, SEND_EXIT.NOINPUT);
  }
  const { pathFd, stats } = handle;
  try {
    if (!stats.isFIFO()) throw new InitError(`${path} is a ${fileType(stats)}, not a FIFO: refusing to write to it`, SEND_EXIT.NOINPUT);
    return reopenFifo(path, pathFd, stats, fsc.O_WRONLY | fsc.O_NONBLOCK | fsc.O_NOCTTY);
  } catch (error) {
    if (error instanceof InitError) throw new InitError(error.message, error.exitCode === SEND_EXIT.NOINPUT ? error.exitCode : SEND_EXIT.NOINPUT);
    const code = codeOf(error);
    if (code === 'ENXIO') throw new InitError(`no process is reading ${path}: the service is not running`, SEND_EXIT.UNAVAILABLE);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new InitError(
        `permission denied writing ${path} (owned by uid ${stats.uid} gid ${stats.gid}, mode ${formatMode(stats.mode)}; we are uid ${process.getuid?.()})`,
        SEND_EXIT.NOINPUT,
      );
    }
    if (code === 'ELOOP') throw new InitError(`${path} is a symbolic link and /proc is not mounted, so it cannot be opened safely: give the real path`, SEND_EXIT.NOINPUT);
    throw new InitError(`cannot open ${path}: ${(error as Error).message}`, SEND_EXIT.NOINPUT);
  } finally {
    closeSync(pathFd);
  }
}

function tooLong(what: string, after = ''): InitError {
  return new InitError(
    `${what} is longer than ${PIPE_BUF - 1} bytes (+ newline = PIPE_BUF): it could interleave with other writers, so it was not sent${after}`,
    SEND_EXIT.DATAERR,
  );
}

/**
 * The bytes of one TEXT argument as a line, or an error when it cannot be
 * written atomically. A line break inside would make one argument two
 * console commands (a wrapper passing user input could be made to inject a
 * second one), so it is refused, not split.
 */
export function encodeLine(text: string): Buffer {
  if (/[\r\n]/.test(text)) {
    throw new InitError('a TEXT argument contains a newline or carriage return: one TEXT is one console command, so nothing was sent', SEND_EXIT.DATAERR);
  }
  const line = Buffer.concat([toBytes(text), Buffer.of(0x0a)]);
  if (line.length > PIPE_BUF) throw tooLong(`a TEXT of ${line.length - 1} bytes`);
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

/** Reads into `buffer` like read(2): the byte count, 0 at end of input; throws a Node error. */
export type Read = (buffer: Buffer) => number;

const CHUNK_BYTES = 65_536;
const LF = 0x0a;
const CR = 0x0d;

/** read(2) on fd 0; a non-blocking stdin (shared with whoever made it so) is waited on, not failed. */
function readStdin(buffer: Buffer): number {
  for (;;) {
    try {
      return readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (codeOf(error) !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/**
 * The lines of an input, each as its exact bytes plus one LF, never holding
 * more than one chunk and one line (PIPE_BUF) in memory whatever the input
 * size. LF ends a line, and so does CRLF (the CR is dropped); a lone CR is
 * an ordinary byte of the line. A last line without a newline is still a
 * line. A line that cannot be written atomically is refused as soon as it
 * is known to be too long, before any of it is sent; the lines before it
 * have been sent already (each is written as it completes).
 * A read error is EX_IOERR (74): reporting 0 would claim a success.
 */
export function* readLines(read: Read = readStdin, source = 'stdin'): Generator<Buffer> {
  const chunk = Buffer.alloc(CHUNK_BYTES);
  const line = Buffer.alloc(PIPE_BUF);
  let length = 0;
  let number = 1;
  const over = () => tooLong(`line ${number} of ${source}`, `, nor anything after it${number > 1 ? ` (the ${number - 1} line(s) before it were)` : ''}`);
  for (;;) {
    let got: number;
    try {
      got = read(chunk);
    } catch (error) {
      const code = codeOf(error);
      const why = code === 'EISDIR' ? 'it is a directory' : code === 'EBADF' ? 'it is closed' : (error as Error).message;
      throw new InitError(`cannot read ${source}: ${why}${number > 1 ? ` (the ${number - 1} line(s) before were sent)` : ''}`, SEND_EXIT.IOERR);
    }
    if (got === 0) break;
    let start = 0;
    while (start < got) {
      const newline = chunk.indexOf(LF, start);
      const end = newline === -1 || newline >= got ? got : newline;
      // The line may hold PIPE_BUF bytes only while its last is a CR that a LF could still drop.
      if (length + (end - start) > PIPE_BUF) throw over();
      chunk.copy(line, length, start, end);
      length += end - start;
      start = end;
      if (end === got) break;
      start += 1; // the LF
      if (length > 0 && line[length - 1] === CR) length -= 1;
      if (length + 1 > PIPE_BUF) throw over();
      line[length] = LF;
      yield Buffer.from(line.subarray(0, length + 1));
      length = 0;
      number += 1;
    }
  }
  if (length > 0) {
    if (length + 1 > PIPE_BUF) throw over();
    line[length] = LF;
    yield Buffer.from(line.subarray(0, length + 1));
  }
}

/** Runs `fifo-init send`; resolves with the exit code. */
export async function send(options: SendOptions, log: Logger): Promise<number> {
  // All TEXT arguments are checked before the first is written.
  const given = options.lines?.map(encodeLine);
  const fd = openForSending(options.fifo);
  let count = 0;
  try {
    for (const line of given ?? readLines()) {
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
