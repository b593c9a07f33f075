/**
 * Runs an init implementation for real: as PID 1 of a new PID namespace
 * (`unshare --pid --fork --mount-proc`), or as an ordinary process (then a
 * subreaper) under a non-reaping PID 1 of its own namespace. Every run is
 * bounded in time and killed with its whole namespace afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, constants as fsc, existsSync, linkSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * The 0755 directory runnableByAnyone links and copies into: one per vitest
 * run, made and removed by test/behaviour/anyone-global.ts (a worker's own
 * exit handlers do not run when the pool ends it); else one per process.
 */
function anyoneDir(): string {
  const shared = process.env.FIFO_INIT_ANYONE_DIR;
  if (shared && existsSync(shared)) return shared;
  const dir = mkdtempSync(join(tmpdir(), 'fifo-init-anyone-'));
  chmodSync(dir, 0o755);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  process.env.FIFO_INIT_ANYONE_DIR = dir;
  return dir;
}

/**
 * `path` itself when every uid may run it, else the same bytes in a 0755
 * directory (a hard link when the file is already o+rx, a copy otherwise).
 * Some cases drop to another uid, and a checkout can sit below a directory
 * only root may enter (mktemp -d makes 0700, /root is 0700). `copy` forces a
 * copy, for a file whose mode the caller then sets.
 */
export function runnableByAnyone(path: string, options: { copy?: boolean } = {}): string {
  if (!existsSync(path)) return path; // not built yet: the test that needs it says so
  const everyone = (p: string, bits: number) => (statSync(p).mode & bits) === bits;
  const fileOk = everyone(path, 0o005) && !options.copy;
  let reachable = fileOk;
  for (let dir = dirname(path); reachable && dir !== dirname(dir); dir = dirname(dir)) reachable = everyone(dir, 0o001);
  if (reachable) return path;
  // One name per file version, so the workers of a run share one link or copy.
  const { size, mtimeMs } = statSync(path);
  const key = createHash('sha256').update(`${path}\0${size}\0${mtimeMs}\0${fileOk}`).digest('hex').slice(0, 16);
  const target = join(anyoneDir(), `${key}-${basename(path)}`);
  if (existsSync(target)) return target;
  const partial = `${target}.${process.pid}`;
  try {
    if (!fileOk) throw new Error('a copy, whose mode can be set');
    linkSync(path, partial);
  } catch {
    copyFileSync(path, partial);
    chmodSync(partial, 0o755);
  }
  renameSync(partial, target); // whole or not at all, for a worker that looks at the same moment
  return target;
}

/**
 * The executable under test, runnable by every uid; FIFO_INIT_TEST_EXE points the suite at another
 * build (e.g. an old one, to see a new test fail there).
 */
