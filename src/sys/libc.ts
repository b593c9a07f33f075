/**
 * The only module that touches `node:ffi`: libc signatures declared once, and
 * typed wrappers that read errno right after each call and throw a SysError
 * naming the call. Everything else in fifo-init calls these wrappers.
 *
 * See: PLATFORM.md "node:ffi" (signature keys are `arguments`/`return` in 26.10).
 */
import * as ffi from 'node:ffi';
import { cString } from '../bytes.js';
import { SysError } from '../errors.js';

const SIGNATURES = {
  __errno_location: { arguments: [], return: 'pointer' },
  waitpid: { arguments: ['i32', 'pointer', 'i32'], return: 'i32' },
  prctl: { arguments: ['i32', 'u64', 'u64', 'u64', 'u64'], return: 'i32' },
  mkfifo: { arguments: ['pointer', 'u32'], return: 'i32' },
  // fcntl is variadic; with integer arguments only, the x86_64 and aarch64
  // Linux calling conventions pass them exactly as for a fixed signature.
  fcntl: { arguments: ['i32', 'i32', 'i32'], return: 'i32' },
  dup2: { arguments: ['i32', 'i32'], return: 'i32' },
  signal: { arguments: ['i32', 'pointer'], return: 'pointer' },
  sigprocmask: { arguments: ['i32', 'pointer', 'pointer'], return: 'i32' },
  sigemptyset: { arguments: ['pointer'], return: 'i32' },
  sigfillset: { arguments: ['pointer'], return: 'i32' },
  getpgrp: { arguments: [], return: 'i32' },
  tcgetpgrp: { arguments: ['i32'], return: 'i32' },
  tcsetpgrp: { arguments: ['i32', 'i32'], return: 'i32' },
  isatty: { arguments: ['i32'], return: 'i32' },
  strerror: { arguments: ['i32'], return: 'pointer' },
  posix_spawnp: {
    arguments: ['pointer', 'pointer', 'pointer', 'pointer', 'pointer', 'pointer'],
    return: 'i32',
  },
  posix_spawn_file_actions_init: { arguments: ['pointer'], return: 'i32' },
  posix_spawn_file_actions_destroy: { arguments: ['pointer'], return: 'i32' },
  posix_spawn_file_actions_adddup2: { arguments: ['pointer', 'i32', 'i32'], return: 'i32' },
  posix_spawnattr_init: { arguments: ['pointer'], return: 'i32' },
  posix_spawnattr_destroy: { arguments: ['pointer'], return: 'i32' },
  posix_spawnattr_setflags: { arguments: ['pointer', 'i16'], return: 'i32' },
  posix_spawnattr_setpgroup: { arguments: ['pointer', 'i32'], return: 'i32' },
  posix_spawnattr_setsigdefault: { arguments: ['pointer', 'pointer'], return: 'i32' },
  posix_spawnattr_setsigmask: { arguments: ['pointer', 'pointer'], return: 'i32' },
  posix_spawn: {
    arguments: ['pointer', 'pointer', 'pointer', 'pointer', 'pointer', 'pointer'],
    return: 'i32',
  },
  execve: { arguments: ['pointer', 'pointer', 'pointer'], return: 'i32' },
  // ptrace is variadic; integer arguments only, passed as for a fixed signature (as fcntl).
  ptrace: { arguments: ['i32', 'i32', 'u64', 'u64'], return: 'i64' },
  sigtimedwait: { arguments: ['pointer', 'pointer', 'pointer'], return: 'i32' },
  getrlimit: { arguments: ['i32', 'pointer'], return: 'i32' },
  setrlimit: { arguments: ['i32', 'pointer'], return: 'i32' },
  _exit: { arguments: ['i32'], return: 'void' },
  // libuv's public signal API, exported by the node binary (PLATFORM.md "Signals in Node 26").
  uv_signal_init: { arguments: ['pointer', 'pointer'], return: 'i32' },
  uv_signal_start: { arguments: ['pointer', 'pointer', 'i32'], return: 'i32' },
  // Giving memory back (src/memory.ts). Addresses as u64: they come from /proc/self/maps, not from a Buffer.
  madvise: { arguments: ['u64', 'u64', 'i32'], return: 'i32' },
  malloc_trim: { arguments: ['u64'], return: 'i32' },
  flock: { arguments: ['i32', 'i32'], return: 'i32' },
} as const;

