/**
 * FIFO duty: check the path, optionally create it, open it read/write, lock
 * it, grow its buffer (SPEC "Behaviour of the init" 1-2). Every failure is an
 * InitError whose one line names the path and says what to do.
 *
 * Nothing but the FIFO is ever opened for I/O, created or chmod-ed (SPEC
 * "What must hold everywhere"): the path is looked up once, with O_PATH
 * (which opens nothing: no device open routine runs, no FIFO end is taken),
 * the type and owner are checked on that descriptor, and the real open goes
 * through it (/proc/self/fd/N), never through the path again.
 * See: open(2) "O_PATH", proc(5) "/proc/pid/fd".
 */
import { closeSync, fchmodSync, constants as fsc, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { fromBytes, toBytes } from './bytes.js';
import { DEFAULT_LOCK_TIMEOUT_MS } from './cli.js';
import { codeOf, InitError, SysError } from './errors.js';
import type { Logger } from './log.js';
import * as libc from './sys/libc.js';
import { formatMode } from './units.js';

/** open(2) O_PATH on Linux (Node's fs.constants lacks it). See: asm-generic/fcntl.h. */
export const O_PATH = 0o10000000;


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

/** Who the kernel checks an open against: effective ids, groups, and whether CAP_DAC_OVERRIDE waives the mode. */
export interface Opener {
  uid: number;
  gid: number;
  groups: readonly number[];
  dacOverride: boolean;
}

/** CAP_DAC_OVERRIDE's bit in /proc/self/status CapEff. See: capabilities(7), linux/capability.h. */
const CAP_DAC_OVERRIDE = 1n;

/** This process as an Opener; without /proc, root is taken to hold CAP_DAC_OVERRIDE (Docker's default set has it). */
function opener(): Opener {
  const uid = process.geteuid?.() ?? -1;
  let dacOverride = uid === 0;
  try {
    const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1];
    if (capEff !== undefined) dacOverride = ((BigInt(`0x${capEff}`) >> CAP_DAC_OVERRIDE) & 1n) === 1n;
  } catch {
    // no /proc: keep the guess
  }
  return { uid, gid: process.getegid?.() ?? -1, groups: process.getgroups?.() ?? [], dacOverride };
}

/**
 * Whether the owner/group/other bits of `mode` give `who` every bit of `want`
 * (4 read, 2 write), as the kernel's own check reads them: the owner class
 * alone when the uid matches, else the group class when the file's gid is
 * ours or one of our groups, else other. CAP_DAC_OVERRIDE waives them for
 * reading and writing. POSIX ACLs and LSMs are what this does not see.
 * See: path_resolution(7) "Permission", fs/namei.c acl_permission_check.
 */
export function modeAllows(file: { uid: number; gid: number; mode: number }, who: Opener, want: number): boolean {
  if (who.dacOverride) return true;
  const shift = file.uid === who.uid ? 6 : file.gid === who.gid || who.groups.includes(file.gid) ? 3 : 0;
  return ((file.mode >> shift) & want) === want;
}

/**
 * The one line for an open refused with EACCES/EPERM. When the mode does
 * not allow us, the fix is ownership or mode. When it does, the mode is not
 * what refused: the hint names the usual causes, an SELinux label on the
 * bind-mounted file (Docker's `:z`/`:Z` relabel it) and a user namespace,
 * where the container's uid is another uid on the host (rootless engines,
 * userns-remap) and host uids it does not map show as the overflow uid.
 * `stats` undefined: a directory on the way could not be searched.
 */
