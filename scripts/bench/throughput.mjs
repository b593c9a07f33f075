/**
 * 6, 10. FIFO throughput: a writer pushes N MiB into the FIFO, PROGRAM
 * (`cat > /dev/null`) reads them; with 1, 16 and 64 writers, unpinned and all
 * on one CPU; and the init's CPU time meanwhile.
 */
import { closeSync, constants as fsc, openSync, unlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { childrenOf, cmdline, comm, cpuNs, cpuTicks, rchar } from './proc.mjs';
import { EXE, MiB, PROGRAM_SH, failure, fixture, launch, log, makeFifo, median, now, sleepSync, startNamespace, stop, waitFor } from './runner.mjs';
import { fmt, table, withTini } from './table.mjs';

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

/** The setups compared: fifo-init's own FIFO path, the other inits given the FIFO by the shell, no init, a relay. */
export function throughputSetups(inits) {
  return [
    { id: 'fifo-init', name: 'fifo-init --fifo', kind: 'fifo-init' },
    ...inits.filter((init) => !init.notInit && init.id !== 'fifo-init').map((init) => ({ id: init.id, name: `${init.name} <> FIFO`, kind: 'redirect', init })),
    { id: 'none', name: 'no init (cat <> FIFO)', kind: 'none' },
    { id: 'relay', name: 'relay (cat FIFO | cat)', kind: 'relay' },
  ];
}

/**
 * One transfer through `setup`; `cpus`: everything pinned there; `writers`
 * processes at once; `delayMs`: the writer starts that long after PROGRAM
 * does (0: at once, the main figures).
 */
async function throughputOnce(setup, o, tmp, cpus, writers = 1, delayMs = 0) {
  const fifo = makeFifo(tmp, `throughput-${setup.id}.fifo`);
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
    if (delayMs) await sleep(delayMs);
    const bytes = o.throughputMiB * MiB;
    const target = rchar(reader) + bytes;
    const cpu0 = cpuPid ? cpuTicks(cpuPid) : undefined;
    const ns0 = cpuPid ? cpuNs(cpuPid) : undefined;
    writer = launch('perl', [fixture(tmp, 'writer.pl', WRITER), fifo, String(o.throughputMiB), String(writers)], { stdio: ['ignore', 'pipe', 'pipe'], cpus });
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
    const ns1 = cpuPid ? cpuNs(cpuPid) : undefined;
    const exit = await Promise.race([writer.closed, sleep(10_000).then(() => undefined)]);
    if (!exit || exit.code !== 0) throw new Error(`the writer did not finish: ${writer.output.stderr.trim()}`);
    const [start] = writer.output.stdout.trim().split(/\s+/).map(Number);
    const seconds = Number(t1) / 1e9 - start;
    if (!(seconds > 0)) throw new Error(`bad timing (writer start ${start})`);
    return { seconds, mibPerSecond: o.throughputMiB / seconds, cpuMs: cpuPid ? ((cpu1 - cpu0) * 1000) / o.clockTick : undefined, cpuNsMs: cpuPid ? (ns1 - ns0) / 1e6 : undefined };
  } catch (error) {
    throw new Error(failure(children[0] ?? writer, error));
  } finally {
    if (writer) await stop(writer);
    for (const child of children) await stop(child);
    if (held !== undefined) closeSync(held);
    unlinkSync(fifo);
  }
}

/** Medians of a setup's runs. */
const summarise = (list) => ({
  runs: list,
  mibPerSecond: median(list.map((run) => run.mibPerSecond)),
  seconds: median(list.map((run) => run.seconds)),
  cpuMs: list[0].cpuMs === undefined ? undefined : median(list.map((run) => run.cpuMs)),
  cpuNsMs: list[0].cpuNsMs === undefined ? undefined : median(list.map((run) => run.cpuNsMs)),
});

/**
 * o.repeats rounds of every setup in turn (a setup that fails once is not
 * run again); `attempt` records a failure. Returns { [setup.id]: medians }.
 */
export async function measureThroughput(setups, o, tmp, attempt, { cpus, writers = 1 } = {}) {
  const runs = Object.fromEntries(setups.map((setup) => [setup.id, []]));
  const failed = {};
  const where = `${writers > 1 ? ` from ${writers} writers` : ''}${cpus === undefined ? '' : `, on CPU ${cpus}`}`;
  for (let round = 0; round < o.repeats; round++) {
    for (const setup of setups) {
      if (failed[setup.id]) continue;
      log(`FIFO throughput, ${o.throughputMiB} MiB${where}, round ${round + 1}/${o.repeats}: ${setup.name}`);
      const result = await attempt(`throughput of ${setup.name}${writers > 1 ? `, ${writers} writers` : ''}${cpus === undefined ? '' : `, on CPU ${cpus}`}`, () => throughputOnce(setup, o, tmp, cpus, writers));
      if (result.error) failed[setup.id] = result;
      else runs[setup.id].push(result);
    }
  }
  return Object.fromEntries(setups.map((setup) => [setup.id, failed[setup.id] ?? summarise(runs[setup.id])]));
}

