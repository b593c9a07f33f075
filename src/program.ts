/**
 * What PROGRAM is started with, decided before the spawn or the exec: where
 * it is (PATH search as execvp does), how a failure to start it is reported,
 * its environment (bytes, see bytes.ts) and the descriptors it inherits.
 */
import { accessSync, existsSync, constants as fsc, statSync } from 'node:fs';
import { toBytes } from './bytes.js';
import { codeOf, EXIT, InitError } from './errors.js';

/** glibc's execvp default when PATH is unset. See: execvp(3). */
const DEFAULT_PATH = '/bin:/usr/bin';

/** The shell execvp runs a file without `#!` with. See: execvp(3) "ENOEXEC". */
export const SHELL = '/bin/sh';

/** Errors that mean the system had no resources for a new process: the init's own failure. */
const RESOURCE_ERRORS = new Set(['EAGAIN', 'EWOULDBLOCK', 'ENOMEM', 'EMFILE', 'ENFILE']);

/**
 * Exit code and one-line message for PROGRAM that could not be started, by
 * errno as a shell reports it (SPEC "Supervision"): not found 127; found but
 * not executable 126; no resources to start a process at all (a pids limit,
 * RLIMIT_NPROC, memory) 125, fifo-init's own failure.
 */
export function startFailure(program: string, errnoCode: string, detail: string): InitError {
  if (errnoCode === 'ENOENT' || errnoCode === 'ENOTDIR') {
    return new InitError(`${program}: not found (${program.includes('/') ? 'no such file' : 'not in PATH'})`, EXIT.NOT_FOUND);
  }
  if (RESOURCE_ERRORS.has(errnoCode)) {
    const hint = errnoCode === 'EAGAIN' || errnoCode === 'EWOULDBLOCK' ? ' (a pids limit such as pids.max or --pids-limit, or RLIMIT_NPROC, was reached)' : '';
    return new InitError(`cannot start ${program}: ${detail}${hint}`, EXIT.INIT_FAILED);
  }
  return new InitError(`${program}: cannot execute: ${detail}`, EXIT.NOT_EXECUTABLE);
}

/** The message for a file without `#!` when there is no shell to run it. */
export function noShellFailure(program: string): InitError {
  return new InitError(
    `${program}: cannot execute: it is not a binary and has no '#!' line, and there is no ${SHELL} to run it as execvp would; add a '#!' line`,
    EXIT.NOT_EXECUTABLE,
  );
}

/** True when a shell exists to run a file without `#!`. */
export function haveShell(): boolean {
  return existsSync(SHELL);
}

/**
 * Finds PROGRAM as execvp(3) does: a name with a slash is used as is;
 * otherwise the first executable regular file in PATH. When only
 * non-executable matches exist, the error is EACCES (126), else ENOENT (127).
 */
export function resolveProgram(name: string, pathEnv: string | undefined): string {
  if (name.includes('/')) return name;
  let denied: string | undefined;
  for (const dir of (pathEnv ?? DEFAULT_PATH).split(':')) {
    const candidate = `${dir || '.'}/${name}`;
    try {
      if (!statSync(toBytes(candidate)).isFile()) continue;
      accessSync(toBytes(candidate), fsc.X_OK);
      return candidate;
    } catch (error) {
      if (codeOf(error) === 'EACCES') denied ??= candidate;
    }
  }
  if (denied) throw startFailure(name, 'EACCES', `${denied}: permission denied`);
  throw startFailure(name, 'ENOENT', '');
}

/** The value of NAME in a `NAME=value` list, or undefined. The first one wins, as getenv(3). */
export function getenv(environ: readonly string[], name: string): string | undefined {
  const prefix = `${name}=`;
  return environ.find((entry) => entry.startsWith(prefix))?.slice(prefix.length);
}

/** The list with NAME set to VALUE (replacing every earlier NAME), or removed when VALUE is undefined. */
export function setenv(environ: readonly string[], name: string, value: string | undefined): string[] {
  const prefix = `${name}=`;
  const rest = environ.filter((entry) => !entry.startsWith(prefix));
  return value === undefined ? rest : [...rest, `${prefix}${value}`];
}

/**
 * How many descriptors from fd 3 up PROGRAM inherits: `--preserve-fds N`
 * (runc's and podman's name), or socket activation's LISTEN_FDS when it is
 * meant for us (LISTEN_PID unset, or our own pid: runc and podman set it to
 * 1, the container's init). See: sd_listen_fds(3).
 */
export function passedFdCount(environ: readonly string[], preserveFds: number, ownPid: number): number {
  return Math.max(preserveFds, listenFds(environ, ownPid) ?? 0);
}

/** LISTEN_FDS when it is valid and addressed to `ownPid`; else undefined. */
export function listenFds(environ: readonly string[], ownPid: number): number | undefined {
  const count = getenv(environ, 'LISTEN_FDS');
  if (count === undefined || !/^[1-9]\d{0,5}$/.test(count)) return undefined;
  const pid = getenv(environ, 'LISTEN_PID');
  if (pid !== undefined && pid !== String(ownPid)) return undefined;
  return Number(count);
}
