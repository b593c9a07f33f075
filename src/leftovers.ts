/**
 * A graceful end for leftovers (--leftover-grace; SPEC "Supervision"): when
 * PROGRAM has exited, what it left behind gets SIGTERM, a bounded wait while
 * the reaper collects it, then SIGKILL. The exit code stays PROGRAM's.
 * Without the option, as PID 1 the kernel SIGKILLs them when the init exits,
 * and as a subreaper they are left running, as with tini.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { codeOf } from './errors.js';
import type { Logger } from './log.js';

/** Children of every thread of `pid` (a reaper's orphans may land on any of its threads). */
function childrenOf(pid: number | 'self'): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** Every process below the init, breadth first. */
export function descendants(): number[] {
  const found: number[] = [];
  const queue = childrenOf('self');
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...childrenOf(pid));
  }
  return found;
}

/** True while the init still has a child, running or a zombie not yet reaped. */
export function hasChildren(): boolean {
  return childrenOf('self').length > 0;
}

/**
 * Signals everything left: as PID 1, kill(-1) reaches every process of the
 * namespace (also those `docker exec` started, which are nobody's orphans);
 * as a subreaper, only the init's own descendants, never the host's.
 * Returns how many were signalled (as PID 1: -1, unknown).
 */
export function signalLeftovers(signal: number, log: Logger): number {
  if (process.pid === 1) {
    try {
      process.kill(-1, signal);
    } catch (error) {
      if (codeOf(error) !== 'ESRCH') log.warn(`kill(-1) failed: ${(error as Error).message}`);
    }
    return -1;
  }
  const pids = descendants();
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
  return pids.length;
}

/** How often the end is checked while waiting (besides every SIGCHLD). */
const POLL_MS = 50;

/**
 * Runs the graceful end: SIGTERM now, SIGKILL after `graceMs` unless every
 * leftover is gone before; calls `done` once no child is left (after the
 * KILL, after one more reaping pass). `reap` is the supervisor's reaping pass.
 */
export function endLeftovers(graceMs: number, reap: () => void, log: Logger, done: () => void): void {
  reap();
  if (!hasChildren()) {
    done();
    return;
  }
  const count = signalLeftovers(15, log);
  log.info(`PROGRAM exited; sent SIGTERM to ${count < 0 ? 'every process left' : `${count} leftover process(es)`}, waiting up to ${graceMs} ms`);
  const deadline = Date.now() + graceMs;
  const check = (): void => {
    reap();
    if (!hasChildren()) {
      done();
      return;
    }
    if (Date.now() >= deadline) {
      log.notice(`leftovers still running ${graceMs} ms after SIGTERM: sending SIGKILL`);
      signalLeftovers(9, log);
      const finish = (): void => {
        reap();
        if (hasChildren() && Date.now() < deadline + 2_000) setTimeout(finish, POLL_MS);
        else done();
      };
      setTimeout(finish, 10);
      return;
    }
    setTimeout(check, Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  };
  setTimeout(check, 1);
}