type Functions = ffi.WrappedFunctionsFromDefinitions<typeof SIGNATURES>;

/**
 * Each function is declared on its first call, not all at start-up: node:ffi
 * builds a native trampoline per declaration, and placing each one costs the
 * process a run of failing mmap(MAP_FIXED_NOREPLACE) probes, about 35 each
 * (`fifo-init -- /bin/true`: 1,344 failing mmap calls with all declared at
 * once, 864 now; strace -c). A run uses about two thirds of them (no --exec,
 * no ptrace, no terminal, no FIFO lock without --fifo).
 * See: docs/BENCHMARKS.md "Start-up waste".
 */
function declareLazily(lib: ffi.DynamicLibrary): Functions {
  const functions = {} as Functions;
  for (const name of Object.keys(SIGNATURES) as (keyof typeof SIGNATURES)[]) {
    Object.defineProperty(functions, name, {
      configurable: true,
      get() {
        const wrapped = lib.getFunction(name, SIGNATURES[name]);
        Object.defineProperty(functions, name, { value: wrapped });
        return wrapped;
      },
    });
  }
  return functions;
}

const lib = ffi.dlopen(null);
const c = declareLazily(lib.lib);
// Declared now, not lazily: a declaration's failed mmap probes set errno
// (EEXIST), so declaring it between a failed call and errno() would replace
// the call's errno (waitpid's ECHILD read as EEXIST).
void c.__errno_location;

/**
 * glibc >= 2.35 makes the child call tcsetpgrp() between fork and exec, so
 * PROGRAM is the terminal's foreground group before it runs a single
 * instruction (tini does the same in its child). Optional: older libcs lack it.
 * See: posix_spawn_file_actions_addtcsetpgrp_np(3).
 */
const ADDTCSETPGRP = 'posix_spawn_file_actions_addtcsetpgrp_np';
const hasAddtcsetpgrp = ((): boolean => {
  try {
    return lib.lib.getSymbol(ADDTCSETPGRP) !== 0n; // resolving the address declares nothing
  } catch {
    return false;
  }
})();
let addtcsetpgrpFunction: ((fa: Buffer, fd: number) => number) | undefined;
function addtcsetpgrp(fa: Buffer, fd: number): number {
  addtcsetpgrpFunction ??= lib.lib.getFunction(ADDTCSETPGRP, { arguments: ['pointer', 'i32'], return: 'i32' }) as (fa: Buffer, fd: number) => number;
  return addtcsetpgrpFunction(fa, fd);
}

function errno(): number {
  return ffi.getInt32(c.__errno_location() as bigint, 0);
}

/** strerror(3): "No such file or directory". */
function describe(errnoValue: number): string {
  return ffi.toString(c.strerror(errnoValue) as bigint) ?? `errno ${errnoValue}`;
}

function sysError(call: string, errnoValue: number): SysError {
  return new SysError(call, errnoValue, describe(errnoValue));
}

/** Calls that return -1 and set errno. */
function check(call: string, result: number): number {
  if (result === -1) throw sysError(call, errno());
  return result;
}

/** posix_spawn* calls return the error number itself. */
function checkReturned(call: string, result: number): void {
  if (result !== 0) throw sysError(call, result);
}

export const WNOHANG = 1;
const PR_SET_PDEATHSIG = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000;
const F_SETPIPE_SZ = 1031;
const F_GETPIPE_SZ = 1032;
const SIG_SETMASK = 2;
const SIG_DFL = 0n;
const SIG_IGN = 1n;
const SIG_ERR = 0xffffffffffffffffn;

/** Reaps one child; returns [pid, wait status], or [0, 0] when none is ready (WNOHANG). */
export function waitpid(pid: number, options: number): [number, number] {
  const status = Buffer.alloc(4);
  const got = check('waitpid', c.waitpid(pid, status, options) as number);
  return [got, status.readInt32LE(0)];
}

export function setChildSubreaper(): void {
  check('prctl(PR_SET_CHILD_SUBREAPER)', c.prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) as number);
}

export function setParentDeathSignal(signal: number): void {
  check('prctl(PR_SET_PDEATHSIG)', c.prctl(PR_SET_PDEATHSIG, BigInt(signal), 0n, 0n, 0n) as number);
}

