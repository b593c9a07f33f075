/**
 * Entry point: argv and env in, exit code out. The only place that prints
 * a fatal error and the only place that exits.
 */
import { writeSync } from 'node:fs';
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

// In the single executable argv is [exe, exe, ...args]; under plain node it is [node, script, ...args].
run(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  () => process.exit(EXIT.INIT_FAILED),
);
