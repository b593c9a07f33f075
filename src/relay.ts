/**
 * Merged stdin (SPEC "The console"): complete lines typed into the init's
 * own stdin (`docker attach`, `docker run -i`, panels that write the
 * container's stdin, `kubectl attach`) go into the FIFO, each one atomic
 * write, so they never interleave with host writers. EOF ends only the relay.
 */
import { fstatSync } from 'node:fs';
import { PIPE_BUF } from './cli.js';
import type { ConsoleWriter } from './console.js';
import type { Logger } from './log.js';
import * as libc from './sys/libc.js';

const LF = 0x0a;
const CR = 0x0d;

/** Above this many lines waiting for room in the FIFO, reading stdin pauses (back-pressure). */
const PAUSE_AT = 64;

/**
 * Whether the init's stdin can feed the relay: open, readable, and not
 * /dev/null (Docker without -i, Kubernetes without stdin: true). A closed
 * or write-only fd 0 has nothing to give.
 */
export function stdinReadable(): boolean {
  try {
    const stats = fstatSync(0);
    // /dev/null is character device 1:3 (Linux's mem driver). See: devices.txt.
    if (stats.isCharacterDevice() && stats.rdev === ((1 << 8) | 3)) return false;
    return libc.isReadable(0);
  } catch {
    return false;
  }
}

/**
 * Splits bytes into console lines: LF ends a line and so does CRLF (the CR
 * is dropped, as `send` does); a lone CR is an ordinary byte. A line that
 * cannot be one atomic write is refused whole (a warning), never split.
 * Pure: bytes in, callbacks out.
 */
export class LineSplitter {
  private readonly line = Buffer.alloc(PIPE_BUF);
  private length = 0;
  private discarding = false;

  constructor(
    private readonly onLine: (line: Buffer) => void,
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(LF, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.discarding) {
        // PIPE_BUF bytes may be held only while the last one is a CR a LF could still drop.
        if (this.length + (end - start) > PIPE_BUF) {
          this.discarding = true;
          this.length = 0;
          this.onTooLong();
        } else {
          chunk.copy(this.line, this.length, start, end);
          this.length += end - start;
        }
      }
      if (newline === -1) return;
      start = newline + 1;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (this.length > 0 && this.line[this.length - 1] === CR) this.length -= 1;
      if (this.length + 1 > PIPE_BUF) {
        this.length = 0;
        this.onTooLong();
        continue;
      }
      this.line[this.length] = LF;
      this.onLine(Buffer.from(this.line.subarray(0, this.length + 1)));
      this.length = 0;
    }
  }

  /** At EOF a last line without a newline is still a line, as for `send`. */
  end(): void {
    if (!this.discarding && this.length > 0) this.push(Buffer.from('\n'));
    this.length = 0;
    this.discarding = false;
  }
}

/** Starts relaying the init's stdin into the FIFO through `writer`. */
export function relayStdin(writer: ConsoleWriter, log: Logger): void {
  let number = 0;
  const splitter = new LineSplitter(
    (line) => {
      number += 1;
      writer.write(line, `stdin line ${number}`);
    },
    () => {
      number += 1;
      log.warn(`stdin line ${number} is longer than ${PIPE_BUF - 1} bytes: not written (a console command must be one atomic write)`);
    },
  );
  const input = process.stdin;
  input.on('data', (chunk: Buffer | string) => {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (writer.pending > PAUSE_AT) {
      input.pause();
      writer.onDrained(() => input.resume());
    }
  });
  input.on('end', () => {
    splitter.end();
    log.info('stdin closed: the relay into the FIFO ended (PROGRAM and the FIFO go on)');
  });
  input.on('error', (error) => log.warn(`stdin relay stopped: ${error.message}`));
  log.debug('relaying complete lines of stdin into the FIFO');
}