export function mkfifo(path: string, mode: number): void {
  check(`mkfifo(${path})`, c.mkfifo(cString(path), mode) as number);
}

/** Sets or clears FD_CLOEXEC on one descriptor. */
export function setCloseOnExec(fd: number, on: boolean): void {
  const flags = check('fcntl(F_GETFD)', c.fcntl(fd, F_GETFD, 0) as number);
  const next = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
  if (next !== flags) check('fcntl(F_SETFD)', c.fcntl(fd, F_SETFD, next) as number);
}

/** Sets or clears O_NONBLOCK (shared by every descriptor of the open file description). */
export function setNonBlocking(fd: number, on: boolean): void {
  const flags = check('fcntl(F_GETFL)', c.fcntl(fd, F_GETFL, 0) as number);
  const next = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
  if (next !== flags) check('fcntl(F_SETFL)', c.fcntl(fd, F_SETFL, next) as number);
}

const O_ACCMODE = 3;
const O_WRONLY_MODE = 1;

/** True when fd is open for reading (O_RDONLY or O_RDWR). */
export function isReadable(fd: number): boolean {
  const flags = c.fcntl(fd, F_GETFL, 0) as number;
  return flags !== -1 && (flags & O_ACCMODE) !== O_WRONLY_MODE;
}

/** F_SETPIPE_SZ; returns the size the kernel actually set (it rounds up to pages). */
export function setPipeSize(fd: number, bytes: number): number {
  return check('fcntl(F_SETPIPE_SZ)', c.fcntl(fd, F_SETPIPE_SZ, bytes) as number);
}

export function getPipeSize(fd: number): number {
  return check('fcntl(F_GETPIPE_SZ)', c.fcntl(fd, F_GETPIPE_SZ, 0) as number);
}

export function dup2(from: number, to: number): void {
  check('dup2', c.dup2(from, to) as number);
}

function setDisposition(signal: number, handler: bigint): void {
  const previous = c.signal(signal, handler) as bigint;
  if (previous === SIG_ERR) throw sysError(`signal(${signal})`, errno());
}

/** SIG_IGN for one signal (used for SIGTTIN/SIGTTOU, as tini). */
export function ignoreSignal(signal: number): void {
  setDisposition(signal, SIG_IGN);
}

/**
 * Puts every signal's disposition back to SIG_DFL and empties the signal mask,
 * for `--exec`: execve keeps SIG_IGN (Node ignores SIGPIPE) and the mask.
 * Signals glibc reserves for itself (32, 33) refuse with EINVAL and are skipped.
 */
export function resetAllSignals(lastSignal: number): void {
  for (let signal = 1; signal <= lastSignal; signal++) {
    if (signal === 9 || signal === 19) continue; // SIGKILL, SIGSTOP: cannot be changed
    c.signal(signal, SIG_DFL);
  }
  const empty = Buffer.alloc(128);
  c.sigemptyset(empty);
  check('sigprocmask', c.sigprocmask(SIG_SETMASK, empty, 0n) as number);
}

const SIG_UNBLOCK = 1;

/**
 * sigaddset by hand: glibc's refuses its reserved signals (32, 33), and the
 * Linux sigset_t is a plain bit array (bit N-1 for signal N, little-endian words).
 */
function addToSignalSet(set: Buffer, signal: number): void {
  set[(signal - 1) >> 3]! |= 1 << ((signal - 1) & 7);
}

/**
 * Unblocks one signal in the calling (main) thread. With --disable-sigusr1
 * Node still starts every thread with SIGUSR1 blocked, so without this a
 * SIGUSR1 for PROGRAM would never reach our handler. Other threads keep it
 * blocked, so the kernel delivers it to the main thread, where libuv waits.
 */
export function unblockSignal(signal: number): void {
  const set = Buffer.alloc(128);
  c.sigemptyset(set);
  addToSignalSet(set, signal);
  check('sigprocmask(SIG_UNBLOCK)', c.sigprocmask(SIG_UNBLOCK, set, 0n) as number);
}

export function isatty(fd: number): boolean {
  return (c.isatty(fd) as number) === 1;
}

/** The terminal's foreground process group, or -1 when fd is not our terminal. */
export function tcgetpgrp(fd: number): number {
  return c.tcgetpgrp(fd) as number;
}

