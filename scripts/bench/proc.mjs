/** What the bench reads about a process from /proc. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function readlinkSafe(path) {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** /proc/PID/status as { field: text }. */
export function procStatus(pid) {
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
export const kib = (field) => Number.parseInt(field ?? '0', 10);

/** VmRSS, RssAnon, RssFile (KiB) and threads of `pid` now. */
export function residentNow(pid) {
  const status = procStatus(pid);
  return { vmRss: kib(status.VmRSS), rssAnon: kib(status.RssAnon), rssFile: kib(status.RssFile), threads: Number(status.Threads) };
}

export function tasksOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Children of every thread of `pid` (a reparented orphan may belong to any thread). */
export function childrenOf(pid, tasks = tasksOf(pid)) {
  const children = [];
  for (const tid of tasks) {
    const text = readText(`/proc/${pid}/task/${tid}/children`);
    if (text) for (const word of text.trim().split(/\s+/)) if (word) children.push(Number(word));
  }
  return children;
}

export const comm = (pid) => readText(`/proc/${pid}/comm`)?.trim();
export const cmdline = (pid) => (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);

/** utime + stime in clock ticks (/proc/PID/stat fields 14 and 15). */
export function cpuTicks(pid) {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) throw new Error(`process ${pid} is gone`);
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * CPU time of every thread of `pid` in nanoseconds: the first field of
 * /proc/PID/task/TID/schedstat (time spent on a CPU), summed. Finer than the
 * clock ticks of cpuTicks().
 * See: Documentation/scheduler/sched-stats.rst ("/proc/<pid>/schedstat").
 */
export function cpuNs(pid) {
  let ns = 0;
  for (const tid of tasksOf(pid)) ns += Number((readText(`/proc/${pid}/task/${tid}/schedstat`) ?? '0').split(' ')[0]);
  return ns;
}

export function rchar(pid) {
  const text = readText(`/proc/${pid}/io`);
  if (text === undefined) throw new Error(`process ${pid} is gone`);
  return Number(/^rchar:\s*(\d+)/m.exec(text)[1]);
}

/** Voluntary (a sleep that ended: a wake-up) and involuntary context switches, summed over every thread. */
export function contextSwitches(pid) {
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

/**
 * Resident KiB of `pid` by where it comes from (from /proc/PID/smaps).
 * `anonymous` includes malloc's `[heap]`, which `heap` shows alone.
 */
export function residentBreakdown(pid) {
  const text = readText(`/proc/${pid}/smaps`) ?? '';
  const exe = readlinkSafe(`/proc/${pid}/exe`);
  const groups = { exeText: 0, exeData: 0, libraries: 0, anonymous: 0, heap: 0, stack: 0, other: 0, exePmdMapped: 0 };
  let group = 'other';
  let heap = false;
  for (const line of text.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+\s+(\S+)\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (mapping) {
      const [, perms, name] = mapping;
      heap = name === '[heap]';
      if (name === exe) group = perms.includes('x') ? 'exeText' : 'exeData';
      else if (name === '' || name === '[heap]') group = 'anonymous';
      else if (name === '[stack]') group = 'stack';
      else if (/\.so(\.|$)/.test(name)) group = 'libraries';
      else group = 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      groups[group] += Number(rss[1]);
      if (heap) groups.heap += Number(rss[1]);
    }
    const pmd = /^FilePmdMapped:\s+(\d+) kB/.exec(line);
    if (pmd && group.startsWith('exe')) groups.exePmdMapped += Number(pmd[1]);
  }
  return groups;
}