/** How long fifo-init waits after PROGRAM starts before its first give-back of memory (src/memory.ts), with a margin. */
const AFTER_GIVE_BACK_MS = 2_000;

/** fifo-init's setup again, the writer started 2 s after PROGRAM: the init's CPU during a transfer with no give-back in it. */
export async function measureAfterGiveBack(setups, o, tmp) {
  const runs = [];
  for (let round = 0; round < o.repeats; round++) {
    log(`FIFO throughput, ${o.throughputMiB} MiB, writer ${AFTER_GIVE_BACK_MS / 1000} s after PROGRAM, round ${round + 1}/${o.repeats}: fifo-init`);
    runs.push(await throughputOnce(setups.find((setup) => setup.id === 'fifo-init'), o, tmp, undefined, 1, AFTER_GIVE_BACK_MS));
  }
  return { ...summarise(runs), delayMs: AFTER_GIVE_BACK_MS };
}

export function renderThroughput(r, o, m) {
  const out = ['### 6. FIFO throughput', ''];
  out.push(
    `A Perl writer opens the FIFO and \`write()\`s ${o.throughputMiB} MiB in 1 MiB calls; PROGRAM is \`sh -c 'exec cat > /dev/null'\`. ` +
      'The time runs from the writer\'s first write (its CLOCK_MONOTONIC after open) until PROGRAM\'s `rchar` in `/proc/CAT/io` ' +
      'has grown by the whole amount (polled every 2 ms, every 50 µs in the last 16 MiB), so it ends when PROGRAM has read ' +
      'the last byte, whatever holds the FIFO open. The init\'s CPU time is utime+stime from `/proc/INIT/stat` before and after ' +
      `(clock ticks of ${1000 / m.clockTick} ms; beside it the nanosecond figure of \`/proc/INIT/task/*/schedstat\`). Setups, run in turn, ${o.repeats} round(s), median:`,
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
        ['setup', 'MiB/s (median)', 'vs no init', 'vs relay', 'seconds (median)', 'each run (MiB/s)', 'CPU of init/relay (ms)', 'the same from schedstat (ms)'],
        (r.throughputSetups ?? []).map((setup) => {
          const e = r[section]?.[setup.id];
          if (!e || e.error) return [setup.name, `failed: ${e?.error ?? 'not run'}`, '', '', '', '', '', ''];
          if (e.notApplicable) return [setup.name, e.notApplicable, '', '', '', '', '', ''];
          return [
            setup.name,
            fmt(e.mibPerSecond, 0),
            noInit ? `${(e.mibPerSecond / noInit).toFixed(2)}×` : 'n/a',
            relay ? `${(e.mibPerSecond / relay).toFixed(2)}×` : 'n/a',
            fmt(e.seconds, 3),
            e.runs.map((run) => fmt(run.mibPerSecond, 0)).join(', '),
            e.cpuMs === undefined ? 'n/a' : fmt(e.cpuMs, 0),
            e.cpuNsMs === undefined ? 'n/a' : fmt(e.cpuNsMs, 1),
          ];
        }),
      ),
      '',
    );
  }
  const late = r.throughputAfterGiveBack;
  if (late) {
    out.push(
      `fifo-init again, the writer started ${fmt((late.delayMs ?? 0) / 1000, 0)} s after PROGRAM, once the give-back of memory that follows the spawn is over ` +
        '(unpinned; what the init spends on the transfer itself):',
      '',
      late.error
        ? `Failed: ${late.error}`
        : table(
            ['setup', 'MiB/s (median)', 'each run (MiB/s)', 'CPU of the init (ms)', 'the same from schedstat (ms)'],
            [['fifo-init --fifo, writer 2 s later', fmt(late.mibPerSecond, 0), late.runs.map((run) => fmt(run.mibPerSecond, 0)).join(', '), fmt(late.cpuMs, 0), fmt(late.cpuNsMs, 1)]],
          ),
      '',
    );
  }
  return out;
}

export function renderWriters(r, o) {
  const out = ['### 10. FIFO throughput with 1, 16 and 64 writers', ''];
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
  return out;
}
