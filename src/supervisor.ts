/**
 * The init, duty by duty, in the order tini's main runs them: parent-death
 * signal, FIFO, (exec,) subreaper, spawn, then reap and forward until
 * PROGRAM exits. The signal handlers are already in place (main.ts installs
 * them first). Resolves with the exit code; never exits itself.
 */
import type { InitOptions } from './cli.js';
import { describeTermination, exitCodeFor } from './exit-status.js';
import { execProgram } from './exec.js';
import { describeThrown, guardWith } from './errors.js';
import { openFifo } from './fifo.js';
import type { Logger } from './log.js';
import { withNofileSoft } from './limits.js';
import { listenFds, passedFdCount } from './program.js';
import { becomeSubreaper, Reaper } from './reap.js';
import { maxSignal, signalName } from './signal-table.js';
import { rewriteSignal, sendSignal, type SignalRouter } from './signals.js';
import { spawnProgram } from './spawn.js';
import { ConsoleWriter, consoleLine, openConsoleWriter } from './console.js';
import { endLeftovers } from './leftovers.js';
import { givingBack } from './memory.js';
import { relayStdin, stdinReadable } from './relay.js';
import { readStartupFile } from './startup.js';
import { StopController } from './stop.js';
import * as libc from './sys/libc.js';

/** What main.ts prepared before the options were known. */
export interface Context {
  /** The environment PROGRAM gets: the bytes we were started with (see bytes.ts). */
  environ: readonly string[];
  /** Installed first, holding signals until PROGRAM exists. */
  signals: SignalRouter;
}

/** Signals whose default action neither ignores nor stops: they would end PROGRAM. See: signal(7). */
const HARMLESS_BY_DEFAULT = new Set([17, 18, 19, 20, 21, 22, 23, 28]); // CHLD CONT STOP TSTP TTIN TTOU URG WINCH

/** Resolves after one turn of the event loop (its poll phase reads libuv's signal pipe). */
function nextLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function supervise(options: InitOptions, log: Logger, context: Context): Promise<number> {
  if (options.parentDeathSignal !== undefined) libc.setParentDeathSignal(options.parentDeathSignal);

  const fifo = options.fifo === undefined ? undefined : openFifo({ path: options.fifo, createMode: options.createMode, pipeSize: options.pipeSize, lockTimeoutMs: options.lockTimeoutMs }, log);
  const passedFds = passedFdCount(context.environ, options.preserveFds, process.pid);
  const listen = listenFds(context.environ, process.pid) !== undefined;
  if (options.exec) {
    // A signal caught since install() waits in libuv's pipe until the loop
    // turns, and execve would lose it. From here on a signal takes its default
    // action on this process, as it would on PROGRAM; one turn of the loop then
    // moves what was caught before into the held list.
    libc.resetAllSignals(maxSignal());
    return nextLoopTurn().then(() => {
      // A held signal cannot be handed to PROGRAM: one that would have ended
      // it ends the start instead, with the same status.
      const fatal = context.signals.heldSignals().find((signal) => !HARMLESS_BY_DEFAULT.has(signal));
      if (fatal !== undefined) {
        log.notice(`received ${signalName(fatal)} before ${options.program[0]} started: not starting it`);
        return exitCodeFor({ kind: 'signaled', signal: fatal, coreDumped: false }, options.remapExitCodes);
      }
      return withNofileSoft(options.nofileSoft, () => execProgram({ program: options.program, stdinFd: fifo?.fd, environ: context.environ, passedFds, listen }));
    });
  }

  becomeSubreaper(options.subreaper, log);
  const name = options.program[0]!;
  /** After the spawn, no internal failure may end the init: it is logged and supervision goes on (SPEC "Supervision"). */
  const internalError = (what: string, error: unknown): void =>
    log.error(`internal error${what ? ` in ${what}` : ''}: ${describeThrown(error)}; still supervising ${name}`);
  const guard = guardWith(internalError);
  const startupLines = [...options.startupCommands, ...(options.startupFile === undefined ? [] : readStartupFile(options.startupFile))];
  const relay = fifo !== undefined && options.relayStdin && stdinReadable();
  const needsWriter = options.stopSequence.length > 0 || startupLines.length > 0 || options.signalCommands.size > 0 || relay;
  const writer = fifo && needsWriter ? new ConsoleWriter(openConsoleWriter(fifo.path, fifo.fd), log, guard) : undefined;
  const stop =
    writer && options.stopSequence.length > 0
      ? new StopController({ steps: options.stopSequence, timeoutMs: options.stopTimeoutMs, writer, log, guard })
      : undefined;

  return new Promise((resolve) => {
    const reaper = new Reaper(log, options.warnOnReap);
    // With --stop-command, Ctrl-C at a terminal must reach the init (to become
    // the stop command), not PROGRAM, whose stdin is the FIFO anyway; and when
    // the init relays a terminal's lines it must stay the foreground to read them.
    const takeTerminal = !stop && !(relay && libc.isatty(0));
    const pid = withNofileSoft(options.nofileSoft, () =>
      spawnProgram({ program: options.program, stdinFd: fifo?.fd, environ: context.environ, passedFds, listen, takeTerminal }, log),
    );
    startupLines.forEach((line, i) => writer!.write(consoleLine(line), `start-up command ${i + 1} ${JSON.stringify(line)}`));
    if (relay) relayStdin(writer!, log);
    const target = { pid, group: options.killProcessGroup };
    process.on('uncaughtException', (error) => internalError('', error));
    process.on('unhandledRejection', (error) => internalError('', error));

    let finished = false;
    const reapPass = guard('the reaper', () => void reaper.pass(pid));
    const onWake = guard('the reaper', () => {
      if (finished) return;
      const termination = reaper.pass(pid);
      if (termination === undefined) return;
      finished = true;
      writer?.close();
      const code = exitCodeFor(termination, options.remapExitCodes);
      log.info(`${name} ${describeTermination(termination, signalName)}; exiting with ${code}`);
      const exit = (): void => {
        resolve(code);
        // A node:ffi callback does not drain the microtask queue: one turn of
        // the loop lets main's then() run now, not at the next signal.
        setImmediate(() => {});
      };
      if (options.leftoverGraceMs > 0) endLeftovers(options.leftoverGraceMs, reapPass, log, guard('the leftovers', exit));
      else exit();
    });

    const onSignal = guard('signal forwarding', (signal: number) => {
      log.debug(`received ${signalName(signal)}`);
      if (stop?.handle(signal, target)) return;
      const commands = options.signalCommands.get(signal);
      if (commands && writer) {
        log.info(`received ${signalName(signal)}: writing ${commands.map((c) => JSON.stringify(c)).join(', ')} into the FIFO`);
        for (const command of commands) writer.write(consoleLine(command), `${signalName(signal)} command ${JSON.stringify(command)}`);
        return;
      }
      const outgoing = rewriteSignal(signal, options.rewrite);
      if (outgoing === 0) {
        log.info(`dropped ${signalName(signal)} (--rewrite)`);
        return;
      }
      sendSignal(target, outgoing, log);
    });

    // Held signals go to PROGRAM now, then a first reaping pass: PROGRAM may
    // already have exited.
    // PROGRAM runs: from now on the idle init gives back what it does not need.
    context.signals.attach(givingBack({ onSignal, onWake }, log));
  });
}
