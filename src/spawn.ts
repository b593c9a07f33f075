/**
 * Spawn duty: start PROGRAM through libc's posix_spawnp (SPEC "Behaviour of
 * the init" 3). Not through child_process: libuv would wait for the pid
 * itself, and the reaper must be the only owner of every wait status.
 * See: PLATFORM.md "Reaping and Node's child_process".
 */
import { EXIT, InitError, SysError } from './errors.js';
import type { Logger } from './log.js';
import * as libc from './sys/libc.js';

/** Exit code and message for a failed exec, as a shell reports it. */
export function execFailure(program: string, errnoCode: string, detail: string): InitError {
  if (errnoCode === 'ENOENT' || errnoCode === 'ENOTDIR') {
    return new InitError(`${program}: not found (${program.includes('/') ? 'no such file' : 'not in PATH'})`, EXIT.NOT_FOUND);
  }
  return new InitError(`${program}: cannot execute: ${detail}`, EXIT.NOT_EXECUTABLE);
}

/**
 * The descriptor of our controlling terminal when we are its foreground
 * process group, so PROGRAM can take that place (`docker run -it`). A
 * background init (`fifo-init sh &`) never steals the terminal.
 */
export function foregroundTerminalFd(): number | undefined {
  const ourGroup = libc.getpgrp();
  return [0, 1, 2].find((fd) => libc.isatty(fd) && libc.tcgetpgrp(fd) === ourGroup);
}

/**
 * Node marks fds 0-2 close-on-exec in itself; they are PROGRAM's stdio, so
 * clear the flag. Descriptors a caller passed above 2 carry no FD_CLOEXEC and
 * stay open for PROGRAM (as tini); everything Node opened is FD_CLOEXEC.
 */
export function inheritStdio(): void {
  for (const fd of [0, 1, 2]) {
    try {
      libc.setCloseOnExec(fd, false);
    } catch {
      // Not open: nothing to inherit.
    }
  }
}

export interface SpawnOptions {
  program: readonly string[];
  /** The FIFO descriptor to become fd 0, or undefined to inherit stdin. */
  stdinFd?: number | undefined;
}

/** Starts PROGRAM in its own process group; returns its pid. Exec failures are 127/126 InitErrors. */
export function spawnProgram(options: SpawnOptions, log: Logger): number {
  inheritStdio();
  const ttyFd = foregroundTerminalFd();
  let pid: number;
  try {
    pid = libc.spawn({ argv: options.program, stdinFd: options.stdinFd, foregroundTtyFd: ttyFd });
  } catch (error) {
    if (error instanceof SysError && error.call.startsWith('exec ')) {
      throw execFailure(options.program[0]!, error.code, error.message.replace(/^.*failed: /, ''));
    }
    throw error;
  }
  if (ttyFd !== undefined && !libc.canSetForeground) {
    // Older libc: hand over the terminal from here; PROGRAM may already run.
    try {
      libc.tcsetpgrp(ttyFd, pid);
    } catch (error) {
      log.warn(`could not make PROGRAM the terminal's foreground group: ${(error as Error).message}`);
    }
  }
  log.debug(`started ${options.program[0]} as pid ${pid}${ttyFd !== undefined ? ' (terminal foreground)' : ''}`);
  return pid;
}
