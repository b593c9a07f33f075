/**
 * Issue 13's targets, each checked against the run's own figures (printed,
 * never asserted), and for each one missed what bounds it, measured in the
 * same run.
 */
import { fmt, mibOf, table } from './table.mjs';

/** A figure of `section` for `id`, or undefined when it failed, was not run or does not apply. */
const get = (r, section, id) => {
  const entry = r[section]?.[id];
  return entry && !entry.error && !entry.notApplicable ? entry : undefined;
};
const mib = (kibValue) => (kibValue === undefined ? 'n/a' : `${fmt(kibValue / 1024, 2)} MiB`);
const ms = (value, digits = 1) => `${fmt(value, digits)} ms`;
/** The largest orphan count of the run (10,000 by default). */
const mostOrphans = (o) => Math.max(...o.orphans);

/**
 * The targets: { id, target, figure, met } in issue 13's order; `met`
 * undefined when a figure is missing.
 */
export function targets(r, o) {
  const list = [];
  const add = (id, target, value, test, show) =>
    list.push({ id, target, figure: value === undefined ? 'n/a' : show(value), met: value === undefined ? undefined : test(value) });
  const both = (a, b) => (a === undefined || b === undefined ? undefined : [a, b]);

  const cold = get(r, 'resident', 'fifo-init');
  const warm = get(r, 'residentWarm', 'fifo-init');
  add(
    'vmrss',
    'VmRSS while PROGRAM runs ≤ 22 MiB, in both page-cache states',
    both(cold?.vmRss, warm?.vmRss),
    ([a, b]) => a <= 22 * 1024 && b <= 22 * 1024,
    ([a, b]) => `${mib(a)} (executable evicted first), ${mib(b)} (read sequentially first)`,
  );
  const burst = get(r, 'signals', 'fifo-init')?.memory;
  add(
    'vmrss-signals',
    `VmRSS ≤ 25 MiB after ${fmt(o.signals, 0)} signals`,
    burst?.after.vmRss,
    (v) => v <= 25 * 1024,
    (v) => `${mib(v)} right after (${mib(burst.settled.vmRss)} ${fmt(burst.settleMs / 1000, 1)} s later)`,
  );
  add('rssanon-idle', 'RssAnon ≤ 8 MiB idle', cold?.rssAnon, (v) => v <= 8 * 1024, (v) => mib(v));
  add(
    'rssanon-work',
    'RssAnon ≤ 9 MiB after work',
    burst?.after.rssAnon,
    (v) => v <= 9 * 1024,
    (v) => `${mib(v)} right after ${fmt(o.signals, 0)} signals (${mib(burst.settled.rssAnon)} ${fmt(burst.settleMs / 1000, 1)} s later)`,
  );
  add(
    'threads',
    '3 threads',
    both(cold?.threads, burst?.settled.threads),
    ([a, b]) => a <= 3 && b <= 3,
    ([a, b]) => `${a} idle, ${b} after the signals`,
  );
  const startup = both(get(r, 'startup', 'fifo-init')?.median, get(r, 'startup', 'bare')?.median);
  const startupWarm = both(get(r, 'startupWarm', 'fifo-init')?.median, get(r, 'startupWarm', 'bare')?.median);
  add(
    'startup',
    'start-up ≤ 1.0 × a bare Node SEA of the same Node',
    both(startup, startupWarm),
    ([[a, b], [c, d]]) => a <= b && c <= d,
    ([[a, b], [c, d]]) => `${ms(a)} vs ${ms(b)} = ${(a / b).toFixed(2)}× (evicted first); ${ms(c)} vs ${ms(d)} = ${(c / d).toFixed(2)}× (read first)`,
  );
  const p99 = both(get(r, 'signals', 'fifo-init')?.p99, get(r, 'signals', 'tini')?.p99);
  const lost = get(r, 'signals', 'fifo-init') ? o.signals - get(r, 'signals', 'fifo-init').signals : undefined;
  add(
    'forwarding',
    'forwarding p99 ≤ 1.5 × tini at 1000 signals/s, no signal lost',
    p99 && lost !== undefined ? [...p99, lost] : undefined,
    ([a, b, l]) => a <= 1.5 * b && l === 0,
    ([a, b, l]) => `${fmt(a, 0)} µs vs ${fmt(b, 0)} µs = ${(a / b).toFixed(2)}×, ${l} lost`,
  );
  const n = mostOrphans(o);
  const reaped = both(r.reapingByCount?.[n]?.['fifo-init']?.median, r.reapingByCount?.[n]?.tini?.median);
  add(
    'orphans',
    `${fmt(n, 0)} orphans reaped no slower than tini`,
    reaped,
    ([a, b]) => a <= b,
    ([a, b]) => `${ms(a)} vs ${ms(b)} = ${(a / b).toFixed(2)}×`,
  );
  const longIdle = r.longIdle?.['fifo-init'];
  add(
    'wakeups',
    '0 wake-ups idle',
    both(cold?.idle.voluntary, longIdle && !longIdle.error ? longIdle.wakeups : undefined),
    ([a, b]) => a === 0 && b === 0,
    ([a, b]) => `${a} in ${fmt(o.idleSeconds, 0)} s; ${b} in ${fmt(longIdle.window, 0)} s (tini: ${r.longIdle?.tini?.wakeups ?? 'n/a'})`,
  );
  const cpu = get(r, 'throughput', 'fifo-init')?.cpuMs;
  add(
    'transfer-cpu',
    'init CPU 0 during FIFO transfer',
    cpu,
    (v) => v === 0,
    (v) => `${ms(v, 0)} during ${fmt(o.throughputMiB, 0)} MiB (clock ticks of ${1000 / r.machine.clockTick} ms)`,
  );
  return list;
}

