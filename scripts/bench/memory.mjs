/**
 * 2-3. Memory and idle wake-ups of the init while PROGRAM sleeps, with the
 * executable evicted from the page cache first and read sequentially first;
 * and what fifo-init gives back (src/memory.ts), measured by hand.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { comm, contextSwitches, cpuNs, kib, procStatus, readlinkSafe, residentBreakdown } from './proc.mjs';
import { NOT_EVICTED, SLEEP, evict, failure, msSince, now, programOf, readSequentially, startNamespace, stop } from './runner.mjs';
import { fmt, mibOf, table } from './table.mjs';

/**
 * `warm` false: the executable is evicted from the page cache first, and the
 * init idles for the idle window; true: it is read sequentially first, and
 * only its memory is taken.
 */
export async function measureResident(init, o, warm = false) {
  const cachedBefore = warm ? readSequentially(init.real) : evict(init.real);
  const { child, initPid } = await startNamespace([...init.argv, SLEEP, '1000000']);
  try {
    await programOf(initPid, 'sleep', init.name);
    const cpu0 = cpuNs(initPid);
    await sleep(o.quick ? 300 : 1_000); // let the init finish whatever it does after the spawn
    const settleCpuMs = (cpuNs(initPid) - cpu0) / 1e6;
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
      settleCpuMs,
      idle: { seconds, voluntary: after.voluntary - before.voluntary, involuntary: after.involuntary - before.involuntary, threads: after.threads },
    };
  } catch (error) {
    throw new Error(failure(child, error));
  } finally {
    await stop(child);
  }
}

export function renderMemory(r, o, inits) {
  const out = ['### 2. Memory while PROGRAM sleeps', ''];
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
  const stuck = inits.filter((init) => (r.resident?.[init.id]?.cachedBefore ?? 0) > NOT_EVICTED).map((init) => init.name);
  if (stuck.length) out.push(`> **Not evicted:** ${stuck.join(', ')} stayed in the page cache (another process had it mapped), so its first-table figures are not from a cold page cache.`, '');
  out.push('Executable read sequentially first (`cat FILE > /dev/null` after the eviction):', '', memoryTable('residentWarm'), '');
  return out;
}

export function renderIdleWakeups(r, o, inits) {
  const idleS = fmt(o.idleSeconds, o.idleSeconds % 1 ? 1 : 0);
  return [
    '### 3. Idle wake-ups',
    '',
    `The same run: voluntary context switches (each one a sleep that ended, i.e. a wake-up) summed over every thread in ` +
      `\`/proc/INIT/task/*/status\`, before and after ${idleS} s in which PROGRAM only sleeps. Involuntary switches shown beside.`,
    '',
    table(
      ['init', 'threads', `voluntary switches in ${idleS} s`, 'involuntary', 'window (s)'],
      inits.map((init) => {
        const e = r.resident?.[init.id];
        if (!e || e.error) return [init.name, `failed: ${e?.error ?? 'not run'}`, '', '', ''];
        return [init.name, String(e.idle.threads), String(e.idle.voluntary), String(e.idle.involuntary), fmt(e.idle.seconds, 2)];
      }),
    ),
    '',
  ];
}

/** What fifo-init gives back (issue 13, item 1), measured by hand, and the choices it decided. */
export function renderGivenBack() {
  return [
    '## Memory given back',
    '',
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
    '- `useSnapshot`: 12 % slower start and +4.6 MiB (issue 13); for the executable\'s size, see section 14.',
    '',
  ];
}