export function permissionMessage(path: string, stats: Pick<Stats, 'uid' | 'gid' | 'mode'> | undefined, access: string, who: Opener, whoText: string): string {
  const start = `permission denied opening ${path} for ${access}: it is `;
  if (stats === undefined) return `${start}in a directory we cannot search and fifo-init runs as ${whoText}; chown or chmod it on the host, or run the container as its owner`;
  const owner = `owned by uid ${stats.uid} gid ${stats.gid} with mode ${formatMode(stats.mode)}`;
  // Read and write: the FIFO is always opened O_RDWR (stats are known only for that open).
  if (!modeAllows(stats, who, 6)) return `${start}${owner} and fifo-init runs as ${whoText}; chown or chmod it on the host, or run the container as its owner`;
  const allowed = who.dacOverride ? 'which may open it whatever the mode (CAP_DAC_OVERRIDE)' : 'which that mode allows';
  return (
    `${start}${owner} and fifo-init runs as ${whoText}, ${allowed}, so something else refused it: ` +
    `an SELinux label (add :z or :Z to the -v bind mount) or a user namespace (uid ${who.uid} here may be another uid on the host ` +
    `under rootless Docker or Podman and userns-remap; a host owner the namespace does not map shows as uid 65534)`
  );
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

/** permissionMessage for this process. */
function deniedMessage(path: string, stats: Stats | undefined, access: string): string {
  return permissionMessage(path, stats, access, opener(), identity());
}

function symlinkMessage(path: string): string {
  return (
    `${path} is a symbolic link: --create refuses to follow it (it could point anywhere, e.g. at another service's FIFO); ` +
    `give --fifo the real path, or remove the link`
  );
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(toBytes(path));
  } catch {
    return undefined;
  }
}

/** Where a symbolic link points, for a message (escaped by the logger). */
function linkTarget(path: string): string {
  try {
    return fromBytes(readlinkSync(toBytes(path), { encoding: 'buffer' }));
  } catch {
    return '?';
  }
}

function euid(): number {
  return process.geteuid?.() ?? -1;
}

/**
 * The path's O_PATH descriptor and the stats of what it refers to; throws the
 * open's own error (with its `code`) for the caller to word. `follow` false
 * adds O_NOFOLLOW: then a symbolic link is not followed but opened itself,
 * and its stats say so.
 */
export function openPathHandle(path: string, follow: boolean): { pathFd: number; stats: Stats } {
  const pathFd = openSync(toBytes(path), O_PATH | (follow ? 0 : fsc.O_NOFOLLOW));
  try {
    return { pathFd, stats: fstatSync(pathFd) };
  } catch (error) {
    closeSync(pathFd);
    throw error;
  }
}

/**
 * Opens for I/O the very inode behind `pathFd`, which the caller has checked
 * to be a FIFO (`expected`: its fstat). Through
 * /proc/self/fd/N the kernel reaches that inode whatever the path now names.
 * Without /proc, the path is opened once more with O_NOFOLLOW (so no symbolic
 * link swapped in can redirect it) and O_NONBLOCK|O_NOCTTY (so nothing can
 * hang or become our terminal), and kept only when it is the same inode.
 * Throws the open's error (with its `code`), or an InitError for a swap.
 */
export function reopenFifo(path: string, pathFd: number, expected: Stats, flags: number): number {
  let fd: number;
  try {
    fd = openSync(`/proc/self/fd/${pathFd}`, flags);
  } catch (error) {
    // ENOENT: /proc is not mounted (or is another namespace's); anything else is the FIFO's own answer.
    if (codeOf(error) !== 'ENOENT') throw error;
    fd = openSync(toBytes(path), flags | fsc.O_NOFOLLOW);
  }
  // Same dev and inode: the very inode whose type the caller checked (a type never changes).
  const opened = fstatSync(fd);
  if (opened.dev !== expected.dev || opened.ino !== expected.ino) {
    closeSync(fd);
    throw new InitError(`${path} was replaced while fifo-init opened it: refusing to use what is there now; start again`);
  }
  return fd;
}

