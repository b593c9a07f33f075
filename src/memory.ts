/**
 * Giving memory back. An init is paid for during the container's whole life,
 * and most of what a Node init holds while PROGRAM runs is the executable's
 * own code and read-only data, paged in while Node booted and rarely touched
 * again. Once PROGRAM runs, and again once a burst of work (signals, reaping)
 * is over, the init asks the kernel to reclaim those file pages
 * (MADV_PAGEOUT) and glibc to return the heap that work left free
 * (malloc_trim). Both are triggered by work, by a one-shot timer: an idle
 * init still makes no periodic wake-up (SPEC "Behaviour of the init" 5).
 * See: docs/BENCHMARKS.md "Memory given back".
 */
import { readFileSync, statSync } from 'node:fs';
import { describeThrown } from './errors.js';
import type { Logger } from './log.js';
import type { SignalListener } from './signals.js';
import * as libc from './sys/libc.js';

/** One line of /proc/PID/maps. See: proc_pid_maps(5). */
export interface Mapping {
  start: bigint;
  end: bigint;
  /** `r-xp`: read, write, execute, p(rivate) or s(hared). */
  perms: string;
  /** `fe:00`: major:minor of the file's device, in hex as the kernel prints it. */
  device: string;
  inode: number;
  path: string;
}

/** Parses /proc/PID/maps text; lines that do not parse are skipped. */
export function parseMaps(text: string): Mapping[] {
  const mappings: Mapping[] = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) [0-9a-f]+ ([0-9a-f]+:[0-9a-f]+) (\d+)\s*(.*)$/.exec(line);
    if (!match) continue;
    mappings.push({
      start: BigInt(`0x${match[1]}`),
      end: BigInt(`0x${match[2]}`),
      perms: match[3]!,
      device: match[4]!,
      inode: Number(match[5]),
      path: match[6]!,
    });
  }
  return mappings;
}

/** The file the kernel maps the executable from: device as maps prints it, and inode. */
export interface FileId {
  device: string;
  inode: number;
}

/** `dev_t` -> `major:minor` as /proc/PID/maps prints it (%02x:%02x). See: glibc's gnu_dev_major/minor. */
export function deviceName(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
}

/**
 * The ranges of the executable's own file mappings that may be paged out:
 * private and never writable. Left alone: every writable mapping (its
 * written pages are the process's data), and any read-only mapping that
 * touches a writable mapping of the same file, which is how RELRO appears
 * (the loader wrote the relocations, then made the start of the data
 * segment read-only: a separate `r--p` mapping right before the `rw-p` one).
 * Shared libraries are not touched (their pages are other processes' too).
 * See: ld.so's _dl_protect_relro; the GNU_RELRO program header (readelf -l).
 */
export function pageOutRanges(mappings: readonly Mapping[], exe: FileId): Array<[bigint, bigint]> {
  const own = mappings.filter((m) => m.inode === exe.inode && m.device === exe.device && m.inode !== 0);
  const writable = own.filter((m) => m.perms[1] === 'w');
  const touchesWritable = (m: Mapping) => writable.some((w) => w.start === m.end || w.end === m.start);
  return own.filter((m) => m.perms[1] === '-' && m.perms[3] === 'p' && !touchesWritable(m)).map((m) => [m.start, m.end]);
}

/** The executable's file, or undefined without /proc (then nothing is given back). */
function executableFile(): FileId | undefined {
  try {
    const stats = statSync('/proc/self/exe', { bigint: true });
    return { device: deviceName(stats.dev), inode: Number(stats.ino) };
  } catch {
    return undefined;
  }
}

/** After PROGRAM starts: Node's own start-up work is done well before this. */
export const SETTLE_MS = 500;
/** After work: this long without a wake-up ends a burst. */
export const QUIET_MS = 5_000;

/**
 * Pages out the executable's file pages (never RELRO or anything written)
 * and trims the malloc heap. Returns the bytes advised, for the log.
 */
export function giveBack(exe: FileId): number {
  let advised = 0n;
  for (const [start, end] of pageOutRanges(parseMaps(readFileSync('/proc/self/maps', 'latin1')), exe)) {
    if (!libc.madvise(start, end, libc.MADV_PAGEOUT)) break; // a kernel without MADV_PAGEOUT (< 5.4)
    advised += end - start;
  }
  libc.mallocTrim();
  return Number(advised);
}

/**
 * Wraps the supervisor's signal listener: gives memory back SETTLE_MS after
 * PROGRAM started (the first wake-up, attach()'s first reaping pass), then
 * QUIET_MS after the last wake-up of each burst of work. One timer at most, armed only by work and unref'd (it never keeps the
 * init alive); failures are logged at debug level and change nothing else.
 */
export function givingBack(listener: SignalListener, log: Logger): SignalListener {
  const exe = executableFile();
  if (exe === undefined) return listener;
  let timer: NodeJS.Timeout | undefined;
  let timerMs = 0;
  let settled = false;
  const run = (): void => {
    timer = undefined;
    settled = true;
    try {
      const advised = giveBack(exe);
      log.debug(`gave back memory: paged out ${(advised / 2 ** 20).toFixed(1)} MiB of the executable's mappings, trimmed the heap`);
    } catch (error) {
      log.debug(`giving memory back failed: ${describeThrown(error)}`);
    }
  };
  const arm = (ms: number): void => {
    if (timer !== undefined && timerMs === ms) {
      timer.refresh(); // no new timer object per signal: a flood must not make garbage
      return;
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, ms).unref();
    timerMs = ms;
  };
  // attach() calls onWake once right away (the first reaping pass): that arms the first give-back.
  return {
    onSignal: (signal) => listener.onSignal(signal),
    onWake: () => {
      listener.onWake();
      arm(settled ? QUIET_MS : SETTLE_MS);
    },
  };
}
