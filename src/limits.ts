/**
 * The resource limits PROGRAM starts with (SPEC "Supervision"). Node raises
 * RLIMIT_NOFILE's soft limit to the hard limit before any JavaScript runs,
 * and keeps no record of the value it replaced, so without being told the
 * init can only pass on the raised one. `--nofile-soft N` says it: the init
 * lowers its own soft limit to N for the moment of the spawn (or the exec),
 * so PROGRAM inherits N, and takes the raised one back for itself.
 * See: Node src/node.cc PlatformInit ("Raise the open file descriptor limit");
 * docs/LIMITS.md.
 */
import { EXIT, InitError } from './errors.js';
import * as libc from './sys/libc.js';

/** Runs `start` (a spawn or an exec) with RLIMIT_NOFILE's soft limit at `soft`, when given. */
export function withNofileSoft<T>(soft: number | undefined, start: () => T): T {
  if (soft === undefined) return start();
  const [current, hard] = libc.nofileLimit();
  if (soft > hard) {
    throw new InitError(`--nofile-soft ${soft} is above the hard limit of open files (${hard}); raise the hard limit (docker run --ulimit nofile=${soft}:${soft}) or give a smaller N`, EXIT.INIT_FAILED);
  }
  libc.setNofileSoft(soft);
  try {
    return start();
  } finally {
    libc.setNofileSoft(current);
  }
}
