/**
 * 13. Long idle: every init started at the beginning of the run, with `sleep`
 * as PROGRAM, and measured at its end (resident memory and wake-ups after
 * --long-idle-seconds, 10 minutes by default).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { contextSwitches, residentNow } from './proc.mjs';
import { SLEEP, WORK, evict, failure, log, msSince, now, programOf, readSequentially, startNamespace, stop } from './runner.mjs';
import { fmt, mibOf, table, withTini } from './table.mjs';

/** VmRSS, RssAnon, RssFile, threads of `pid`, and when (s since `t0`). */
const residentAt = (pid, t0) => ({ ...residentNow(pid), at: msSince(t0) / 1000 });

/**
 * Each init runs from a copy of its executable under .build/bench/idle/ (so
 * that the other sections can still evict the real files), as PID 1 of its
 * own namespace with `sleep` as PROGRAM. fifo-init twice: its copy evicted
 * from the page cache first, and read sequentially first.
 */
export async function startLongIdle(inits) {
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
      await programOf(entry.initPid, 'sleep', entry.name);
      entry.t0 = now();
    } catch (error) {
      entry.error = failure(entry.child, error);
    }
  }
  await sleep(1_500);
  for (const entry of started) {
    if (entry.error) continue;
    entry.first = residentAt(entry.initPid, entry.t0);
    entry.switches = contextSwitches(entry.initPid);
  }
  return started;
}

export async function finishLongIdle(started, o) {
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
      const last = residentAt(entry.initPid, entry.t0);
      const switches = contextSwitches(entry.initPid);
      results[entry.id] = { name: entry.name, first: entry.first, last, wakeups: switches.voluntary - entry.switches.voluntary, window: last.at - entry.first.at };
    } catch (error) {
      results[entry.id] = { name: entry.name, error: error.message };
    } finally {
      await stop(entry.child);
    }
  }
  rmSync(join(WORK, 'idle'), { recursive: true, force: true }); // five copies of up to 112 MiB
  return results;
}

/** The long-idle window in whole seconds, as the report names it: at least --long-idle-seconds. */
export function longIdleSeconds(r, o) {
  const windows = Object.values(r.longIdle ?? {}).filter((e) => e && !e.error && e.last).map((e) => e.last.at);
  return fmt(windows.length ? Math.floor(Math.min(...windows)) : o.longIdleSeconds, 0);
}

export function renderLongIdle(r, o) {
  const longIdleS = longIdleSeconds(r, o);
  const out = [`### 13. Resident memory after ${longIdleS} s idle`, ''];
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
  return out;
}