export const EXE = runnableByAnyone(process.env.FIFO_INIT_TEST_EXE ?? join(ROOT, 'dist', 'fifo-init'));
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** The dist/ under test (images, release files); FIFO_INIT_TEST_DIST points the tests at another build (a mutant's). */
export const DIST = process.env.FIFO_INIT_TEST_DIST ?? join(ROOT, 'dist');

/** One implementation of the contract, and the cases it cannot run (with the reason printed). */
export interface Implementation {
  name: string;
  /** argv prefix that starts it; the case's arguments follow. */
  command: string[];
  /** case id -> why this implementation skips it. */
  skips: Readonly<Record<string, string>>;
}

export interface RunOptions {
  /** true (default): PID 1 of a new PID namespace; false: a subreaper under a non-reaping PID 1. */
  pid1?: boolean;
  env?: Record<string, string | undefined>;
  /** Kill everything after this long (default 20 s). */
  timeoutMs?: number;
  /**
   * Not PID 1: the script dash runs as the namespace's PID 1 ("$@" is the
   * init's command line) and how many process levels below unshare the init
   * is. Default: NON_REAPING_PID1 (depth 2).
   */
  wrapper?: { script: string; depth: number };
  /** Words before the init's command inside the namespace, e.g. setpriv to drop root. */
  prefix?: string[];
  /** Extra descriptors to pass: child fd number -> our descriptor. */
  extraFds?: Record<number, number>;
  /** The init's stdin: /dev/null (default) or a pipe the test writes (run.child.stdin). */
  stdin?: 'ignore' | 'pipe';
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Running {
  child: ChildProcess;
  /** The init's pid as the host sees it. */
  initPid(): Promise<number>;
  /** Sends a signal to the init. */
  signal(signal: NodeJS.Signals | number): Promise<void>;
  output(): { stdout: string; stderr: string };
  done: Promise<Finished>;
  /** Kills the whole namespace (idempotent). */
  kill(): void;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Polls until `check` returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * PID 1 for the not-PID-1 runs: waits for its one child (the init) with
 * waitpid(pid) and never reaps anything else, so an orphan that reaches it
 * (because the init failed to be a subreaper) stays a zombie and is seen.
 * (dash would not do: its wait() reaps any child and would hide the bug.)
 */
const NON_REAPING_PID1 = [
  'perl',
  '-e',
  'my $pid = fork() // die "fork: $!"; if (!$pid) { exec { $ARGV[0] } @ARGV or exit 127 } ' +
    'waitpid($pid, 0); exit(($? & 127) ? 128 + ($? & 127) : $? >> 8);',
];

/**
 * Starts `implementation command + args`. As PID 1: unshare -> init.
 * Not PID 1: unshare -> perl (PID 1, NON_REAPING_PID1) -> init, or a given
 * dash wrapper.
 */
export function startInit(implementation: Implementation, args: string[], options: RunOptions = {}): Running {
  const pid1 = options.pid1 ?? true;
  const command = [...(options.prefix ?? []), ...implementation.command, ...args];
  const wrapper = options.wrapper;
  const parent = wrapper ? ['dash', '-c', wrapper.script, 'pid1'] : NON_REAPING_PID1;
  const argv = ['--pid', '--fork', '--mount-proc', '--kill-child', ...(pid1 ? [] : parent), ...command];
  const stdio: ('ignore' | 'pipe' | number)[] = [options.stdin ?? 'ignore', 'pipe', 'pipe'];
  for (const [target, source] of Object.entries(options.extraFds ?? {})) {
    while (stdio.length <= Number(target)) stdio.push('ignore');
    stdio[Number(target)] = source;
  }
  const child = spawn('unshare', argv, {
    stdio,
    env: options.env ? { ...process.env, ...options.env } : process.env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  let timedOut = false;
  const kill = () => {
    try {
      child.kill('SIGKILL'); // --kill-child takes the namespace's PID 1, and with it everything.
    } catch {
      // gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs ?? 20_000);
  const done = new Promise<Finished>((resolveDone) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveDone({ code, signal, stdout, stderr, timedOut });
    });
  });
  const initPid = async () =>
    waitFor('the init to start', () => {
      let pid: number | undefined = child.pid!;
      for (let level = 0; level < (pid1 ? 1 : (wrapper?.depth ?? 2)) && pid !== undefined; level++) pid = childrenOf(pid)[0];
      return pid;
    });
  return {
    child,
    initPid,
    signal: async (signal) => {
      process.kill(await initPid(), signal);
    },
    output: () => ({ stdout, stderr }),
    done,
    kill,
  };
}

/** Runs to completion. */
export function runInit(implementation: Implementation, args: string[], options: RunOptions = {}): Promise<Finished> {
  return startInit(implementation, args, options).done;
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fifo-init-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Writes into a FIFO without ever blocking: the open is O_NONBLOCK (ENXIO
 * while no reader exists yet, retried until the deadline), each write
 * retried on EAGAIN. Throws on timeout instead of hanging the suite.
 */
export async function writeFifo(path: string, text: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(path, fsc.O_WRONLY | fsc.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
  try {
    let buffer = Buffer.from(text);
    while (buffer.length > 0) {
      try {
        buffer = buffer.subarray(writeSync(fd, buffer));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) throw error;
        await sleep(5);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** `mkfifo -m MODE PATH` (mode exact: mkfifo -m is not masked by the umask); returns the path. */
export function makeFifo(path: string, mode = 0o600): string {
  const result = spawnSync('mkfifo', ['-m', mode.toString(8), path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mkfifo ${path}: ${result.stderr}`);
  return path;
}

/** Lines of a file, or [] when it does not exist yet. */
export function linesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
}

/** `/proc/PID/status` fields of a live process. */
export function procStatus(pid: number): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

/** Fills a FIFO's buffer with a non-blocking writer until EAGAIN; returns the bytes written. */
export function fillFifo(path: string): Buffer {
  const fd = openSync(path, fsc.O_WRONLY | fsc.O_NONBLOCK);
  const chunks: Buffer[] = [];
  try {
    for (let i = 0; ; i++) {
      const chunk = Buffer.from(`${`filler ${i} `.padEnd(1023, '.')}\n`);
      try {
        writeSync(fd, chunk);
        chunks.push(chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return Buffer.concat(chunks);
}

/** Reads whatever a FIFO holds now from an open reader, without blocking; closes it. */
export function drainFifo(fd: number): Buffer {
  const chunks: Buffer[] = [];
  try {
    for (;;) {
      const buffer = Buffer.alloc(65536);
      let n: number;
      try {
        n = readSync(fd, buffer);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw error;
      }
      if (n === 0) break;
      chunks.push(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return Buffer.concat(chunks);
}

/** A command run under a pseudo-terminal (`script`), as `docker run -it` gives one. */
export interface UnderTerminal {
  /** Everything the terminal showed so far. */
  output(): string;
  /** Types on the terminal (Enter is `\r`, Ctrl-C `\x03`). */
  type(text: string): void;
  /** The command's exit code, once it has ended. */
  closed: Promise<number | null>;
  /** Ends it (idempotent): call in `finally`. */
  kill(): void;
}

/**
 * Runs `command` under a new pseudo-terminal with util-linux `script`, killed after `timeoutMs`.
 * script(1) hands its command line to `$SHELL -c`; the line starts with `exec` so that no shell stays
 * between the terminal and `command` whatever `$SHELL` is (unset in CI, so /bin/sh: a dash that
 * stayed would take the Ctrl-C meant for `command` and end 130).
 */
export function underTerminal(command: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): UnderTerminal {
  const line = `exec ${command.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ')}`;
  const env = { ...process.env, ...options.env, SHELL: '/bin/sh' };
  const script = spawn('script', ['-qefc', line, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let output = '';
  script.stdout!.on('data', (chunk) => (output += chunk));
  const closed = new Promise<number | null>((resolve) => script.on('close', resolve));
  const timer = setTimeout(() => script.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return {
    output: () => output,
    type: (text) => script.stdin!.write(text),
    closed,
    kill: () => {
      clearTimeout(timer);
      script.kill('SIGKILL');
    },
  };
}

/** Each process holding PATH open, with the access mode of that descriptor (0 read, 1 write, 2 read/write). */
export function holdersOf(path: string): { pid: number; mode: number }[] {
  const holders: { pid: number; mode: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${entry}/fd/${fd}`) !== path) continue;
        const flags = /flags:\s*(\d+)/.exec(readFileSync(`/proc/${entry}/fdinfo/${fd}`, 'utf8'))![1]!;
        holders.push({ pid: Number(entry), mode: parseInt(flags, 8) & 3 });
      } catch {
        // gone
      }
    }
  }
  return holders;
}
