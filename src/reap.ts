/**
 * Reaping duty: collect every child's wait status, including orphans
 * reparented to us as PID 1 or as subreaper (SPEC "Behaviour of the init" 5).
 * This is the only place that calls waitpid, so the main child's status can
 * never be taken by anyone else.
 */
import { codeOf } from './errors.js';
import { decodeWaitStatus, isTermination, type Termination } from './exit-status.js';
import type { Logger } from './log.js';
import { signalName } from './signal-table.js';
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

const SIGTRAP = 5;

/** Remembers the main child's termination when a pass reaps it; logs the rest with -w. */
export class Reaper {
  private mainTermination: Termination | undefined;

  constructor(
    private readonly log: Logger,
    private readonly warnOnReap: boolean,
    private readonly wait: (pid: number, options: number) => [number, number] = libc.waitpid,
    private readonly detach: (pid: number, signal: number) => void = libc.ptraceDetach,
  ) {}

  /** Runs one reaping pass; returns the main child's termination once it has been reaped. */
  pass(mainPid: number): Termination | undefined {
    for (const child of reapAll(this.wait)) {
      const event = decodeWaitStatus(child.status);
      if (!isTermination(event)) {
        if (event.kind === 'stopped') this.release(child.pid, event.signal);
        continue; // a stop or a continue: the child still runs (SPEC "Supervision")
      }
      if (child.pid === mainPid) {
        this.mainTermination = event;
      } else if (this.warnOnReap) {
        this.log.warn(`reaped zombie process ${child.pid} (status ${child.status})`);
      } else {
        this.log.debug(`reaped process ${child.pid}`);
      }
    }
    return this.mainTermination;
  }

  /**
   * A stop reported to us means the child made us its tracer
   * (PTRACE_TRACEME): an init is no debugger, so it detaches and lets the
   * child go on with the signal that stopped it. SIGTRAP is the tracer's own
   * (the stop after execve): passing it on would kill the child.
   */
  private release(pid: number, signal: number): void {
    this.log.info(`process ${pid} stopped by ${signalName(signal)} and traced by fifo-init (PTRACE_TRACEME): detaching`);
    try {
      this.detach(pid, signal === SIGTRAP ? 0 : signal);
    } catch (error) {
      this.log.warn(`${(error as Error).message}: process ${pid} stays stopped`);
    }
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
