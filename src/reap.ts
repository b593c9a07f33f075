/**
 * Reaping duty: collect every child's wait status, including orphans
 * reparented to us as PID 1 or as subreaper (SPEC "Behaviour of the init" 5).
 * This is the only place that calls waitpid, so the main child's status can
 * never be taken by anyone else.
 */
import { codeOf } from './errors.js';
import type { Logger } from './log.js';
import * as libc from './sys/libc.js';

export interface ReapedChild {
  pid: number;
  status: number;
}

/**
 * Reaps until no child is ready: one pass leaves no zombie behind. `wait`
 * is injectable for tests; it returns [0, 0] when nothing is ready.
 */
export function reapAll(wait: (pid: number, options: number) => [number, number] = libc.waitpid): ReapedChild[] {
  const reaped: ReapedChild[] = [];
  for (;;) {
    let pid: number;
    let status: number;
    try {
      [pid, status] = wait(-1, libc.WNOHANG);
    } catch (error) {
      if (codeOf(error) === 'ECHILD') break; // no children at all
      if (codeOf(error) === 'EINTR') continue;
      throw error;
    }
    if (pid <= 0) break;
    reaped.push({ pid, status });
  }
  return reaped;
}

/** Remembers the main child's status when a pass reaps it; logs the rest with -w. */
export class Reaper {
  private mainStatus: number | undefined;

  constructor(
    private readonly log: Logger,
    private readonly warnOnReap: boolean,
  ) {}

  /** Runs one reaping pass; returns the main child's wait status once it has been reaped. */
  pass(mainPid: number): number | undefined {
    for (const child of reapAll()) {
      if (child.pid === mainPid) {
        this.mainStatus = child.status;
      } else if (this.warnOnReap) {
        this.log.warn(`reaped zombie process ${child.pid} (status ${child.status})`);
      } else {
        this.log.debug(`reaped process ${child.pid}`);
      }
    }
    return this.mainStatus;
  }
}

/** Child subreaper, so orphans come to us when we are not PID 1 (as tini -s). */
export function becomeSubreaper(requested: boolean, log: Logger): void {
  if (process.pid === 1) return;
  try {
    libc.setChildSubreaper();
    log.debug(`registered as child subreaper${requested ? '' : ' (not PID 1)'}`);
  } catch (error) {
    log.warn(`${(error as Error).message}: orphans of PROGRAM will not be reaped by fifo-init`);
  }
}
