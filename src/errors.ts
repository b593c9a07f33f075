import { constants } from 'node:os';

/** Exit codes fifo-init decides itself (SPEC "Behaviour of the init" 3 and 6). */
export const EXIT = {
  /** fifo-init's own failure: usage, FIFO check, system call. */
  INIT_FAILED: 125,
  /** PROGRAM was found but could not be executed. */
  NOT_EXECUTABLE: 126,
  /** PROGRAM was not found. */
  NOT_FOUND: 127,
} as const;

/** Exit codes of `fifo-init send` (sysexits.h names; SPEC "fifo-init send"). */
export const SEND_EXIT = {
  OK: 0,
  USAGE: 64, // EX_USAGE
  DATAERR: 65, // EX_DATAERR: a line longer than PIPE_BUF, or a TEXT with a line break
  NOINPUT: 66, // EX_NOINPUT: FIFO missing or not a FIFO
  UNAVAILABLE: 69, // EX_UNAVAILABLE: no reader holds the FIFO
  IOERR: 74, // EX_IOERR: stdin could not be read
  TEMPFAIL: 75, // EX_TEMPFAIL: the FIFO stayed full until the timeout
} as const;

/**
 * A failure the user must see: one line of text and the exit code to leave with.
 * Thrown anywhere, printed and turned into an exit code only in `main.ts`.
 */
export class InitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.INIT_FAILED,
  ) {
    super(message);
    this.name = 'InitError';
  }
}

/** A bad command line or environment value; `main.ts` adds the `--help` hint. */
export class UsageError extends InitError {
  constructor(message: string, exitCode: number = EXIT.INIT_FAILED) {
    super(message, exitCode);
    this.name = 'UsageError';
  }
}

/** A libc call that failed, named as tini does: "`<call>` failed: `<strerror>`". */
export class SysError extends Error {
  readonly code: string;
  constructor(
    readonly call: string,
    readonly errno: number,
    description: string = errnoName(errno),
  ) {
    super(`${call} failed: ${description}`);
    this.name = 'SysError';
    this.code = errnoName(errno);
  }
}

/** errno -> name; the first name Node lists wins (EAGAIN before EWOULDBLOCK, as strerror's docs name it). */
const ERRNO_NAMES = new Map<number, string>();
for (const [name, number] of Object.entries(constants.errno)) if (!ERRNO_NAMES.has(number)) ERRNO_NAMES.set(number, name);

/** `ENOENT` for 2 (from os.constants.errno: libuv's own table lacks ECHILD and others). */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

/** The `code` of a Node system error (`ENOENT`, ...), or undefined. */
export function codeOf(error: unknown): string | undefined {
  if (error instanceof SysError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Wraps a callback so that nothing it throws escapes (SPEC "Supervision"). */
export type Guard = <A extends unknown[]>(what: string, handler: (...args: A) => void) => (...args: A) => void;

/** The text of anything thrown: an Error's message, else its string form. */
export function describeThrown(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A Guard whose wrapped callbacks hand what they throw to `report` (with the
 * name of the duty that failed) and return normally: once PROGRAM runs, an
 * internal failure is logged and supervision goes on.
 */
export function guardWith(report: (what: string, error: unknown) => void): Guard {
  return (what, handler) =>
    (...args) => {
      try {
        handler(...args);
      } catch (error) {
        report(what, error);
      }
    };
}
