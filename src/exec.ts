/**
 * --exec: check and open the FIFO, then replace fifo-init with PROGRAM, so
 * PROGRAM is PID 1 with the FIFO as stdin and nothing of the init stays.
 * Also the exec helper's last step (LISTEN_FDS, see spawn.ts).
 */
import { SysError } from './errors.js';
import { getenv, haveShell, noShellFailure, resolveProgram, setenv, SHELL, startFailure } from './program.js';
import { maxSignal } from './signal-table.js';
import { inheritDescriptors } from './spawn.js';
import * as libc from './sys/libc.js';

export interface ExecOptions {
  program: readonly string[];
  /** The FIFO descriptor to become fd 0, or undefined to keep stdin. */
  stdinFd?: number | undefined;
  environ: readonly string[];
  /** Descriptors 3..3+passedFds-1 PROGRAM inherits. */
  passedFds: number;
  /** Set LISTEN_PID to our pid, which PROGRAM keeps across execve. */
  listen: boolean;
}

/** Replaces this process with PROGRAM; returns only by throwing a 127/126/125 InitError. */
export function execProgram(options: ExecOptions): never {
  const name = options.program[0]!;
  const file = resolveProgram(name, getenv(options.environ, 'PATH'));
  if (options.stdinFd !== undefined) libc.dup2(options.stdinFd, 0); // dup2 clears FD_CLOEXEC on fd 0
  inheritDescriptors(options.passedFds, options.stdinFd);
  const environ = options.listen ? setenv(options.environ, 'LISTEN_PID', String(process.pid)) : options.environ;
  // execve keeps SIG_IGN (Node ignores SIGPIPE), our handlers' SIG_DFL-less state and the mask.
  libc.resetAllSignals(maxSignal());
  try {
    libc.execve(file, options.program, environ);
  } catch (error) {
    if (!(error instanceof SysError && error.code === 'ENOEXEC')) throw startFailure(name, (error as SysError).code ?? 'EIO', (error as Error).message.replace(/^.*failed: /, ''));
    if (!haveShell()) throw noShellFailure(name);
    try {
      libc.execve(SHELL, [SHELL, file, ...options.program.slice(1)], environ);
    } catch (shellError) {
      throw startFailure(name, (shellError as SysError).code ?? 'EIO', (shellError as Error).message.replace(/^.*failed: /, ''));
    }
  }
}
