/**
 * Spawn duty: start PROGRAM through libc's posix_spawnp (SPEC "Behaviour of
 * the init" 3). Not through child_process: libuv would wait for the pid
 * itself, and the reaper must be the only owner of every wait status.
 * See: PLATFORM.md "Reaping and Node's child_process".
 */
import { readlinkSync } from 'node:fs';
import { SysError } from './errors.js';
import type { Logger } from './log.js';
import { getenv, haveShell, noShellFailure, resolveProgram, SHELL, startFailure } from './program.js';
import * as libc from './sys/libc.js';

/**
 * The descriptor of our controlling terminal when we are its foreground
 * process group, so PROGRAM can take that place (`docker run -it`). A
 * background init (`fifo-init sh &`) never steals the terminal.
 */
export function foregroundTerminalFd(): number | undefined {
  const ourGroup = libc.getpgrp();
  return [0, 1, 2].find((fd) => libc.isatty(fd) && libc.tcgetpgrp(fd) === ourGroup);
}

/** True for descriptors only the init's own runtime makes (epoll, eventfd, ...): never passed on. */
function isRuntimeDescriptor(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).startsWith('anon_inode:');
  } catch {
    return false;
  }
}

/**
 * Clears FD_CLOEXEC on what PROGRAM inherits: fds 0-2, and 3..3+passed-1
 * (--preserve-fds, LISTEN_FDS). libuv marks every descriptor from 0 up to
 * the first gap above 15 close-on-exec before any JavaScript runs, so these
 * must be reopened to exec on purpose. Everything Node opened itself is
 * O_CLOEXEC and stays so; `except` (the FIFO) and runtime descriptors are
 * never passed even when a wrong count names them.
 * See: libuv uv_disable_stdio_inheritance; sd_listen_fds(3).
 */
export function inheritDescriptors(passed = 0, except?: number): void {
  for (let fd = 0; fd < 3 + passed; fd++) {
    if (fd === except || (fd > 2 && isRuntimeDescriptor(fd))) continue;
    try {
      libc.setCloseOnExec(fd, false);
    } catch {
      // Not open: nothing to inherit.
    }
  }
}

/** The argument that starts the executable as a one-shot exec helper (see main.ts). */
export const EXEC_HELPER_FLAG = '--internal-exec-helper';

export interface SpawnOptions {
  program: readonly string[];
  /** The FIFO descriptor to become fd 0, or undefined to inherit stdin. */
  stdinFd?: number | undefined;
  /** PROGRAM's environment, `NAME=value` byte strings. */
  environ: readonly string[];
  /** Descriptors 3..3+passedFds-1 PROGRAM inherits. */
  passedFds: number;
  /**
   * LISTEN_FDS is meant for PROGRAM: LISTEN_PID must then be PROGRAM's own
   * pid, which exists only in the child. posix_spawn runs no code of ours
   * there, so PROGRAM is started through this executable in helper mode,
   * which sets LISTEN_PID to its pid and execs PROGRAM (same pid).
   */
  listen: boolean;
  /** Make PROGRAM the terminal's foreground group when we are it (not with --stop-command). */
  takeTerminal: boolean;
}

/** This executable, for helper mode: /proc/self/exe, or the path Node was started from. */
function selfExecutable(): string {
  try {
    return readlinkSync('/proc/self/exe');
  } catch {
    return process.execPath;
  }
}

function failure(program: string, error: unknown): unknown {
  if (error instanceof SysError && error.call.startsWith('exec ')) {
    return startFailure(program, error.code, error.message.replace(/^.*failed: /, ''));
  }
  return error;
}

/**
 * Starts PROGRAM in its own process group; returns its pid. Failures to
 * start are InitErrors with 127, 126 or 125 by errno. A file without `#!`
 * (ENOEXEC) is run by /bin/sh as execvp does.
 */
export function spawnProgram(options: SpawnOptions, log: Logger): number {
  inheritDescriptors(options.passedFds, options.stdinFd);
  const ttyFd = options.takeTerminal ? foregroundTerminalFd() : undefined;
  const name = options.program[0]!;
  const base = { stdinFd: options.stdinFd, foregroundTtyFd: ttyFd, environ: options.environ };
  const request = options.listen
    ? { ...base, argv: [selfExecutable(), `${EXEC_HELPER_FLAG}=${options.passedFds}:${libc.nofileLimit()[0]}`, '--', ...options.program], exactPath: true }
    : { ...base, argv: options.program };
  let pid: number;
  try {
    pid = libc.spawn(request);
  } catch (error) {
    if (!(error instanceof SysError && error.code === 'ENOEXEC')) throw failure(name, error);
    const file = resolveProgram(name, getenv(options.environ, 'PATH'));
    if (!haveShell()) throw noShellFailure(name);
    log.debug(`${name} has no #! line: running it with ${SHELL}, as execvp does`);
    try {
      pid = libc.spawn({ ...base, argv: [SHELL, file, ...options.program.slice(1)], exactPath: true });
    } catch (shellError) {
      throw failure(name, shellError);
    }
  }
  if (ttyFd !== undefined && !libc.canSetForeground) {
    // Older libc: hand over the terminal from here; PROGRAM may already run.
    try {
      libc.tcsetpgrp(ttyFd, pid);
    } catch (error) {
      log.warn(`could not make PROGRAM the terminal's foreground group: ${(error as Error).message}`);
    }
  }
  log.debug(`started ${name} as pid ${pid}${ttyFd !== undefined ? ' (terminal foreground)' : ''}${options.listen ? ' (LISTEN_FDS)' : ''}`);
  return pid;
}