export function renderTargets(r) {
  return [
    '## Targets',
    '',
    'Issue 13\'s targets, checked against this run\'s figures; printed, never asserted (a figure is not a test).',
    '',
    table(['target', 'figure', ''], r.targets.map((t) => [t.target, t.figure, t.met === undefined ? 'not measured' : t.met ? 'met' : '**missed**'])),
    '',
  ];
}

/** What bounds each missed target, from this run's figures. */
function bounds(r, o) {
  const fifo = get(r, 'resident', 'fifo-init');
  const bare = get(r, 'resident', 'bare');
  const tini = get(r, 'resident', 'tini');
  const exePages = (e) => e.breakdown.exeText + e.breakdown.exeData;
  const floor = bare ? `the bare Node SEA, whose whole main is one \`spawnSync\`, holds ${mib(bare.rssAnon)} of anonymous memory in this run` : 'the bare Node SEA failed';
  const burst = get(r, 'signals', 'fifo-init')?.memory;
  const st = (section, id) => get(r, section, id)?.median;
  const n = mostOrphans(o);
  const reap = (id) => r.reapingByCount?.[n]?.[id];
  const late = r.throughputAfterGiveBack;
  return {
    vmrss: () =>
      fifo &&
      `**VmRSS ≤ 22 MiB.** Of fifo-init's ${mib(fifo.vmRss)} (executable evicted first): anonymous ${mib(fifo.rssAnon)} (see RssAnon: ${floor}), ` +
        `shared libraries ${mib(fifo.breakdown.libraries)} (libc, libstdc++, libm…: mapped by any dynamically linked program; tini's whole VmRSS is ${mib(tini?.vmRss)}), ` +
        `and ${mib(exePages(fifo))} of the executable's own pages still resident after the page-out (text ${mib(fifo.breakdown.exeText)}, other mappings ` +
        `${mib(fifo.breakdown.exeData)}: the writable data and RELRO, never paged out, and pages used again since; the bare SEA, which pages nothing out: ` +
        `${mib(bare && exePages(bare))}). Read sequentially first: ${mib(get(r, 'residentWarm', 'fifo-init')?.vmRss)} (the bare SEA: ` +
        `${mib(get(r, 'residentWarm', 'bare')?.vmRss)}). Node's anonymous floor and the libraries alone make ${mib(bare && fifo ? bare.rssAnon + fifo.breakdown.libraries : undefined)}.`,
    'vmrss-signals': () =>
      burst &&
      `**VmRSS ≤ 25 MiB after ${fmt(o.signals, 0)} signals.** Before the burst ${mib(burst.before.vmRss)} (RssFile ${mib(burst.before.rssFile)}), right after ${mib(burst.after.vmRss)} ` +
        `(RssFile ${mib(burst.after.rssFile)}, RssAnon ${mib(burst.after.rssAnon)}): forwarding faults the executable's pages for libuv's signal path, ` +
        `V8's interpreter (\`--jitless\`) and node:ffi back in (+${mib(burst.after.rssFile - burst.before.rssFile)} of file pages) and grows the heap ` +
        `(+${mib(burst.after.rssAnon - burst.before.rssAnon)} anonymous). ${fmt(burst.settleMs / 1000, 1)} s after the last signal the give-back has ` +
        `returned it: ${mib(burst.settled.vmRss)} (section 9).`,
    'rssanon-idle': () =>
      fifo &&
      `**RssAnon ≤ 8 MiB idle.** Bounded by Node 26 itself: ${floor}, fifo-init ${mib(fifo.rssAnon)} ` +
        `(+${mib(bare ? fifo.rssAnon - bare.rssAnon : undefined)}: its bundle, its heap objects, node:ffi's trampolines). The V8 heap, ` +
        'the isolate and its built-ins, the malloc arenas of Node\'s three threads and libuv are there before a line of init code; ' +
        'V8 flags (`--single-threaded`, `--jitless`, `--max-semi-space-size=1`, `--lite-mode`) moved the idle RssAnon by less than noise (issue 13); ' +
        '`malloc_trim(0)` runs with every give-back.',
    'rssanon-work': () => {
      if (!burst?.before.breakdown || !burst.settled.breakdown || !burst.afterBreakdown) return undefined;
      const [b0, b1, b2] = [burst.before.breakdown, burst.afterBreakdown, burst.settled.breakdown];
      const other = (b) => b.anonymous - b.heap;
      return (
        `**RssAnon ≤ 9 MiB after work.** ${mib(burst.before.rssAnon)} before the ${fmt(o.signals, 0)} signals, ${mib(burst.after.rssAnon)} right after, ` +
        `${mib(burst.settled.rssAnon)} after the quiet period, its give-back and \`malloc_trim\`. By mapping (\`/proc/INIT/smaps\`): malloc's \`[heap]\` ` +
        `${mib(b0.heap)} → ${mib(b1.heap)} → ${mib(b2.heap)}, the other anonymous mappings (V8's heap spaces, thread stacks, malloc's thread arenas) ` +
        `${mib(other(b0))} → ${mib(other(b1))} → ${mib(other(b2))}. What the burst leaves is in the second: pages V8 and the thread arenas keep for ` +
        `the next allocations, which \`malloc_trim\` does not reach; under it, Node's floor (${floor}).`
      );
    },
    threads: () => '**3 threads.** See section 2 and 9 for the threads counted.',
    startup: () => {
      const [f, b, none, t] = [st('startup', 'fifo-init'), st('startup', 'bare'), st('startup', 'none'), st('startup', 'tini')];
      const split = r.startupSplit && !r.startupSplit.error ? r.startupSplit : undefined;
      if ([f, b, none, t].some((x) => x === undefined) || !split?.['fifo-init'] || !split.bare) return undefined;
      const [fs, bs] = [split['fifo-init'], split.bare];
      return (
        `**Start-up ≤ 1.0 × a bare Node SEA.** The bare SEA takes ${ms(b)} (unshare alone ${ms(none)}, tini ${ms(t)}): Node's own start, about ` +
        `${ms(b - t)} more than a C init's, is the floor of any Node init. fifo-init takes ${ms(f)}, ${ms(f - b)} more. Section 1's split ` +
        `places it: PROGRAM starts ${ms(fs.toProgram - bs.toProgram, 2)} later under fifo-init than under the bare SEA (${ms(fs.toProgram, 2)} vs ${ms(bs.toProgram, 2)}: ` +
        'fifo-init\'s bundle evaluated, the Node-environment hygiene of `src/node-env.ts`, argv and environ read from /proc, the signal ' +
        'watchers and the libc functions declared through node:ffi, the FIFO checks, the subreaper, `posix_spawn`), and its exit comes ' +
        `${ms(Math.abs(fs.after - bs.after), 2)} ${fs.after >= bs.after ? 'later' : 'sooner'} after PROGRAM's (${ms(fs.after, 2)} vs ${ms(bs.after, 2)}: the reaping through the SIGCHLD watcher, the exit). ` +
        'The bare SEA\'s one `spawnSync` is the least a Node program can do; fifo-init\'s work before the spawn is what it adds.'
      );
    },
    forwarding: () => {
      const [f, t, d, di, c] = ['fifo-init', 'tini', 'direct', 'dumb-init', 'catatonit'].map((id) => get(r, 'signals', id));
      return (
        f && t &&
        `**Forwarding p99 ≤ 1.5 × tini.** p99 ${fmt(f.p99, 0)} µs against tini's ${fmt(t.p99, 0)} µs, dumb-init's ${fmt(di?.p99, 0)} and catatonit's ${fmt(c?.p99, 0)}; ` +
          `the signal sent straight to the fixture: ${fmt(d?.p99, 0)} µs. A p99 of ${fmt(f.signals, 0)} samples is the ${fmt(f.signals / 100, 0)} slowest, set by the scheduler on this ` +
          `shared 2-CPU machine (load average ${r.loadStart} → ${r.loadEnd}), and it moves by 2–3× between C inits within one run. What fifo-init adds to every ` +
          `signal shows in the p50: ${fmt(f.p50, 0)} µs against tini's ${fmt(t.p50, 0)} (+${fmt(f.p50 - t.p50, 0)} µs): libuv's signal pipe, the event loop, ` +
          'the node:ffi callback into the JavaScript handler and `process.kill()`, where tini returns from `sigtimedwait` and calls `kill()`. No signal was lost.'
      );
    },
    orphans: () => {
      const [f, t] = [reap('fifo-init'), reap('tini')];
      if (!f || f.error || !t || t.error || f.cpuMs === undefined) return undefined;
      return (
        `**${fmt(n, 0)} orphans no slower than tini.** ${ms(f.median)} against ${ms(t.median)} (+${ms(f.median - t.median)}). ` +
        `Over the same window fifo-init spent ${ms(f.cpuMs)} of CPU (${fmt((f.cpuMs * 1000) / n, 1)} µs per orphan) in ${fmt(f.wakeups, 0)} wake-ups, ` +
        `tini ${ms(t.cpuMs)} (${fmt((t.cpuMs * 1000) / n, 1)} µs per orphan) in ${fmt(t.wakeups, 0)} (section 5): each of fifo-init's wake-ups runs ` +
        'JavaScript — libuv\'s signal pipe, the SIGCHLD callback, then a `waitpid(-1, WNOHANG)` loop whose every call crosses node:ffi — where ' +
        'tini\'s is a C loop around `sigtimedwait`. The orphans exit on the same 2 CPUs, so the extra ' +
        `${ms(f.cpuMs - t.cpuMs)} of the init's CPU is time their exits wait for. The other ${ms(f.median - t.median - (f.cpuMs - t.cpuMs))} of the gap is not ` +
        `the init's CPU: its ${fmt(f.wakeups, 0)} wake-ups (over its 3 threads) against tini's ${fmt(t.wakeups, 0)} say it reaps in many small passes, each ` +
        'waiting for libuv to read the signal pipe and run the callback, so the last zombies wait longer for theirs.'
      );
    },
    wakeups: () => '**0 wake-ups idle.** See sections 3 and 13 for the wake-ups counted.',
    'transfer-cpu': () => {
      const f = get(r, 'throughput', 'fifo-init');
      if (!f) return undefined;
      return (
        `**Init CPU 0 during the FIFO transfer.** fifo-init's FIFO path costs it nothing: PROGRAM reads the FIFO itself. The ${ms(f.cpuMs, 0)} ` +
        `(${ms(f.cpuNsMs)} from schedstat) are its first give-back of memory, 0.5 s after the spawn — reading \`/proc/self/maps\`, ` +
        '`madvise(MADV_PAGEOUT)` over the executable\'s mappings, `malloc_trim` — which falls into the transfer because the writer starts ' +
        `as soon as PROGRAM runs: in the first second after PROGRAM started, with no transfer, fifo-init used ${ms(fifo?.settleCpuMs)} of CPU ` +
        `(tini ${ms(get(r, 'resident', 'tini')?.settleCpuMs, 2)}; section 2's run), and with the writer started ${fmt((late?.delayMs ?? 0) / 1000, 0)} s after PROGRAM ` +
        `the same transfer cost it ${late && !late.error ? `${ms(late.cpuMs, 0)} (${ms(late.cpuNsMs, 2)} from schedstat)` : 'n/a'} (section 6). ` +
        'That is the price, once after the spawn and once after each burst of work, of the ~20 MiB it returns.'
      );
    },
  };
}

