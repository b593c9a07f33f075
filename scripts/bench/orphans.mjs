/**
 * 5. Reaping: N orphans released together; the time until none is left, and
 * what the init spent on them (CPU time and wake-ups).
 */
import { closeSync, constants as fsc, openSync, unlinkSync } from 'node:fs';
import { childrenOf, cmdline, contextSwitches, cpuNs, readText, tasksOf } from './proc.mjs';
import { failure, fixture, log, makeFifo, median, msSince, now, sleepSync, startNamespace, stop, waitFor } from './runner.mjs';
import { fmt, ratio, table } from './table.mjs';

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

/** One run: `orphans` released at once under `init`; ms until all are reaped, and the init's CPU and wake-ups meanwhile. */
async function reapOnce(init, o, tmp, orphans) {
  const fifo = makeFifo(tmp, `release-${init.id}-${orphans}.fifo`);
  let hold = openSync(fifo, fsc.O_RDWR); // the only writer: closing it releases every orphan
  const script = fixture(tmp, 'orphan-fixture.pl', ORPHAN_FIXTURE);
  let child;
  try {
    const started = await startNamespace([...init.argv, 'perl', script, String(orphans), fifo], ['ignore', 'pipe', 'pipe']);
    child = started.child;
    const { initPid } = started;
    await waitFor(`${orphans} orphans to be made`, () => child.output.stdout.includes('ready'), 30_000 + orphans * 30, 20);
    const tasks = tasksOf(initPid);
    const found = await waitFor(`${orphans} orphans under PID 1`, () => {
      const children = childrenOf(initPid, tasks);
      return children.length >= orphans + 1 && children;
    });
    const program = found.find((pid) => cmdline(pid).includes(script));
    // Only the threads that hold children need polling (orphans go to one thread of the init).
    const holders = tasks.filter((tid) => (readText(`/proc/${initPid}/task/${tid}/children`) ?? '').trim() !== '');
    sleepSync(50);
    const cpu0 = cpuNs(initPid);
    const switches0 = contextSwitches(initPid).voluntary;
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
    const cpuMs = (cpuNs(initPid) - cpu0) / 1e6;
    const wakeups = contextSwitches(initPid).voluntary - switches0;
    if (!childrenOf(initPid, tasks).includes(program)) throw new Error('PROGRAM itself is gone');
    return { ms, cpuMs, wakeups };
  } catch (error) {
    throw new Error(failure(child, error));
  } finally {
    if (hold !== undefined) closeSync(hold);
    if (child) await stop(child, 15_000);
    unlinkSync(fifo);
  }
}

/** `n` orphans under `init`, o.repeats runs (one for 10,000 or more): median time, CPU and wake-ups. */
export async function measureReaping(init, o, tmp, n) {
  const runs = [];
  const details = [];
  const repeats = n >= 10_000 ? 1 : o.repeats;
  for (let i = 0; i < repeats; i++) {
    log(`reaping ${n} orphans, run ${i + 1}/${repeats}: ${init.name}`);
    const run = await reapOnce(init, o, tmp, n);
    runs.push(run.ms);
    details.push(run);
  }
  return { runs, median: median(runs), cpuMs: median(details.map((d) => d.cpuMs)), wakeups: median(details.map((d) => d.wakeups)) };
}

export function renderOrphans(r, o, inits, m) {
  const out = ['### 5. Reaping orphans', ''];
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
  out.push(
    'Where the time goes: the init\'s CPU time over the same window (`/proc/INIT/task/*/schedstat`, nanoseconds on a CPU, summed over ' +
      'its threads) and its wake-ups (voluntary context switches), medians of the same runs. Each wake-up reaps every zombie there is: ' +
      'tini in C (`sigtimedwait`, then `waitpid(-1, WNOHANG)` until none is left), fifo-init in JavaScript (libuv\'s SIGCHLD watcher, ' +
      'then the same `waitpid` loop with every call through `node:ffi`). The orphans exit on the same CPUs, so CPU the init takes is ' +
      'time the exits wait for.',
    '',
    table(
      ['init', ...o.orphans.flatMap((n) => [`${fmt(n, 0)}: init CPU (ms)`, `${fmt(n, 0)}: µs per orphan`, `${fmt(n, 0)}: wake-ups`])],
      inits
        .filter((init) => !init.notInit)
        .map((init) => [
          init.name,
          ...o.orphans.flatMap((n) => {
            const e = r.reapingByCount?.[n]?.[init.id];
            if (!e || e.error || e.cpuMs === undefined) return ['n/a', '', ''];
            const tini = r.reapingByCount?.[n]?.tini;
            return [`${fmt(e.cpuMs, 1)}${tini && !tini.error ? ratio(e.cpuMs, tini.cpuMs) : ''}`, fmt((e.cpuMs * 1000) / n, 1), fmt(e.wakeups, 0)];
          }),
        ]),
    ),
    '',
  );
  return out;
}
