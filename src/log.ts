import { writeSync } from 'node:fs';
import { escapeForLog } from './bytes.js';
import { withoutSelfSignals } from './sys/libc.js';

/** Verbosity levels (SPEC: 0 errors only, 1 default adds warnings). */
export const LEVEL = { ERROR: 0, WARN: 1, INFO: 2, DEBUG: 3 } as const;

/** The one stderr logger: every line is prefixed `fifo-init:`. */
export interface Logger {
  readonly level: number;
  error(message: string): void;
  warn(message: string): void;
  /** Something an operator wants to see by default (level 1), that is not a problem. */
  notice(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/**
 * A logger writing synchronously to fd 2, so a line is never lost when the
 * init exits right after it (process.exit does not wait for async writes).
 * Control characters in a message are escaped, so a path or a program name
 * can never start a line of its own (SPEC "What must hold everywhere").
 */
export function createLogger(level: number, fd = 2): Logger {
  let dead = false;
  const line = (min: number, tag: string) => (message: string) => {
    if (level < min || dead) return;
    try {
      // A write to a dead pipe or past RLIMIT_FSIZE raises SIGPIPE/SIGXFSZ in
      // the init itself: taken back at once, never forwarded (SPEC "Signal policy").
      withoutSelfSignals(() => writeSync(fd, `fifo-init: ${tag}${escapeForLog(message)}\n`));
    } catch (error) {
      // stderr closed, gone or full: logging must never take the init down.
      // A reader that is gone stays gone: drop every later line silently.
      if (['EPIPE', 'EFBIG', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) dead = true;
    }
  };
  return {
    level,
    error: line(LEVEL.ERROR, ''),
    warn: line(LEVEL.WARN, 'warning: '),
    notice: line(LEVEL.WARN, ''),
    info: line(LEVEL.INFO, ''),
    debug: line(LEVEL.DEBUG, ''),
  };
}