/** Makes process group `pgrp` the terminal's foreground group (SIGTTOU must be ignored). */
export function tcsetpgrp(fd: number, pgrp: number): void {
  check('tcsetpgrp', c.tcsetpgrp(fd, pgrp) as number);
}

export function getpgrp(): number {
  return c.getpgrp() as number;
}

/** What `spawn` needs: the program, its argv, and the plumbing for the child. */
export interface SpawnRequest {
  /** argv[0] is looked up in PATH as execvp(3) does. */
  argv: readonly string[];
  /** Descriptor to become the child's fd 0, or undefined to inherit fd 0. */
  stdinFd?: number | undefined;
  /** A descriptor on our terminal, when PROGRAM should become its foreground group. */
  foregroundTtyFd?: number | undefined;
  /** The environment, `NAME=value` byte strings (see bytes.ts). */
  environ: readonly string[];
  /** argv[0] is a path to run as it is (posix_spawn), not a name to look up in PATH. */
  exactPath?: boolean;
}

const POSIX_SPAWN_SETPGROUP = 0x02;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;

/** NUL-terminated strings and the `char *[]` pointing at them; keep the result referenced while C uses it. */
function cStringArray(values: readonly string[]): { array: Buffer; keep: Buffer[] } {
  const keep = values.map(cString);
  const array = Buffer.alloc((keep.length + 1) * 8);
  keep.forEach((buffer, i) => array.writeBigUInt64LE(ffi.getRawPointer(buffer), i * 8));
  return { array, keep };
}

/**
 * posix_spawnp with: PROGRAM in its own process group, every signal at its
 * default disposition, an empty mask, the environment given (the bytes we
 * were started with, so NODE_OPTIONS and any oddity pass through untouched),
 * optional fd 0 and optional terminal foreground. Returns the child's pid.
 * Throws SysError whose errno is the exec failure (ENOENT, EACCES, ...).
 */
export function spawn(request: SpawnRequest): number {
  const fileActions = Buffer.alloc(256);
  const attributes = Buffer.alloc(512);
  const allSignals = Buffer.alloc(128);
  const noSignals = Buffer.alloc(128);
  const pid = Buffer.alloc(4);
  const argv = cStringArray(request.argv);
  checkReturned('posix_spawn_file_actions_init', c.posix_spawn_file_actions_init(fileActions) as number);
  checkReturned('posix_spawnattr_init', c.posix_spawnattr_init(attributes) as number);
  try {
    // The terminal action runs first: it needs the terminal on its own fd,
    // before fd 0 may be replaced by the FIFO.
    if (request.foregroundTtyFd !== undefined && hasAddtcsetpgrp) {
      checkReturned('posix_spawn_file_actions_addtcsetpgrp_np', addtcsetpgrp(fileActions, request.foregroundTtyFd));
    }
    if (request.stdinFd !== undefined) {
      checkReturned(
        'posix_spawn_file_actions_adddup2',
        c.posix_spawn_file_actions_adddup2(fileActions, request.stdinFd, 0) as number,
      );
    }
    c.sigfillset(allSignals);
    // sigfillset leaves out the two real-time signals glibc keeps for itself
    // (32, 33), and its spawn helper then sets them to SIG_IGN, which exec
    // would pass on to PROGRAM. Set their bits by hand so PROGRAM gets SIG_DFL.
    // See: glibc sysdeps/unix/sysv/linux/spawni.c, signal(7) "Real-time signals".
    for (const signal of [32, 33]) addToSignalSet(allSignals, signal);
    c.sigemptyset(noSignals);
    checkReturned(
      'posix_spawnattr_setflags',
      c.posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) as number,
    );
    checkReturned('posix_spawnattr_setpgroup', c.posix_spawnattr_setpgroup(attributes, 0) as number);
    checkReturned('posix_spawnattr_setsigdefault', c.posix_spawnattr_setsigdefault(attributes, allSignals) as number);
    checkReturned('posix_spawnattr_setsigmask', c.posix_spawnattr_setsigmask(attributes, noSignals) as number);
    const envp = cStringArray(request.environ);
    const spawnCall = request.exactPath ? c.posix_spawn : c.posix_spawnp;
    const result = spawnCall(pid, argv.keep[0]!, fileActions, attributes, argv.array, envp.array) as number;
    void envp.keep;
    checkReturned(`exec ${request.argv[0]}`, result);
    return pid.readInt32LE(0);
  } finally {
    c.posix_spawn_file_actions_destroy(fileActions);
    c.posix_spawnattr_destroy(attributes);
    void argv.keep;
  }
}

