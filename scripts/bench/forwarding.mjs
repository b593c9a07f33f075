/**
 * 4, 8, 9. Signal forwarding latency: the bench kill()s the init with
 * SIGUSR1 and times until PROGRAM's handler has written a byte, at 1000 and
 * at 1 signal per second, and the init's memory around the burst.
 *
 * The timing loop runs in a worker thread (this same file) so that its
 * blocking read() can be woken by the main thread's watchdog: a 'T' byte
 * into the same FIFO.
 */
import { closeSync, constants as fsc, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { residentBreakdown, residentNow } from './proc.mjs';
import { failure, fixture, launch, makeFifo, mean, now, percentile, programOf, sleepSync, startNamespace, stop, workerFifos } from './runner.mjs';
import { fmt, mibOf, table, withTini } from './table.mjs';

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

/** The worker: waits for the fixture's 'R', then sends `count` signals, paced, one in flight. */
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

/**
 * `count` signals at `rate` per second (paced, closed loop); `init`
 * undefined: straight to the fixture (no init). With `memory`, the init's
 * VmRSS/RssAnon right after the last one and again once the init has been
 * quiet for `memory.settleMs` (fifo-init gives memory back 5 s after a burst).
 */
export async function measureSignals(init, o, tmp, { rate, count, memory } = { rate: 1000, count: o.signals }) {
  const fifo = makeFifo(tmp, `signals-${init?.id ?? 'direct'}-${rate}.fifo`);
  const fd = openSync(fifo, fsc.O_RDWR); // a reader and a writer: no open() below can block
  const program = ['perl', fixture(tmp, 'signal-fixture.pl', SIGNAL_FIXTURE), fifo];
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
      await programOf(target, 'perl', init.name);
      await sleep(o.quick ? 700 : 1_500);
      before = { ...residentNow(target), breakdown: residentBreakdown(target) };
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
      figures.memory = { before, after: residentNow(target) };
      figures.memory.afterBreakdown = residentBreakdown(target);
      await sleep(memory.settleMs);
      figures.memory.settled = { ...residentNow(target), breakdown: residentBreakdown(target) };
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

const NO_INIT = 'no init (kill the fixture directly)';

export function renderForwarding(r, o, inits) {
  const out = ['### 4. Signal forwarding latency', ''];
  out.push(
    'PROGRAM is a Perl fixture whose SIGUSR1 handler writes one byte into a FIFO the bench holds open read/write. A bench ' +
      'thread takes the time, `kill(INIT, SIGUSR1)`s, blocks in `read()` on the FIFO until the byte is there, takes the time ' +
      `again, then pauses 1 ms; ${o.signals} signals per init. The figure therefore includes the kill, the init's forwarding, ` +
      'Perl waking from `select()` and running its handler, and the bench thread waking: the "no init" row sends the signal ' +
      'straight to the fixture, so the difference is what the init adds. A lost signal would stop the run (watchdog) and show as failed.',
    '',
  );
  const signalRows = [...inits.map((init) => [init.name, r.signals?.[init.id]]), [NO_INIT, r.signals?.direct]].map(([name, e]) => {
    if (!e || e.error) return [name, `failed: ${e?.error ?? 'not run'}`, '', '', '', '', ''];
    if (e.notApplicable) return [name, e.notApplicable, '', '', '', '', ''];
    return [name, fmt(e.p50, 0), fmt(e.p90, 0), fmt(e.p99, 0), fmt(e.max, 0), fmt(e.mean, 0), String(e.signals)];
  });
  out.push(table(['init', 'p50 (µs)', 'p90 (µs)', 'p99 (µs)', 'max (µs)', 'mean (µs)', 'signals'], signalRows), '');
  return out;
}

export function renderPaced(r, o, inits) {
  const out = ['### 8. Signal forwarding at 1 and at 1000 signals per second', ''];
  out.push(
    'As section 4, at two paces: signal i is sent at start + i / rate, never before the previous one\'s byte came back ' +
      '(one signal in flight, so none can merge with another in the kernel). At 1/s the init has been quiet for a second ' +
      'before each signal (fifo-init has given its memory back before the first one: the cost of faulting it back shows here). ' +
      'Every signal sent came back: a lost one stops the run and shows as failed.',
    '',
  );
  const latencyRows = [];
  for (const [section, label] of [['signalsSlow', '1/s'], ['signals', '1000/s']]) {
    for (const [name, id] of [...inits.map((init) => [init.name, init.id]), [NO_INIT, 'direct']]) {
      const e = r[section]?.[id];
      const t = r[section]?.tini;
      if (!e || e.error) latencyRows.push([label, name, `failed: ${e?.error ?? 'not run'}`, '', '', '', '', '']);
      else if (e.notApplicable) latencyRows.push([label, name, e.notApplicable, '', '', '', '', '']);
      else latencyRows.push([label, name, fmt(e.rate, 1), withTini(e.p50, t?.p50, 0), withTini(e.p99, t?.p99, 0), fmt(e.max, 0), String(e.signals), '0']);
    }
  }
  out.push(table(['pace', 'init', 'achieved (signals/s)', 'p50 (µs)', 'p99 (µs)', 'max (µs)', 'signals', 'lost'], latencyRows), '');
  return out;
}

export function renderBurstMemory(r, o, inits) {
  const out = [`### 9. Memory around a burst of ${o.signals} signals`, ''];
  out.push(
    `From \`/proc/INIT/status\` in the 1000/s run: before the first signal, right after the last, and ${fmt((r.signals?.['fifo-init']?.memory?.settleMs ?? 0) / 1000, 1)} s later ` +
      '(fifo-init gives memory back 5 s after the last wake-up of a burst). Right after the last signal, `/proc/INIT/smaps` splits ' +
      'the anonymous memory into malloc\'s `[heap]` and the other anonymous mappings (V8\'s heap spaces, thread stacks and arenas).',
    '',
  );
  const mem3 = (m) => `${mibOf(m.vmRss)} / ${mibOf(m.rssAnon)}`;
  out.push(
    table(
      ['init', 'before: VmRSS / RssAnon (MiB)', 'right after', 'of which RssFile / `[heap]` / other anonymous (MiB)', 'after the quiet period', 'threads'],
      inits.map((init) => {
        const e = r.signals?.[init.id];
        if (!e || e.error) return [init.name, `failed: ${e?.error ?? 'not run'}`, '', '', '', ''];
        if (e.notApplicable || !e.memory) return [init.name, e.notApplicable ?? 'n/a', '', '', '', ''];
        const b = e.memory.afterBreakdown;
        const split = b ? `${mibOf(e.memory.after.rssFile)} / ${mibOf(b.heap)} / ${mibOf(b.anonymous - b.heap)}` : 'n/a';
        return [init.name, mem3(e.memory.before), mem3(e.memory.after), split, mem3(e.memory.settled), String(e.memory.settled.threads)];
      }),
    ),
    '',
  );
  return out;
}

if (!isMainThread && workerData?.target !== undefined) signalWorker();
