/**
 * The init, duty by duty, in the order tini's main runs them: parent-death
 * signal, FIFO, (exec,) subreaper, signals, spawn, then reap and forward
 * until PROGRAM exits. Resolves with the exit code; never exits itself.
 */
import type { InitOptions } from './cli.js';
import { decodeWaitStatus, describeTermination, exitCodeFor } from './exit-status.js';
import { execProgram } from './exec.js';
import { openFifo } from './fifo.js';
import type { Logger } from './log.js';
import { becomeSubreaper, Reaper } from './reap.js';
import { signalName } from './signal-table.js';
import { installSignalHandlers, rewriteSignal, sendSignal, type ForwardTarget } from './signals.js';
import { spawnProgram } from './spawn.js';
import { openStopWriter, StopController } from './stop.js';
import * as libc from './sys/libc.js';

/**
 * libuv leaves the loop when no referenced handle remains, and signal
 * handles are unreferenced; one timer at libuv's longest interval (24.8 days)
 * keeps the init alive without periodic wake-ups.
 */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

export function supervise(options: InitOptions, log: Logger): Promise<number> {
  if (options.parentDeathSignal !== undefined) libc.setParentDeathSignal(options.parentDeathSignal);

  const fifo = options.fifo === undefined ? undefined : openFifo({ path: options.fifo, createMode: options.createMode, pipeSize: options.pipeSize }, log);
  if (options.exec) execProgram(options.program, fifo?.fd);

  becomeSubreaper(options.subreaper, log);
  const stop =
    fifo && options.stopCommands.length > 0
      ? new StopController({ commands: options.stopCommands, timeoutMs: options.stopTimeoutMs, writerFd: openStopWriter(fifo.path, fifo.fd), log })
      : undefined;

  return new Promise((resolve, reject) => {
    // A failure inside a handler ends the init through main's one error path.
    const guarded =
      <A extends unknown[]>(handler: (...args: A) => void) =>
      (...args: A): void => {
        try {
          handler(...args);
        } catch (error) {
          reject(error);
        }
      };
    const reaper = new Reaper(log, options.warnOnReap);
    let target: ForwardTarget | undefined;

    const onChild = (): void => {
      if (!target) return;
      const status = reaper.pass(target.pid);
      if (status === undefined) return;
      const termination = decodeWaitStatus(status);
      const code = exitCodeFor(termination, options.remapExitCodes);
      log.info(`${options.program[0]} ${describeTermination(termination, signalName)}; exiting with ${code}`);
      resolve(code);
    };

    const onSignal = (signal: number): void => {
      // Handlers run from the event loop, so the target is always set here:
      // spawnProgram below runs in the same tick the handlers are installed.
      if (!target) return;
      log.debug(`received ${signalName(signal)}`);
      if (stop?.handle(signal, target)) return;
      const outgoing = rewriteSignal(signal, options.rewrite);
      if (outgoing === 0) {
        log.info(`dropped ${signalName(signal)} (--rewrite)`);
        return;
      }
      sendSignal(target, outgoing, log);
    };

    installSignalHandlers(guarded(onSignal), guarded(onChild));
    const pid = spawnProgram({ program: options.program, stdinFd: fifo?.fd }, log);
    target = { pid, group: options.killProcessGroup };
    setInterval(() => {}, KEEP_ALIVE_MS);
    // PROGRAM may have exited before SIGCHLD had a handler to wake.
    onChild();
  });
}