/** True when the libc can hand the terminal to the child (glibc >= 2.35). */
export const canSetForeground = hasAddtcsetpgrp;

/**
 * execve(2) with byte-exact arguments and environment (Node's process.execve
 * takes UTF-8 strings and would rewrite invalid bytes). Returns only by throwing.
 */
export function execve(path: string, argv: readonly string[], environ: readonly string[]): never {
  const args = cStringArray(argv);
  const envp = cStringArray(environ);
  const file = cString(path);
  c.execve(file, args.array, envp.array);
  const failure = errno();
  void [args.keep, envp.keep];
  throw sysError(`exec ${path}`, failure);
}

const PTRACE_DETACH = 17;

/**
 * Lets a child that made us its tracer (PTRACE_TRACEME) go: it continues
 * untraced, with `signal` delivered (0 for none). ESRCH (gone) is not an error.
 * See: ptrace(2) "PTRACE_DETACH".
 */
export function ptraceDetach(pid: number, signal: number): void {
  const result = c.ptrace(PTRACE_DETACH, pid, 0n, BigInt(signal)) as bigint;
  if (result === -1n && errno() !== 3 /* ESRCH */) throw sysError('ptrace(PTRACE_DETACH)', errno());
}

const SIG_BLOCK = 0;
const SIGPIPE = 13;
const SIGXFSZ = 25;

/**
 * Runs a write with SIGPIPE and SIGXFSZ blocked in this thread. A write to a
 * dead pipe (EPIPE) or past RLIMIT_FSIZE (EFBIG) makes the kernel send that
 * signal to the writing thread itself; blocked, it stays pending on this
 * thread, and sigtimedwait takes it back before the mask is restored (a
 * thread's own pending signals are dequeued before the process's), so a
 * signal the init caused is never seen as one to forward. The same signal
 * sent from outside is process-directed: the kernel gives it to a thread
 * that does not block it (Node's other threads), and it is forwarded as usual.
 * See: pipe(7) (SIGPIPE on EPIPE), setrlimit(2) RLIMIT_FSIZE, signal(7).
 */
export function withoutSelfSignals<T>(write: () => T): T {
  const set = Buffer.alloc(128);
  const previous = Buffer.alloc(128);
  c.sigemptyset(set);
  addToSignalSet(set, SIGPIPE);
  addToSignalSet(set, SIGXFSZ);
  if ((c.sigprocmask(SIG_BLOCK, set, previous) as number) !== 0) return write();
  try {
    return write();
  } finally {
    // Taken back whether or not the write reported an error: Node's writeSync
    // loops over partial writes and returns the bytes written when a later
    // round fails, so a raised signal can come with no exception at all.
    const now = Buffer.alloc(16); // {0, 0}: do not wait
    for (let i = 0; i < 2 && (c.sigtimedwait(set, 0n, now) as number) > 0; i++);
    c.sigprocmask(SIG_SETMASK, previous, 0n);
  }
}

/** Handles kept referenced: libuv holds pointers into them for the life of the process. */
const signalHandles: Buffer[] = [];
let onSignalDelivered: ((signal: number) => void) | undefined;
let signalCallback: bigint | undefined;

/**
 * Catches `signal` on the main event loop with libuv's own signal watcher
 * (uv_signal_start through node:ffi): unlike process.on it takes every
 * number, real-time signals included. `deliver` runs on the main thread; it
 * must not throw (an exception thrown into a node:ffi callback aborts the
 * process), so it is wrapped here. Returns false for a signal that cannot
 * be caught (sigaction refuses it). The handle stays referenced, which also
 * keeps the loop alive without any timer.
 * See: PLATFORM.md "Signals in Node 26"; uv_signal_t in libuv's docs.
 */
export function watchSignal(signal: number, deliver: (signal: number) => void): boolean {
  onSignalDelivered = deliver;
  signalCallback ??= lib.lib.registerCallback({ arguments: ['pointer', 'i32'], return: 'void' }, (_handle: unknown, signum: unknown) => {
    try {
      onSignalDelivered?.(Number(signum));
    } catch {
      // The caller's own guard logs; nothing may escape into C.
    }
  }) as bigint;
  const handle = Buffer.alloc(512); // uv_signal_t is ~150 bytes on x86_64/aarch64
  if ((c.uv_signal_init(ffi.getCurrentEventLoop(), handle) as number) !== 0) return false;
  if ((c.uv_signal_start(handle, signalCallback, signal) as number) !== 0) return false;
  signalHandles.push(handle);
  return true;
}