export function renderMissed(r, o) {
  const explain = bounds(r, o);
  const missed = r.targets.filter((t) => t.met === false);
  const out = ['## Where a target is missed, and what bounds it', ''];
  if (!missed.length) return [...out, 'Every target was met in this run.', ''];
  out.push('Each from this run\'s own figures.', '');
  for (const t of missed) out.push(`- ${explain[t.id]?.() ?? `**${t.target}**: a figure it needs is missing (see "Failures").`}`);
  out.push('');
  return out;
}

/** Differences within this run: what Node costs, and what fifo-init adds to it. */
export function renderNodeShare(r) {
  const diff = (a, b, digits, unit) => {
    if (typeof a !== 'number' || typeof b !== 'number' || Number.isNaN(a) || Number.isNaN(b)) return 'n/a';
    const size = fmt(Math.abs(a - b), digits);
    return `${Number(size.replace(/,/g, '')) === 0 ? '±' : a > b ? '+' : '−'}${size} ${unit}`;
  };
  const pick = (section, id, key) => {
    const e = r[section]?.[id];
    return e && !e.error ? (typeof key === 'function' ? key(e) : e[key]) : undefined;
  };
  const exe = (e) => e.breakdown.exeText + e.breakdown.exeData;
  const startupRow = (label, section) => [
    label,
    diff(pick(section, 'bare', 'median'), pick(section, 'none', 'median'), 1, 'ms'),
    diff(pick(section, 'fifo-init', 'median'), pick(section, 'bare', 'median'), 1, 'ms'),
    diff(pick(section, 'fifo-init', 'median'), pick(section, 'none', 'median'), 1, 'ms'),
  ];
  const memoryRow = (label, key) => [
    label,
    `${mibOf(pick('resident', 'bare', key) ?? Number.NaN)} MiB`,
    diff(pick('resident', 'fifo-init', (e) => (typeof key === 'function' ? key(e) : e[key]) / 1024), pick('resident', 'bare', (e) => (typeof key === 'function' ? key(e) : e[key]) / 1024), 2, 'MiB'),
    '',
  ];
  return [
    '## What fifo-init adds to Node, and to no init',
    '',
    'Differences within this run. The bare Node SEA is the same stripped Node 26 with a one-line main, so ' +
      '"fifo-init − bare SEA" is what fifo-init\'s own code costs; "bare SEA − unshare alone" is what starting Node costs.',
    '',
    table(
      ['figure', 'Node itself: the bare SEA (start-up: minus unshare alone)', 'fifo-init − bare SEA (fifo-init\'s code)', 'fifo-init − no init'],
      [
        startupRow('start-up median, evicted', 'startup'),
        startupRow('start-up median, read first', 'startupWarm'),
        memoryRow('RssAnon', 'rssAnon'),
        memoryRow('executable pages resident, evicted', exe),
        memoryRow('VmRSS, evicted', 'vmRss'),
        ['signal forwarding p50 (no init: the signal sent to PROGRAM directly)', '', '', diff(pick('signals', 'fifo-init', 'p50'), pick('signals', 'direct', 'p50'), 0, 'µs')],
        ['signal forwarding p99', '', '', diff(pick('signals', 'fifo-init', 'p99'), pick('signals', 'direct', 'p99'), 0, 'µs')],
      ],
    ),
    '',
  ];
}
