/**
 * Stop-sequence duty (--stop-command, --stop-wait): on SIGTERM/SIGINT, type
 * the stop commands into the FIFO, with the pauses between them, instead of
 * forwarding the signal; after the last command, escalate to SIGTERM and
 * SIGKILL after --stop-timeout each (SPEC "Behaviour of the init" 7, "The console").
 */
import { constants } from 'node:os';
import { consoleLine, type ConsoleWriter } from './console.js';
import type { Guard } from './errors.js';
import type { Logger } from './log.js';
import { signalName } from './signal-table.js';
import { sendSignal, type ForwardTarget } from './signals.js';

/** One step of the stop sequence, in the order given on the command line. */
export type StopStep = { kind: 'command'; text: string } | { kind: 'wait'; ms: number };

/** The signal that, during the pauses of a stop sequence, skips the rest of them. */
export const SKIP_WAIT_SIGNAL = constants.signals.SIGHUP;

/** How long a stop sequence takes at most before SIGKILL: the pauses, then twice the stop timeout. */
export function stopSequenceBudgetMs(steps: readonly StopStep[], timeoutMs: number): number {
  return steps.reduce((sum, step) => sum + (step.kind === 'wait' ? step.ms : 0), 0) + 2 * timeoutMs;
}

export interface StopOptions {
  steps: readonly StopStep[];
  timeoutMs: number;
  writer: ConsoleWriter;
  log: Logger;
  /** Wraps every timer callback: a failure inside one is logged, supervision goes on. */
  guard: Guard;
}

export class StopController {
  private stopping = false;
  private next = 0;
  private pause: { timer: NodeJS.Timeout; resume: () => void } | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  /** The steps still to run may lose their pauses (SIGHUP), so a copy. */
  private steps: StopStep[];

  constructor(private readonly options: StopOptions) {
    this.steps = [...options.steps];
  }

  /**
   * Called for every signal the init receives. Returns true when the signal
   * was used by the stop sequence (so it is not forwarded): the first
   * SIGTERM or SIGINT starts it; SIGHUP during a pause skips the remaining
   * pauses. A second SIGTERM or SIGINT returns false and is forwarded at once.
   */
  handle(signal: number, target: ForwardTarget): boolean {
    if (this.stopping && signal === SKIP_WAIT_SIGNAL && this.pause) {
      this.options.log.notice(`received ${signalName(signal)}: skipping the remaining pauses of the stop sequence`);
      this.skipPauses(target);
      return true;
    }
    if (signal !== constants.signals.SIGTERM && signal !== constants.signals.SIGINT) return false;
    if (this.stopping) return false;
    this.stopping = true;
    this.options.log.notice(`received ${signalName(signal)}: running the stop sequence (${this.describe()})`);
    this.run(target);
    return true;
  }

  private describe(): string {
    return this.steps.map((step) => (step.kind === 'command' ? JSON.stringify(step.text) : `wait ${step.ms} ms`)).join(', ');
  }

  /** Runs the steps from `next` on; a pause schedules the rest. */
  private run(target: ForwardTarget): void {
    const { timeoutMs, writer, log } = this.options;
    const steps = this.steps;
    while (this.next < steps.length) {
      const step = steps[this.next]!;
      this.next += 1;
      if (step.kind === 'command') {
        // The FIFO may be full: a command still unwritten after the stop
        // timeout is given up with a warning; the escalation goes on.
        writer.write(consoleLine(step.text), `stop command ${JSON.stringify(step.text)}`, timeoutMs);
        continue;
      }
      const resume = () => {
        this.pause = undefined;
        this.run(target);
      };
      this.pause = { timer: this.after(step.ms, resume), resume };
      return;
    }
    // After the last command. Chained, never one timer for 2 x timeout: each
    // delay stays within what setTimeout honours (2^31-1 ms; longer ones
    // fire after 1 ms), the maximum the CLI accepts. See: units.ts MAX_TIMER_MS.
    this.after(timeoutMs, () => {
      log.notice(`PROGRAM still running ${timeoutMs} ms after the last stop command: sending SIGTERM`);
      sendSignal(target, constants.signals.SIGTERM, log);
      this.after(timeoutMs, () => {
        log.notice(`PROGRAM still running ${2 * timeoutMs} ms after the last stop command: sending SIGKILL`);
        sendSignal(target, constants.signals.SIGKILL, log);
      });
    });
  }

  private skipPauses(target: ForwardTarget): void {
    const steps = this.steps;
    const pause = this.pause!;
    clearTimeout(pause.timer);
    this.pause = undefined;
    // Drop every later pause too: the remaining commands go out at once.
    const rest = steps.slice(this.next).filter((step) => step.kind === 'command');
    this.steps = [...steps.slice(0, this.next), ...rest];
    this.run(target);
  }

  private after(ms: number, step: () => void): NodeJS.Timeout {
    const timer = setTimeout(this.options.guard('the stop sequence', step), ms);
    this.timers.push(timer);
    return timer;
  }
}
