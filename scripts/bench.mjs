#!/usr/bin/env node
/**
 * Benchmarks fifo-init side by side with Debian's tini, dumb-init and
 * catatonit and with a bare Node single executable (a SEA whose whole main is
 * a spawnSync), each as the real PID 1 of a new PID namespace
 * (`unshare --pid --fork --mount-proc`), and writes docs/BENCHMARKS.md.
 *
 *   node_modules/.bin/node scripts/bench.mjs [--quick] [--out FILE] [--startups N]
 *     [--signals N] [--orphans N] [--throughput-mib N] [--idle-seconds N] [--repeats N] [--rerender]
 *
 * This file runs the measurements in order, as src/supervisor.ts runs the
 * duties: each lives in scripts/bench/<measurement>.mjs with its method and
 * its section of the report; runner.mjs starts, bounds and kills every
 * process; report.mjs writes the file; options.mjs reads the command line.
 * Figures are printed beside issue 13's targets, marked met/missed, never asserted.
 *
 * Runs everything one after the other (the machine has 2 cores), bounds every
 * wait in time, and kills every process it started (each unshare runs with
 * --kill-child and in its own process group, killed with the group).
 * Needs root (unshare), perl, hyperfine, tini, dumb-init, catatonit, zstd
 * (scripts/setup.sh installs them) and a built dist/fifo-init and
 * .build/node-x64 (build/build.mjs leaves both).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { bigInput, measureBigStartup } from './bench/environment.mjs';
import { measureExec } from './bench/exec.mjs';
import { measureSignals } from './bench/forwarding.mjs';
import { finishLongIdle, startLongIdle } from './bench/idle.mjs';
import { measureResident } from './bench/memory.mjs';
import { options } from './bench/options.mjs';
import { measureReaping } from './bench/orphans.mjs';
import { report } from './bench/report.mjs';
import { DEFAULT_OUT, WORK, commit, implementations, killAll, log, machine, prerequisites, selfVersion, setEvictPatience } from './bench/runner.mjs';
import { measureSend } from './bench/send.mjs';
import { measureSize } from './bench/size.mjs';
import { measureStartup, measureTimeToProgram } from './bench/startup.mjs';
import { targets } from './bench/targets.mjs';
import { measureAfterGiveBack, measureThroughput, throughputSetups } from './bench/throughput.mjs';

/** The raw results: beside a chosen output file, else under .build/bench/. */
const rawFile = (o) => (o.out === DEFAULT_OUT ? join(WORK, 'results.json') : `${o.out.replace(/\.md$/, '')}.json`);

/** --rerender: the report again from the raw results of the last run (after a change to its text), measuring nothing. */
function rerender(o) {
  const raw = rawFile(o);
  const saved = JSON.parse(readFileSync(raw, 'utf8'));
  const again = { ...saved.options, full: o.full, out: o.out };
  saved.targets = targets(saved, again);
  writeFileSync(o.out, report(saved, again));
  log(`wrote ${o.out} from ${raw}`);
}

/** Kills everything started on a signal, on exit, and when the whole run outlasts its bound. */
function boundTheRun(o) {
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
}

/** Every measurement, in order, into `r`; a failed one is recorded in r.errors and the run goes on. */
async function measure(r, o, inits, tmp) {
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

  log(`long idle: starting every init for ${o.longIdleSeconds} s`);
  const idle = await attempt('long idle (start)', () => startLongIdle(inits));
  r.startup = await attempt('start-up', () => measureStartup(inits, o));
  r.startupWarm = await attempt('start-up (executables read first)', () => measureStartup(inits, o, true));
  r.startupSplit = await attempt('start-up split', () => measureTimeToProgram(inits, o));
  const big = bigInput();
  r.bigStartup = big.sizes;
  r.startupBig = await attempt('start-up (large environment and argv)', () => measureBigStartup(inits, o, big));

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
    for (const n of o.orphans) {
      r.reapingByCount[n] ??= {};
      r.reapingByCount[n][init.id] = init.notInit ? notAnInit : await attempt(`reaping ${n} orphans under ${init.name}`, () => measureReaping(init, o, tmp, n));
    }
  }

  const setups = throughputSetups(inits);
  r.throughputSetups = setups.map(({ id, name }) => ({ id, name }));
  // Unpinned (the main figures), then everything on CPU 0, as in a container given one CPU.
  r.throughput = { ...(await measureThroughput(setups, o, tmp, attempt)), bare: notAnInit };
  r.throughputOneCpu = { ...(await measureThroughput(setups, o, tmp, attempt, { cpus: '0' })), bare: notAnInit };
  r.throughputAfterGiveBack = await attempt('throughput of fifo-init, writer after the give-back', () => measureAfterGiveBack(setups, o, tmp));
  // More writers at once (unpinned): does the init's path stay the no-init path?
  r.writerCounts = [16, 64];
  for (const writers of r.writerCounts) {
    r.throughputWriters[writers] = { ...(await measureThroughput(setups.filter((x) => x.kind !== 'relay'), o, tmp, attempt, { writers })), bare: notAnInit };
  }

  log(`fifo-init send: ${o.sendLines} lines from stdin, and one line per process`);
  r.send = await attempt('send', () => measureSend(o, tmp));

  log('--exec hand-over');
  r.exec = await attempt('--exec', () => measureExec(tmp));

  r.size = await attempt('size', () => measureSize(inits, o, tmp));

  if (idle && !idle.error) r.longIdle = await attempt('long idle', () => finishLongIdle(idle, o));
}

async function main() {
  const started = Date.now();
  let o;
  try {
    o = options();
    if (o.rerender) {
      rerender(o);
      process.exit(0);
    }
    prerequisites();
  } catch (error) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  boundTheRun(o);

  const m = machine();
  o.clockTick = m.clockTick;
  if (o.quick) setEvictPatience(0);
  const inits = implementations();
  const tmp = mkdtempSync(join(os.tmpdir(), 'fifo-init-bench-'));
  const r = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: commit(),
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
  try {
    await measure(r, o, inits, tmp);
  } finally {
    killAll();
    rmSync(tmp, { recursive: true, force: true });
  }

  r.seconds = (Date.now() - started) / 1000;
  r.loadEnd = os.loadavg()[0].toFixed(2);
  r.targets = targets(r, o);
  const raw = rawFile(o);
  mkdirSync(dirname(raw), { recursive: true });
  writeFileSync(raw, `${JSON.stringify(r, null, 2)}\n`);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, report(r, o));
  log(`wrote ${o.out} in ${Math.round(r.seconds)} s${r.errors.length ? ` with ${r.errors.length} failure(s)` : ''}`);
  for (const t of r.targets) log(`  ${t.met === undefined ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.figure}`);
  process.exit(r.errors.length ? 1 : 0);
}

await main();