export interface OpenFifoOptions {
  path: string;
  /** Create with exactly this mode when missing. */
  createMode?: number | undefined;
  pipeSize?: number | undefined;
  /** How long to wait for another process to let go of the FIFO (0: refuse at once). */
  lockTimeoutMs?: number | undefined;
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
 * The open is O_NONBLOCK so that nothing can hang us, and O_NONBLOCK is
 * cleared afterwards because PROGRAM expects a blocking stdin. The FIFO is
 * then locked, so a second init on it refuses instead of sharing it.
 */
export function openFifo(options: OpenFifoOptions, log: Logger): OpenFifo {
  const { path } = options;
  const { pathFd, stats, created } = options.createMode === undefined ? lookUpExisting(path) : lookUpForCreate(path, options.createMode);
  let fd: number;
  try {
    fd = reopenFifo(path, pathFd, stats, fsc.O_RDWR | fsc.O_NONBLOCK | fsc.O_NOCTTY);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EACCES' || code === 'EPERM') throw new InitError(deniedMessage(path, stats, 'reading and writing'));
    if (code === 'ELOOP') throw new InitError(`${path} is a symbolic link and /proc is not mounted, so it cannot be opened safely: give --fifo the real path`);
    if (error instanceof InitError) throw error;
    throw new InitError(`cannot open ${path}: ${(error as Error).message}`);
  } finally {
    closeSync(pathFd);
  }
  try {
    libc.setNonBlocking(fd, false);
    if (created && (stats.mode & 0o7777) !== options.createMode) {
      // The umask was 0 for mkfifo, but a default ACL on the directory still
      // masks the mode; fchmod on our own descriptor, never on the path.
      // See: acl(5) "OBJECT CREATION AND DEFAULT ACLs".
      fchmodSync(fd, options.createMode!);
    } else if ((stats.mode & 0o002) !== 0) {
      log.warn(
        `${path} is writable by everyone (mode ${formatMode(stats.mode)}): anyone on the host can type into the service; run 'chmod o-w' on it`,
      );
    }
    lockFifo(fd, path, stats, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, log);
    if (options.pipeSize !== undefined) growPipe(fd, path, options.pipeSize, log);
  } catch (error) {
    closeSync(fd);
    if (error instanceof SysError) throw new InitError(`${path}: ${error.message}`);
    throw error;
  }
  log.debug(`opened ${path} read/write as fd ${fd}${created ? ' (created)' : ''}`);
  return { path, fd, created };
}

interface LookedUp {
  pathFd: number;
  stats: Stats;
  created: boolean;
}

/**
 * --fifo without --create: the FIFO someone made for us. A symbolic link the
 * user put there is followed (a link to a FIFO is a legitimate setup): with
 * O_PATH, following it opens nothing, and what it reaches is checked before
 * any real open.
 */
function lookUpExisting(path: string): LookedUp {
  let handle: { pathFd: number; stats: Stats };
  try {
    handle = openPathHandle(path, true);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EACCES') throw new InitError(deniedMessage(path, undefined, 'checking'));
    if (code === 'ENOTDIR') throw new InitError(`${path}: a parent of this path is not a directory; point --fifo at a FIFO`);
    if (code === 'ELOOP') throw new InitError(`${path}: too many symbolic links (a loop?); point --fifo at a FIFO`);
    if (code !== 'ENOENT') throw new InitError(`cannot check ${path}: ${(error as Error).message}`);
    if (lstatOrUndefined(path)?.isSymbolicLink()) {
      throw new InitError(`${path} is a symbolic link to ${linkTarget(path)}, which does not exist: create the FIFO there on the host, or fix the link`);
    }
    throw new InitError(missingMessage(path));
  }
  const problem = notFifoMessage(path, handle.stats);
  if (problem) {
    closeSync(handle.pathFd);
    throw new InitError(problem);
  }
  return { ...handle, created: false };
}

/**
 * --create: make the FIFO when missing, with exactly MODE, and use only what
 * we made or a FIFO that is ours. A symbolic link at the path is refused
 * (before and after mkfifo: O_NOFOLLOW opens the link itself, so a link
 * swapped in is seen). What we made is bound by owner and link count: mkfifo
 * gives an inode owned by our euid with one link; a FIFO another user renamed
 * over the path fails that and is refused, never opened or chmod-ed.
 */
function lookUpForCreate(path: string, mode: number): LookedUp {
  let created = false;
  const before = lstatOrUndefined(path);
  if (before?.isSymbolicLink()) throw new InitError(symlinkMessage(path));
  if (before === undefined) created = createFifo(path, mode);
  const handle = ((): { pathFd: number; stats: Stats } => {
    try {
      return openPathHandle(path, false);
    } catch (error) {
      const code = codeOf(error);
      if (code === 'EACCES') throw new InitError(deniedMessage(path, undefined, 'checking'));
      if (code === 'ENOENT') throw new InitError(`${path} disappeared right after it was ${created ? 'created' : 'checked'}: something else is changing that directory; start again`);
      throw new InitError(`cannot check ${path}: ${(error as Error).message}`);
    }
  })();
  const refuse = (message: string): never => {
    closeSync(handle.pathFd);
    throw new InitError(message);
  };
  const { stats } = handle;
  if (stats.isSymbolicLink()) refuse(symlinkMessage(path));
  const problem = notFifoMessage(path, stats);
  if (problem) refuse(problem);
  if (created && (stats.uid !== euid() || stats.nlink !== 1)) {
    refuse(
      `${path} was replaced between creating and opening it (now owned by uid ${stats.uid}, ${stats.nlink} link(s)): ` +
        `someone else can write to that directory; refusing it. Use a directory only fifo-init's user can write`,
    );
  }
  // Root may own it (root can do anything anyway); another user may have planted it to read or feed our console.
  if (!created && stats.uid !== euid() && stats.uid !== 0) {
    refuse(
      `${path} already exists and is owned by uid ${stats.uid}, not by us (${identity()}): with --create fifo-init uses only its own FIFO, ` +
        `since another user could have planted it; remove it, chown it to uid ${euid()}, or drop --create to use a host-made FIFO as it is`,
    );
  }
  return { ...handle, created };
}

/**
 * mkfifo with the umask at 0, so the mode is exactly MODE (SPEC: "--create
 * gives exactly MODE whatever the umask"); false when someone else made the
 * path first (then the checks for an existing path apply). Nothing is ever
 * removed: an unlink goes by path, and what the path names may no longer be
 * what we made.
 */
function createFifo(path: string, mode: number): boolean {
  const umask = process.umask(0);
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
  } finally {
    process.umask(umask);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(toBytes(path));
  } catch {
    return undefined;
  }
}

