/**
 * Entry point: argv and env in, exit code out. The only place that prints
 * a fatal error and the only place that exits.
 */
import { readFileSync, writeSync } from 'node:fs';
import { isSea } from 'node:sea';
import { fromBytes, splitNul } from './bytes.js';
import { parseCommandLine, SEND_USAGE, USAGE } from './cli.js';
import { EXIT, InitError, UsageError } from './errors.js';
import { createLogger, LEVEL } from './log.js';
import { send } from './send.js';
import { supervise } from './supervisor.js';

declare const FIFO_INIT_VERSION: string;

export async function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let verbosity: number = LEVEL.WARN;
  try {
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
        return await supervise(parsed, createLogger(verbosity));
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
    log.error(`internal error: ${(error as Error).message ?? String(error)}`);
    log.debug((error as Error).stack ?? '');
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

/** The environment as bytes decoded losslessly, from /proc/self/environ; process.env without /proc. */
export function environment(): Record<string, string> {
  try {
    const env: Record<string, string> = {};
    for (const entry of splitNul(readFileSync('/proc/self/environ'))) {
      const at = entry.indexOf('=');
      if (at > 0 && !Object.hasOwn(env, entry.slice(0, at))) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return env;
  } catch {
    return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  }
}

run(commandLine(), environment()).then(
  (code) => process.exit(code),
  () => process.exit(EXIT.INIT_FAILED),
);
