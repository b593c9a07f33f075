/**
 * Entry point: argv and env in, exit code out. The only place that prints
 * a fatal error and the only place that exits.
 */
// First: undoes what Node set up from PROGRAM's environment before this bundle ran.
import './node-env.js';
import { readFileSync, writeSync } from 'node:fs';
import { isSea } from 'node:sea';
import { fromBytes, splitNul } from './bytes.js';
import { parseCommandLine, SEND_USAGE, USAGE } from './cli.js';
import { describeThrown, EXIT, InitError, UsageError } from './errors.js';
import { createLogger, LEVEL } from './log.js';
import { execProgram } from './exec.js';
import { send } from './send.js';
import { SignalRouter } from './signals.js';
import { EXEC_HELPER_FLAG } from './spawn.js';
import { supervise } from './supervisor.js';
import * as libc from './sys/libc.js';

declare const FIFO_INIT_VERSION: string;

/**
 * Helper mode (see spawn.ts, LISTEN_FDS): `EXEC_HELPER_FLAG=N:SOFT -- PROGRAM...`
 * restores RLIMIT_NOFILE's soft limit (this Node raised it again), keeps fds
 * 3..3+N-1, sets LISTEN_PID to this pid, and execs PROGRAM.
 */
function execHelper(args: readonly string[], environ: readonly string[]): never {
  const [passed, soft] = args[0]!.slice(EXEC_HELPER_FLAG.length + 1).split(':').map(Number);
  try {
    libc.setNofileSoft(soft!);
  } catch {
    // Keep what Node set; the init logged its own limits already.
  }
  return execProgram({ program: args.slice(2), environ, passedFds: passed!, listen: true });
}

export async function run(args: readonly string[], env: Readonly<Record<string, string>>, environ: readonly string[]): Promise<number> {
  let verbosity: number = LEVEL.WARN;
  try {
    if (args[0]?.startsWith(`${EXEC_HELPER_FLAG}=`)) execHelper(args, environ);
    // Before anything else (SPEC "Signal policy"): a signal that arrives while
    // the options are parsed or the FIFO is opened is held, not lost.
    const signals = new SignalRouter();
    if (args[0] !== 'send') signals.install();
    const parsed = parseCommandLine(args, env);
    switch (parsed.command) {
      case 'help':
        writeSync(1, USAGE);
        return 0;
      case 'send-help':
        writeSync(1, SEND_USAGE);
        return 0;
      case 'version':
        writeSync(1, `fifo-init ${FIFO_INIT_VERSION}\n`);
        return 0;
      case 'send':
        return await send(parsed, createLogger(verbosity));
      case 'init':
        verbosity = parsed.verbosity;
        return await supervise(parsed, createLogger(verbosity), { environ, signals });
    }
  } catch (error) {
    const log = createLogger(verbosity);
    if (error instanceof UsageError) {
      log.error(`${error.message} (see 'fifo-init ${args[0] === 'send' ? 'send ' : ''}--help')`);
      return error.exitCode;
    }
    if (error instanceof InitError) {
      log.error(error.message);
      return error.exitCode;
    }
    log.error(`internal error: ${describeThrown(error)}`);
    log.debug((error as Error | null | undefined)?.stack ?? '');
    return EXIT.INIT_FAILED;
  }
}

/**
 * Our arguments as the bytes the kernel holds, decoded losslessly (see
 * bytes.ts): Node's own process.argv has already turned invalid UTF-8 into
 * U+FFFD. /proc/self/cmdline is [exe, ...args] for the single executable;
 * without /proc (or when it disagrees), process.argv is the fallback.
 */
export function commandLine(): string[] {
  const fallback = process.argv.slice(2).map((arg) => fromBytes(Buffer.from(arg, 'utf8')));
  if (!isSea()) return fallback;
  try {
    const words = splitNul(readFileSync('/proc/self/cmdline')).slice(1);
    return words.length === fallback.length ? words : fallback;
  } catch {
    return fallback;
  }
}

/**
 * The environment we were started with, `NAME=value` byte strings decoded
 * losslessly, from /proc/self/environ (what the kernel copied at exec, so
 * nothing Node or anyone changed since); process.env without /proc.
 */
export function environmentList(): string[] {
  try {
    return splitNul(readFileSync('/proc/self/environ')).filter((entry) => entry.includes('='));
  } catch {
    return Object.entries(process.env).flatMap(([name, value]) => (value === undefined ? [] : [fromBytes(Buffer.from(`${name}=${value}`, 'utf8'))]));
  }
}

/** NAME -> value; the first NAME wins, as getenv(3). */
export function environmentRecord(environ: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of environ) {
    const at = entry.indexOf('=');
    if (at > 0 && !Object.hasOwn(env, entry.slice(0, at))) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

const environ = environmentList();
run(commandLine(), environmentRecord(environ), environ).then(
  (code) => process.exit(code),
  () => process.exit(EXIT.INIT_FAILED),
);
