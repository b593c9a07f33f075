/**
 * --exec: check and open the FIFO, then replace fifo-init with PROGRAM, so
 * PROGRAM is PID 1 with the FIFO as stdin and nothing of the init stays.
 */
import { accessSync, constants as fsc, statSync } from 'node:fs';
import { join } from 'node:path';
import { codeOf, EXIT, InitError } from './errors.js';
import { maxSignal } from './signal-table.js';
import { execFailure, inheritStdio } from './spawn.js';
import * as libc from './sys/libc.js';

/** glibc's execvp default when PATH is unset. See: execvp(3). */
const DEFAULT_PATH = '/bin:/usr/bin';

/**
 * Finds PROGRAM as execvp(3) does: a name with a slash is used as is;
 * otherwise the first executable regular file in PATH. When only
 * non-executable matches exist, the error is EACCES (126), else ENOENT (127).
 */
export function resolveProgram(name: string, pathEnv: string | undefined): string {
  if (name.includes('/')) return name;
  let denied: string | undefined;
  for (const dir of (pathEnv ?? DEFAULT_PATH).split(':')) {
    const candidate = join(dir || '.', name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, fsc.X_OK);
      return candidate;
    } catch (error) {
      if (codeOf(error) === 'EACCES') denied ??= candidate;
    }
  }
  if (denied) throw execFailure(name, 'EACCES', `${denied}: permission denied`);
  throw execFailure(name, 'ENOENT', '');
}

/** Replaces this process with PROGRAM; returns only by throwing. */
export function execProgram(program: readonly string[], stdinFd: number | undefined): never {
  const file = resolveProgram(program[0]!, process.env.PATH);
  if (stdinFd !== undefined) libc.dup2(stdinFd, 0); // dup2 clears FD_CLOEXEC on fd 0
  inheritStdio();
  // execve keeps SIG_IGN (Node ignores SIGPIPE) and the signal mask.
  libc.resetAllSignals(maxSignal());
  try {
    process.execve!(file, [...program], process.env);
  } catch (error) {
    const code = codeOf(error) ?? 'EIO';
    throw execFailure(program[0]!, code, (error as Error).message);
  }
  throw new InitError('execve returned', EXIT.INIT_FAILED);
}
