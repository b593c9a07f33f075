/**
 * FIFO duty: check the path, optionally create it, open it read/write, grow
 * its buffer (SPEC "Behaviour of the init" 1-2). Every failure is an
 * InitError whose one line names the path and says what to do.
 */
import { closeSync, fchmodSync, constants as fsc, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import { codeOf, InitError, SysError } from './errors.js';
import type { Logger } from './log.js';
import * as libc from './sys/libc.js';
import { formatMode } from './units.js';

/** What kind of file a stat describes, in the words a user knows. */
export function fileType(stats: Pick<Stats, 'isFIFO' | 'isDirectory' | 'isFile' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice' | 'isSymbolicLink'>): string {
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'regular file';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isSymbolicLink()) return 'symbolic link';
  return 'special file';
}

/** Who we run as, for permission messages. */
function identity(): string {
  const groups = process.getgroups?.().filter((g) => g !== process.getgid?.()) ?? [];
  return `uid ${process.getuid?.()} gid ${process.getgid?.()}${groups.length ? ` (groups ${groups.join(',')})` : ''}`;
}

/** The one-line message for a path that is not a usable FIFO, or undefined when it is one. */
export function notFifoMessage(path: string, stats: Parameters<typeof fileType>[0]): string | undefined {
  if (stats.isFIFO()) return undefined;
  if (stats.isDirectory()) {
    return (
      `${path} is a directory, not a FIFO: Docker creates a directory when the host path of a -v bind mount does not exist; ` +
      `remove that directory on the host, run 'mkfifo HOSTPATH' there, then start the container again`
    );
  }
  return `${path} is a ${fileType(stats)}, not a FIFO: refusing to use it (it was left untouched); point --fifo at a FIFO made with mkfifo`;
}

function missingMessage(path: string): string {
  return (
    `${path} does not exist: create the FIFO on the host with 'mkfifo -m 0600 HOSTPATH' before the container starts ` +
    `and bind-mount it (-v HOSTPATH:${path}), or pass --create`
  );
}

function permissionMessage(path: string, stats: Stats | undefined, access: string): string {
  const owner = stats ? `owned by uid ${stats.uid} gid ${stats.gid} with mode ${formatMode(stats.mode)}` : 'in a directory we cannot search';
  return `permission denied opening ${path} for ${access}: it is ${owner} and fifo-init runs as ${identity()}; chown or chmod it on the host, or run the container as its owner`;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export interface OpenFifoOptions {
  path: string;
  /** Create with exactly this mode when missing. */
  createMode?: number | undefined;
  pipeSize?: number | undefined;
}

/** An open FIFO: the read/write descriptor PROGRAM gets as stdin. */
export interface OpenFifo {
  path: string;
  fd: number;
  created: boolean;
}

/**
 * Checks and opens the FIFO read/write. O_RDWR never blocks on a FIFO (we are
 * a reader and a writer at once) and keeps one writer open for ever, so
 * PROGRAM never reads EOF when a host writer closes. See: fifo(7).
 * The open is O_NONBLOCK so that a path swapped for a device after the check
 * cannot hang us; the type is then checked on the descriptor itself (no race),
 * and O_NONBLOCK is cleared because PROGRAM expects a blocking stdin.
 */
export function openFifo(options: OpenFifoOptions, log: Logger): OpenFifo {
  const { path } = options;
  let created = false;
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EACCES') throw new InitError(permissionMessage(path, undefined, 'checking'));
    if (code === 'ENOTDIR') throw new InitError(`${path}: a parent of this path is not a directory; point --fifo at a FIFO`);
    if (code !== 'ENOENT') throw new InitError(`cannot check ${path}: ${(error as Error).message}`);
    if (options.createMode === undefined) throw new InitError(missingMessage(path));
    created = createFifo(path, options.createMode);
    stats = statSync(path);
  }
  const problem = notFifoMessage(path, stats);
  if (problem) throw new InitError(problem);

  let fd: number;
  try {
    fd = openSync(path, fsc.O_RDWR | fsc.O_NONBLOCK | fsc.O_NOCTTY);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EACCES' || code === 'EPERM') throw new InitError(permissionMessage(path, stats, 'reading and writing'));
    if (code === 'ENOENT') throw new InitError(missingMessage(path));
    throw new InitError(`cannot open ${path}: ${(error as Error).message}`);
  }
  try {
    const opened = fstatSync(fd);
    const raced = notFifoMessage(path, opened);
    if (raced) throw new InitError(raced);
    libc.setNonBlocking(fd, false);
    if (created) {
      // mkfifo applies the umask; fchmod on our descriptor sets the exact mode.
      fchmodSync(fd, options.createMode!);
    } else if ((opened.mode & 0o002) !== 0) {
      log.warn(
        `${path} is writable by everyone (mode ${formatMode(opened.mode)}): anyone on the host can type into the service; run 'chmod o-w' on it`,
      );
    }
    if (options.pipeSize !== undefined) growPipe(fd, path, options.pipeSize, log);
  } catch (error) {
    closeSync(fd);
    if (error instanceof SysError) throw new InitError(`${path}: ${error.message}`);
    throw error;
  }
  log.debug(`opened ${path} read/write as fd ${fd}${created ? ' (created)' : ''}`);
  return { path, fd, created };
}

/** mkfifo; false when someone else made it first (then the normal checks apply). */
function createFifo(path: string, mode: number): boolean {
  try {
    libc.mkfifo(path, mode);
    return true;
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EEXIST') return false;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      const dir = statOrUndefined(path.replace(/\/[^/]*$/, '') || '/');
      throw new InitError(
        `cannot create ${path}: ${(error as SysError).message}` +
          (dir ? ` (directory owned by uid ${dir.uid} gid ${dir.gid}, mode ${formatMode(dir.mode)}; fifo-init runs as ${identity()})` : ''),
      );
    }
    if (code === 'ENOENT') throw new InitError(`cannot create ${path}: its directory does not exist; mount or create the directory first`);
    throw new InitError(`cannot create ${path}: ${(error as Error).message}`);
  }
}

/** F_SETPIPE_SZ; a refusal is a warning naming the limit (SPEC: not a failure). */
function growPipe(fd: number, path: string, bytes: number, log: Logger): void {
  try {
    const size = libc.setPipeSize(fd, bytes);
    log.debug(`${path}: pipe buffer is now ${size} bytes`);
  } catch (error) {
    if (!(error instanceof SysError)) throw error;
    const limit = readLimit();
    const hint =
      error.code === 'EPERM' && limit !== undefined
        ? `the limit for unprivileged processes is ${limit} bytes (/proc/sys/fs/pipe-max-size)`
        : error.code === 'EBUSY'
          ? 'the FIFO holds more data than that'
          : error.message;
    log.warn(`${path}: could not set the pipe buffer to ${bytes} bytes (${hint}); keeping ${libc.getPipeSize(fd)} bytes`);
  }
}

function readLimit(): string | undefined {
  try {
    return readFileSync('/proc/sys/fs/pipe-max-size', 'utf8').trim();
  } catch {
    return undefined;
  }
}
