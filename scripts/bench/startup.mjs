/**
 * 1. Start-up: hyperfine, no shell, every command under unshare, with every
 * executable evicted from the page cache first and read sequentially first.
 * Section 11 (environment.mjs) runs the same with a large environment and argv.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readText } from './proc.mjs';
import { EXE, NOT_EVICTED, UNSHARE, WORK, evict, launch, log, mean, median, now, percentile, readSequentially, stop } from './runner.mjs';
import { failedOr, fmt, table } from './table.mjs';

/**
 * `warm` false: every executable evicted from the page cache first; true: read sequentially first.
 * `big`: { env, args }: PROGRAM gets a large environment and argv (page cache left as it is).
 */
export function measureStartup(inits, o, warm = false, big = undefined) {
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

/** PROGRAM of the split: prints its first CLOCK_MONOTONIC reading (s) and exits. */
const STAMP = ['perl', '-MTime::HiRes=clock_gettime,CLOCK_MONOTONIC', '-e', 'printf "%.9f\\n", clock_gettime(CLOCK_MONOTONIC)'];

/**
 * Where start-up goes: `unshare ... INIT -- STAMP`, the bench's CLOCK_MONOTONIC
 * (process.hrtime) taken before it spawns unshare and when unshare has exited,
 * STAMP's own reading in between. "To PROGRAM" is launch to STAMP's reading
 * (unshare, the init's start up to its spawn, Perl's start); "after" is
 * STAMP's reading to unshare's exit (Perl's exit, the reaping, the init's exit).
 * The commands take turns, run by run, so that a change of load falls on all.
 */
export async function measureTimeToProgram(inits, o) {
  const commands = [{ id: 'none', name: 'no init (unshare alone)', argv: [...UNSHARE, ...STAMP] }, ...inits.map((init) => ({ id: init.id, name: init.name, argv: [...UNSHARE, ...init.argv, ...STAMP] }))];
  const samples = Object.fromEntries(commands.map((command) => [command.id, { toProgram: [], after: [] }]));
  log(`start-up split: ${o.startups} runs of ${commands.length} commands, in turn`);
  for (let run = 0; run < o.startups; run++) {
    for (const command of commands) {
      const t0 = now();
      const child = launch(command.argv[0], command.argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      const exit = await Promise.race([child.closed, sleep(10_000).then(() => undefined)]);
      const t1 = now();
      await stop(child);
      if (!exit || exit.code !== 0) throw new Error(`${command.name}: ${exit ? `exited ${exit.code ?? exit.signal}` : 'still running after 10 s'}: ${child.output.stderr.trim()}`);
      const stamp = BigInt(Math.round(Number(child.output.stdout.trim()) * 1e9));
      samples[command.id].toProgram.push(Number(stamp - t0) / 1e6);
      samples[command.id].after.push(Number(t1 - stamp) / 1e6);
    }
  }
  return Object.fromEntries(commands.map((command) => [command.id, { name: command.name, runs: o.startups, toProgram: median(samples[command.id].toProgram), after: median(samples[command.id].after) }]));
}

export function renderStartup(r, o, inits) {
  const out = ['### 1. Start-up', ''];
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
      out.push(...failedOr(results));
      continue;
    }
    const startupRows = Object.entries(results)
      .filter(([key]) => key !== 'cachedBefore')
      .map(([, e]) => [e.name, fmt(e.median, 2), fmt(e.p90, 2), fmt(e.mean, 2), fmt(e.min, 2), fmt(e.max, 2), String(e.runs)]);
    out.push(table(['command', 'median (ms)', 'p90 (ms)', 'mean (ms)', 'min (ms)', 'max (ms)', 'runs'], startupRows), '');
    const stuckStart = section === 'startup' ? inits.filter((init) => (results.cachedBefore?.[init.id] ?? 0) > NOT_EVICTED).map((init) => init.name) : [];
    if (stuckStart.length) out.push(`> **Not evicted:** ${stuckStart.join(', ')} stayed in the page cache (another process had it mapped).`, '');
  }
  out.push(
    'Where the time goes (page cache as left by the runs before): `unshare ... INIT -- perl -e \'print CLOCK_MONOTONIC\'`, the bench ' +
      'reading the same clock before it spawns unshare and once unshare has exited. "To PROGRAM" runs until Perl\'s reading (unshare, ' +
      'the init up to its spawn, Perl\'s own start), "after" from it to unshare\'s exit (Perl\'s exit, the reaping, the init\'s exit). ' +
      `Medians of ${o.startups} runs, the commands taking turns; the bench's own spawn is in every row alike.`,
    '',
    ...failedOr(r.startupSplit, (split) => [
      table(
        ['command', 'to PROGRAM (ms)', 'after PROGRAM (ms)', 'to PROGRAM, minus the bare SEA\'s (ms)'],
        Object.values(split).map((e) => [e.name, fmt(e.toProgram, 2), fmt(e.after, 2), split.bare ? fmt(e.toProgram - split.bare.toProgram, 2) : 'n/a']),
      ),
      '',
    ]),
  );
  return out;
}

/** What was measured by hand about start-up waste and threads (issue 13, item 2), and what it decided. */
export function renderStartupWaste() {
  return [
    '## Start-up waste and threads',
    '',
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
  ];
}