const RLIMIT_NOFILE = 7;

/** [soft, hard] of RLIMIT_NOFILE (RLIM_INFINITY is 2^64-1, returned as a bigint-sized number). */
export function nofileLimit(): [number, number] {
  const limit = Buffer.alloc(16);
  check('getrlimit(RLIMIT_NOFILE)', c.getrlimit(RLIMIT_NOFILE, limit) as number);
  return [Number(limit.readBigUInt64LE(0)), Number(limit.readBigUInt64LE(8))];
}

/** Sets RLIMIT_NOFILE's soft limit, keeping the hard one. */
export function setNofileSoft(soft: number): void {
  const limit = Buffer.alloc(16);
  check('getrlimit(RLIMIT_NOFILE)', c.getrlimit(RLIMIT_NOFILE, limit) as number);
  limit.writeBigUInt64LE(BigInt(soft), 0);
  check('setrlimit(RLIMIT_NOFILE)', c.setrlimit(RLIMIT_NOFILE, limit) as number);
}

/** True when O_NONBLOCK is set on fd's open file description; undefined when fd is not open. */
export function isNonBlocking(fd: number): boolean | undefined {
  const flags = c.fcntl(fd, F_GETFL, 0) as number;
  return flags === -1 ? undefined : (flags & O_NONBLOCK) !== 0;
}

const F_DUPFD_CLOEXEC = 1030;

/** A close-on-exec copy of fd, numbered 3 or above. */
export function duplicate(fd: number): number {
  return check('fcntl(F_DUPFD_CLOEXEC)', c.fcntl(fd, F_DUPFD_CLOEXEC, 3) as number);
}

/**
 * _exit(2): ends the process now, without Node's exit path (its at-exit
 * hooks, which write NODE_V8_COVERAGE files) and without libc's atexit
 * handlers. Only for a caller that has nothing left to flush.
 */
export function exitNow(code: number): never {
  c._exit(code);
  throw new Error('_exit returned');
}

// ---------------------------------------------------------------------------
// FIFO path and send hardening: the FIFO's lock.
// ---------------------------------------------------------------------------

const LOCK_EX = 2;
const LOCK_NB = 4;

/**
 * flock(fd, LOCK_EX | LOCK_NB): true when the lock was taken, false when
 * another open file description holds it (EWOULDBLOCK). The lock belongs to
 * the open file description, so every descriptor dup-ed or inherited from
 * `fd` (PROGRAM's fd 0) keeps it until the last one is closed.
 * See: flock(2) (locks on a FIFO inode work, across bind mounts too).
 */
export function tryLockExclusive(fd: number): boolean {
  if ((c.flock(fd, LOCK_EX | LOCK_NB) as number) === 0) return true;
  const errnoValue = errno();
  if (errnoValue === 11 /* EWOULDBLOCK == EAGAIN on Linux */) return false;
  throw sysError('flock(LOCK_EX)', errnoValue);
}

// ---------------------------------------------------------------------------
// Giving memory back (src/memory.ts).
// ---------------------------------------------------------------------------

/** Reclaim these pages now (Linux >= 5.4): clean file pages are dropped, written ones are kept (or swapped). See: madvise(2). */
export const MADV_PAGEOUT = 21;

/**
 * madvise(2) over [start, end). Only advice that never loses data may be
 * passed (MADV_PAGEOUT); EINVAL (a kernel without it) is returned as false
 * rather than thrown, so the caller can stop asking.
 */
export function madvise(start: bigint, end: bigint, advice: number): boolean {
  if ((c.madvise(start, end - start, advice) as number) === 0) return true;
  const failure = errno();
  if (failure === 22 /* EINVAL */) return false;
  throw sysError('madvise', failure);
}

/**
 * malloc_trim(0): glibc gives free memory at the top of the heap and whole
 * free pages inside every arena back to the kernel. Returns whether it released any.
 * See: malloc_trim(3).
 */
export function mallocTrim(): boolean {
  return (c.malloc_trim(0n) as number) === 1;
}