/** Polling interval while another process holds the FIFO's lock (start-up only, bounded by the timeout). */
const LOCK_POLL_MS = 50;

/**
 * Two inits on one FIFO would split the console between two services and
 * tear lines (SPEC "Supervision"). An exclusive flock on our open file
 * description says "this FIFO is taken" for as long as we or PROGRAM (fd 0,
 * same description) hold it; a second init waits up to `timeoutMs` for the
 * first to let go (a rolling update), then refuses.
 */
function lockFifo(fd: number, path: string, stats: Stats, timeoutMs: number, log: Logger): void {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  while (!libc.tryLockExclusive(fd)) {
    const holder = lockHolder(stats);
    if (Date.now() >= deadline) {
      throw new InitError(
        `${path} is already in use by ${holder ?? 'another process (in another container or PID namespace)'}: two services must not share one FIFO; ` +
          `${timeoutMs > 0 ? `waited ${timeoutMs} ms for it to exit. ` : ''}Stop the other one first, give each its own FIFO, or raise --lock-timeout`,
      );
    }
    if (!said) {
      log.info(`${path} is in use by ${holder ?? 'another process'}; waiting up to ${timeoutMs} ms for it to exit (--lock-timeout)`);
      said = true;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(LOCK_POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

/**
 * "pid N (name)" of the process holding a flock on this inode, from
 * /proc/locks, or undefined (no /proc, or a holder in a PID namespace we
 * cannot see: the kernel leaves those out). See: proc(5) "/proc/locks".
 */
function lockHolder(stats: Stats): string | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
  const dev = BigInt(stats.dev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  for (const line of text.split('\n')) {
    const match = /^\d+:\s+FLOCK\s+\S+\s+WRITE\s+(\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
    if (!match || BigInt(`0x${match[2]}`) !== major || BigInt(`0x${match[3]}`) !== minor || BigInt(match[4]!) !== BigInt(stats.ino)) continue;
    const pid = match[1]!;
    if (pid === '0') return undefined;
    let name = '';
    try {
      // argv[0], not comm: Node names its main thread "node-MainThread".
      const argv0 = fromBytes(readFileSync(`/proc/${pid}/cmdline`)).split('\0')[0]!;
      name = ` (${argv0.slice(argv0.lastIndexOf('/') + 1)})`;
    } catch {
      // gone meanwhile, or not visible
    }
    return `pid ${pid}${name}`;
  }
  return undefined;
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
