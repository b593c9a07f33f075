import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CREATE_MODE,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_SEND_TIMEOUT_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  envFlag,
  INIT_OPTIONS,
  type InitOptions,
  parseCommandLine,
  parseRewrite,
  type SendOptions,
  splitAtProgram,
  USAGE,
} from '../../src/cli.js';
import { UsageError } from '../../src/errors.js';

const { SIGHUP, SIGINT, SIGKILL, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH } = constants.signals;

type Env = Record<string, string | undefined>;

/** Parses an init command line; fails the test when it is anything else. */
function init(args: string[], env: Env = {}): InitOptions {
  const parsed = parseCommandLine(args, env);
  if (parsed.command !== 'init') throw new Error(`expected init, got ${parsed.command}`);
  return parsed;
}

/** Parses a `send` command line; fails the test when it is anything else. */
function send(args: string[], env: Env = {}): SendOptions {
  const parsed = parseCommandLine(['send', ...args], env);
  if (parsed.command !== 'send') throw new Error(`expected send, got ${parsed.command}`);
  return parsed;
}

/** The UsageError that parsing throws; fails the test when it throws nothing or something else. */
function usageError(args: string[], env: Env = {}): UsageError {
  try {
    parseCommandLine(args, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(args)}`);
}

/** Exit code of the usage error for args (and env). */
const usageCode = (args: string[], env: Env = {}) => usageError(args, env).exitCode;

/** The init's own option table: which options take a value. */
const CONFIG = INIT_OPTIONS;

describe('splitAtProgram', () => {
  it('stops at the first word that is not an option', () => {
    expect(splitAtProgram(['-v', 'prog', '-v', 'x'], CONFIG)).toEqual([['-v'], ['prog', '-v', 'x']]);
    expect(splitAtProgram(['prog', '--fifo', 'x'], CONFIG)).toEqual([[], ['prog', '--fifo', 'x']]);
  });

  it('removes one literal -- and keeps everything after it', () => {
    expect(splitAtProgram(['-v', '--', 'prog', '--', '-v'], CONFIG)).toEqual([['-v'], ['prog', '--', '-v']]);
    expect(splitAtProgram(['--', '-v'], CONFIG)).toEqual([[], ['-v']]);
    expect(splitAtProgram(['--'], CONFIG)).toEqual([[], []]);
  });

  it('keeps a -- that is the value of an option', () => {
    expect(splitAtProgram(['-f', '--', 'prog'], CONFIG)).toEqual([['-f', '--'], ['prog']]);
  });

  it('lets an option that takes a value eat the next word', () => {
    expect(splitAtProgram(['--fifo', 'prog', 'real'], CONFIG)).toEqual([['--fifo', 'prog'], ['real']]);
    expect(splitAtProgram(['-f', 'p', '-e', '3', 'prog'], CONFIG)).toEqual([['-f', 'p', '-e', '3'], ['prog']]);
    expect(splitAtProgram(['--pipe-size', '64k', 'prog'], CONFIG)).toEqual([['--pipe-size', '64k'], ['prog']]);
  });

  it('does not eat the next word after --name=value or a boolean', () => {
    expect(splitAtProgram(['--fifo=p', 'prog'], CONFIG)).toEqual([['--fifo=p'], ['prog']]);
    expect(splitAtProgram(['--exec', 'prog'], CONFIG)).toEqual([['--exec'], ['prog']]);
  });

  it('never lets --create eat the next word (its value is optional)', () => {
    expect(splitAtProgram(['--create', 'prog'], CONFIG)).toEqual([['--create'], ['prog']]);
    expect(splitAtProgram(['--create=0660', 'prog'], CONFIG)).toEqual([['--create=0660'], ['prog']]);
  });

  it('reads short clusters: a value option eats the rest of the word, or the next word', () => {
    expect(splitAtProgram(['-sg', 'prog'], CONFIG)).toEqual([['-sg'], ['prog']]);
    expect(splitAtProgram(['-fPATH', 'prog'], CONFIG)).toEqual([['-fPATH'], ['prog']]);
    expect(splitAtProgram(['-e3', 'prog'], CONFIG)).toEqual([['-e3'], ['prog']]);
    expect(splitAtProgram(['-ve', '3', 'prog'], CONFIG)).toEqual([['-ve', '3'], ['prog']]);
    expect(splitAtProgram(['-vf', 'p', 'prog'], CONFIG)).toEqual([['-vf', 'p'], ['prog']]);
    expect(splitAtProgram(['-fve', 'prog'], CONFIG)).toEqual([['-fve'], ['prog']]);
  });

  it('treats a lone - as the program', () => {
    expect(splitAtProgram(['-v', '-', 'x'], CONFIG)).toEqual([['-v'], ['-', 'x']]);
  });

  it('treats an empty word as the program', () => {
    expect(splitAtProgram(['', '-v'], CONFIG)).toEqual([[], ['', '-v']]);
  });

  it('leaves a trailing option without its value in the option words', () => {
    expect(splitAtProgram(['-v', '--fifo'], CONFIG)).toEqual([['-v', '--fifo'], []]);
    expect(splitAtProgram(['-f'], CONFIG)).toEqual([['-f'], []]);
  });

  it('gives all words to the options when there is no program', () => {
    expect(splitAtProgram(['-v', '-s'], CONFIG)).toEqual([['-v', '-s'], []]);
    expect(splitAtProgram([], CONFIG)).toEqual([[], []]);
  });
});

describe('parseCommandLine: PROGRAM and where options stop', () => {
  it('takes PROGRAM and its arguments', () => {
    expect(init(['prog', 'a', 'b']).program).toEqual(['prog', 'a', 'b']);
  });

  it('gives options after PROGRAM to PROGRAM (fifo-init prog -v)', () => {
    const options = init(['prog', '-v']);
    expect(options.program).toEqual(['prog', '-v']);
    expect(options.verbosity).toBe(1);
  });

  it('gives options after PROGRAM to PROGRAM even when they look like ours', () => {
    const options = init(['-s', 'prog', '--fifo', '/x', '-g', '--help']);
    expect(options.program).toEqual(['prog', '--fifo', '/x', '-g', '--help']);
    expect(options.fifo).toBeUndefined();
    expect(options.killProcessGroup).toBe(false);
    expect(options.subreaper).toBe(true);
  });

  it('starts a program named send with -- send', () => {
    const parsed = parseCommandLine(['--', 'send', 'x'], {});
    expect(parsed.command).toBe('init');
    expect((parsed as InitOptions).program).toEqual(['send', 'x']);
  });

  it('treats send after an option as a program named send', () => {
    expect(init(['-v', 'send']).program).toEqual(['send']);
  });

  it('passes a PROGRAM that starts with a dash after --', () => {
    expect(init(['-v', '--', '-weird', '--', 'x']).program).toEqual(['-weird', '--', 'x']);
  });

  it('refuses a missing PROGRAM with 125', () => {
    expect(usageCode([])).toBe(125);
    expect(usageCode(['--'])).toBe(125);
    expect(usageCode(['-v', '-s'])).toBe(125);
    expect(usageCode(['--fifo', '/p'])).toBe(125);
    expect(usageCode(['--', ''])).toBe(125);
    expect(usageError([]).message).toMatch(/PROGRAM/);
  });

  it('has defaults for everything not given', () => {
    expect(init(['prog'])).toEqual({
      command: 'init',
      program: ['prog'],
      fifo: undefined,
      createMode: undefined,
      pipeSize: undefined,
      lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
      exec: false,
      subreaper: false,
      killProcessGroup: false,
      parentDeathSignal: undefined,
      remapExitCodes: new Set(),
      rewrite: new Map(),
      stopCommands: [],
      stopTimeoutMs: DEFAULT_STOP_TIMEOUT_MS,
      warnOnReap: false,
      verbosity: 1,
      preserveFds: 0,
      stopSequence: [],
      startupCommands: [],
      startupFile: undefined,
      signalCommands: new Map(),
      relayStdin: true,
      leftoverGraceMs: 0,
    });
    expect(DEFAULT_STOP_TIMEOUT_MS).toBe(10_000);
  });

  it('does not modify the args it is given', () => {
    const args = ['--create', '-f', '/p', 'prog'];
    init(args);
    expect(args).toEqual(['--create', '-f', '/p', 'prog']);
  });
});

describe('parseCommandLine: options', () => {
  it('reads --fifo, -f and -fPATH', () => {
    expect(init(['--fifo', '/run/p', 'prog']).fifo).toBe('/run/p');
    expect(init(['--fifo=/run/p', 'prog']).fifo).toBe('/run/p');
    expect(init(['-f', '/run/p', 'prog']).fifo).toBe('/run/p');
    expect(init(['-f/run/p', 'prog']).fifo).toBe('/run/p');
  });

  it('lets the last --fifo win', () => {
    expect(init(['-f', '/a', '-f', '/b', 'prog']).fifo).toBe('/b');
  });

  it('reads --create without a value as the default mode 0600', () => {
    expect(DEFAULT_CREATE_MODE).toBe(0o600);
    const options = init(['--fifo', '/p', '--create', 'prog']);
    expect(options.createMode).toBe(0o600);
    expect(options.program).toEqual(['prog']);
  });

  it('reads --create=MODE as octal', () => {
    expect(init(['-f', '/p', '--create=0660', 'prog']).createMode).toBe(0o660);
    expect(init(['-f', '/p', '--create=640', 'prog']).createMode).toBe(0o640);
    expect(init(['-f', '/p', '--create=', 'prog']).createMode).toBe(0o600);
  });

  it('refuses a mode as a separate word after --create, saying to attach it', () => {
    for (const word of ['0660', '660', '0600', '777']) {
      const error = usageError(['-f', '/p', '--create', word, 'prog']);
      expect(error.exitCode).toBe(125);
      expect(error.message).toContain(`--create=${word}`);
      expect(error.message).not.toContain('\n');
    }
    expect(() => splitAtProgram(['--create', '0660', 'prog'], CONFIG)).toThrow(UsageError);
  });

  it('still runs a program named like a mode after -- or after a non-octal word', () => {
    expect(init(['-f', '/p', '--create', '--', '0660']).program).toEqual(['0660']);
    expect(init(['-f', '/p', '--create', 'prog', '0660']).program).toEqual(['prog', '0660']);
    expect(init(['-f', '/p', '--create', '0999']).program).toEqual(['0999']);
    expect(splitAtProgram(['-f', '--create', '0660'], CONFIG)).toEqual([['-f', '--create'], ['0660']]); // -f's value, not the option
  });

  it('refuses a --create mode the init could not open itself (owner needs rw), from the option and the env', () => {
    for (const mode of ['0400', '0200', '0060', '0466', '0000']) {
      expect(usageCode(['-f', '/p', `--create=${mode}`, 'prog'])).toBe(125);
      expect(usageError(['-f', '/p', `--create=${mode}`, 'prog']).message).toContain('--create');
      expect(usageCode(['prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_CREATE: mode })).toBe(125);
      expect(usageError(['prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_CREATE: mode }).message).toContain('FIFO_INIT_CREATE');
    }
    expect(init(['-f', '/p', '--create=0600', 'prog']).createMode).toBe(0o600);
    expect(init(['-f', '/p', '--create=0760', 'prog']).createMode).toBe(0o760);
  });

  it('reads --lock-timeout and FIFO_INIT_LOCK_TIMEOUT, the command line winning', () => {
    expect(DEFAULT_LOCK_TIMEOUT_MS).toBe(5_000);
    expect(init(['-f', '/p', '--lock-timeout', '0', 'prog']).lockTimeoutMs).toBe(0);
    expect(init(['-f', '/p', '--lock-timeout=30s', 'prog']).lockTimeoutMs).toBe(30_000);
    expect(init(['prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_LOCK_TIMEOUT: '2m' }).lockTimeoutMs).toBe(120_000);
    expect(init(['-f', '/p', '--lock-timeout', '1s', 'prog'], { FIFO_INIT_LOCK_TIMEOUT: '2m' }).lockTimeoutMs).toBe(1_000);
    expect(usageCode(['-f', '/p', '--lock-timeout', 'soon', 'prog'])).toBe(125);
    expect(usageError(['-f', '/p', '--lock-timeout', '25d', 'prog']).message).toContain('2147483647');
    expect(usageCode(['--lock-timeout', '1s', 'prog'])).toBe(125);
    expect(usageCode(['prog'], { FIFO_INIT_LOCK_TIMEOUT: '1s' })).toBe(125);
  });

  it('hints the forms parseArgs really accepts for a value starting with a dash', () => {
    // `-e=-1` would give -e the value '=-1'; `-e-1` and `--expect-exit=-1` give '-1'.
    const short = usageError(['-e', '-1', 'prog']).message;
    expect(short).toContain('-e-VALUE');
    expect(short).toContain('--expect-exit=-VALUE');
    expect(short).not.toContain('-e=-VALUE');
    expect(usageError(['--stop-timeout', '-1', 'prog']).message).toContain('--stop-timeout=-VALUE');
    expect(usageError(['send', '-t', '-1', 'x']).message).toContain('-t-VALUE');
  });

  it('reads --pipe-size with binary units', () => {
    expect(init(['-f', '/p', '--pipe-size', '64k', 'prog']).pipeSize).toBe(65_536);
    expect(init(['-f', '/p', '--pipe-size=1M', 'prog']).pipeSize).toBe(1_048_576);
    expect(init(['-f', '/p', '--pipe-size', '65536', 'prog']).pipeSize).toBe(65_536);
  });

  it('reads --exec', () => {
    expect(init(['-f', '/p', '--exec', 'prog']).exec).toBe(true);
  });

  it('reads -s, -g and -w, alone and clustered', () => {
    expect(init(['-s', 'prog']).subreaper).toBe(true);
    expect(init(['-g', 'prog']).killProcessGroup).toBe(true);
    expect(init(['-w', 'prog']).warnOnReap).toBe(true);
    const cluster = init(['-sg', 'prog']);
    expect(cluster.subreaper).toBe(true);
    expect(cluster.killProcessGroup).toBe(true);
    expect(cluster.warnOnReap).toBe(false);
    const all = init(['-wgs', 'prog']);
    expect([all.subreaper, all.killProcessGroup, all.warnOnReap]).toEqual([true, true, true]);
  });

  it('reads -p as a forwardable signal', () => {
    expect(init(['-p', 'TERM', 'prog']).parentDeathSignal).toBe(SIGTERM);
    expect(init(['-p', 'SIGHUP', 'prog']).parentDeathSignal).toBe(SIGHUP);
    expect(init(['-p', '10', 'prog']).parentDeathSignal).toBe(10);
    expect(init(['-pusr2', 'prog']).parentDeathSignal).toBe(SIGUSR2);
  });

  it('reads -e (repeatable), -e CODE and -eCODE', () => {
    expect(init(['-e', '3', 'prog']).remapExitCodes).toEqual(new Set([3]));
    expect(init(['-e3', 'prog']).remapExitCodes).toEqual(new Set([3]));
    expect(init(['-e', '3', '-e143', '-e', '0', '-e', '255', 'prog']).remapExitCodes).toEqual(new Set([3, 143, 0, 255]));
    expect(init(['-ve', '7', 'prog']).remapExitCodes).toEqual(new Set([7]));
  });

  it('reads --rewrite and -r (repeatable)', () => {
    const options = init(['-r', 'TERM:USR1', '--rewrite', 'HUP:DROP', '--rewrite=WINCH:0', '-rINT:2', 'prog']);
    expect(options.rewrite).toEqual(
      new Map([
        [SIGTERM, SIGUSR1],
        [SIGHUP, 0],
        [SIGWINCH, 0],
        [SIGINT, 2],
      ]),
    );
  });

  it('lets a later --rewrite of the same signal win', () => {
    expect(init(['-r', 'TERM:USR1', '-r', 'TERM:USR2', 'prog']).rewrite.get(SIGTERM)).toBe(SIGUSR2);
  });

  it('reads --stop-command (repeatable, kept in order) and --stop-timeout', () => {
    const options = init(['-f', '/p', '--stop-command', 'save-all', '--stop-command=stop', '--stop-timeout', '30s', 'prog']);
    expect(options.stopCommands).toEqual(['save-all', 'stop']);
    expect(options.stopTimeoutMs).toBe(30_000);
  });

  it('reads --stop-timeout in its units', () => {
    expect(init(['--stop-timeout', '500ms', 'prog']).stopTimeoutMs).toBe(500);
    expect(init(['--stop-timeout=2m', 'prog']).stopTimeoutMs).toBe(120_000);
    expect(init(['--stop-timeout', '0', 'prog']).stopTimeoutMs).toBe(0);
  });

  it('accepts a stop command of exactly 4095 bytes', () => {
    expect(init(['-f', '/p', '--stop-command', 'x'.repeat(4095), 'prog']).stopCommands[0]).toHaveLength(4095);
    expect(init(['-f', '/p', '--stop-command', '€'.repeat(1365), 'prog']).stopCommands).toHaveLength(1);
  });

  it('counts -v: default 1, up to 3', () => {
    expect(init(['prog']).verbosity).toBe(1);
    expect(init(['-v', 'prog']).verbosity).toBe(2);
    expect(init(['-vv', 'prog']).verbosity).toBe(3);
    expect(init(['-vvv', 'prog']).verbosity).toBe(3);
    expect(init(['-v', '-v', '-v', '-v', 'prog']).verbosity).toBe(3);
  });

  it('counts each v of a cluster', () => {
    expect(init(['-vv', 'prog'], { FIFO_INIT_VERBOSITY: '0' }).verbosity).toBe(2);
    expect(init(['-vsv', 'prog'], { FIFO_INIT_VERBOSITY: '0' }).verbosity).toBe(2);
    expect(init(['-vvv', 'prog'], { FIFO_INIT_VERBOSITY: '0' }).verbosity).toBe(3);
  });
});

describe('parseCommandLine: --help and --version', () => {
  it('returns help for -h and --help', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ command: 'help' });
    expect(parseCommandLine(['-h'], {})).toEqual({ command: 'help' });
  });

  it('returns help even with other options, a program or bad env', () => {
    expect(parseCommandLine(['-v', '--help', 'prog'], {})).toEqual({ command: 'help' });
    expect(parseCommandLine(['-vh'], {})).toEqual({ command: 'help' });
    expect(parseCommandLine(['--help'], { FIFO_INIT_VERBOSITY: 'loud' })).toEqual({ command: 'help' });
  });

  it('returns version for --version', () => {
    expect(parseCommandLine(['--version'], {})).toEqual({ command: 'version' });
    expect(parseCommandLine(['-s', '--version'], {})).toEqual({ command: 'version' });
  });

  it('prefers help over version', () => {
    expect(parseCommandLine(['--version', '--help'], {})).toEqual({ command: 'help' });
  });

  it('gives --help after PROGRAM to PROGRAM', () => {
    expect(init(['prog', '--help']).program).toEqual(['prog', '--help']);
    expect(init(['--', '--help']).program).toEqual(['--help']);
  });

  it('refuses a value given to --help or --version', () => {
    expect(usageCode(['--help=yes'])).toBe(125);
    expect(usageCode(['--version=1'])).toBe(125);
  });
});

describe('parseCommandLine: environment', () => {
  it('reads FIFO_INIT_FIFO', () => {
    expect(init(['prog'], { FIFO_INIT_FIFO: '/run/p' }).fifo).toBe('/run/p');
    expect(init(['prog'], { FIFO_INIT_FIFO: '' }).fifo).toBeUndefined();
  });

  it('reads FIFO_INIT_CREATE as a flag or a mode', () => {
    const env = { FIFO_INIT_FIFO: '/p' };
    for (const flag of ['1', 'true', 'TRUE', 'yes', 'on']) {
      expect(init(['prog'], { ...env, FIFO_INIT_CREATE: flag }).createMode).toBe(0o600);
    }
    expect(init(['prog'], { ...env, FIFO_INIT_CREATE: '0660' }).createMode).toBe(0o660);
    expect(init(['prog'], { ...env, FIFO_INIT_CREATE: '640' }).createMode).toBe(0o640);
    for (const off of ['', '0', 'false', 'no', 'off']) {
      expect(init(['prog'], { ...env, FIFO_INIT_CREATE: off }).createMode).toBeUndefined();
    }
  });

  it('reads FIFO_INIT_PIPE_SIZE', () => {
    expect(init(['prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_PIPE_SIZE: '1M' }).pipeSize).toBe(1_048_576);
    expect(init(['prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_PIPE_SIZE: '' }).pipeSize).toBeUndefined();
  });

  it.each(['FIFO_INIT_SUBREAPER'])('reads %s as a flag', (name) => {
    expect(init(['prog'], { [name]: '1' }).subreaper).toBe(true);
    expect(init(['prog'], { [name]: 'yes' }).subreaper).toBe(true);
    expect(init(['prog'], { [name]: '0' }).subreaper).toBe(false);
    expect(init(['prog'], { [name]: 'false' }).subreaper).toBe(false);
    expect(init(['prog'], { [name]: '1' }).killProcessGroup).toBe(false);
  });

  it.each(['FIFO_INIT_KILL_PROCESS_GROUP'])('reads %s as a flag', (name) => {
    expect(init(['prog'], { [name]: '1' }).killProcessGroup).toBe(true);
    expect(init(['prog'], { [name]: 'on' }).killProcessGroup).toBe(true);
    expect(init(['prog'], { [name]: 'no' }).killProcessGroup).toBe(false);
    expect(init(['prog'], { [name]: '1' }).subreaper).toBe(false);
  });

  it('reads TINI_SUBREAPER and TINI_KILL_PROCESS_GROUP as tini does: set at all means on', () => {
    for (const value of ['', '0', '1']) {
      expect(init(['prog'], { TINI_SUBREAPER: value }).subreaper).toBe(true);
      expect(init(['prog'], { TINI_KILL_PROCESS_GROUP: value }).killProcessGroup).toBe(true);
    }
    expect(init(['prog'], {}).subreaper).toBe(false);
    expect(init(['prog'], { TINI_SUBREAPER: '1' }).killProcessGroup).toBe(false);
  });

  it('refuses a lone CR left in a stop command, naming where it came from', () => {
    const fromEnv = usageError(['prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_STOP_COMMAND: 'save\r\nstop\r' });
    expect(fromEnv.exitCode).toBe(125);
    expect(fromEnv.message).toContain('FIFO_INIT_STOP_COMMAND');
    expect(fromEnv.message).not.toContain('--stop-command');
    expect(fromEnv.message).not.toMatch(/[\r\n]/);
    expect(usageError(['prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_STOP_COMMAND: 'a\rb' }).message).toContain('FIFO_INIT_STOP_COMMAND');
    const fromOption = usageError(['-f', '/p', '--stop-command', 'stop\r', 'prog']);
    expect(fromOption.message).toContain('--stop-command');
    expect(fromOption.message).not.toContain('FIFO_INIT_STOP_COMMAND');
    const tooLong = usageError(['prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_STOP_COMMAND: 'x'.repeat(4096) });
    expect(tooLong.message).toContain('FIFO_INIT_STOP_COMMAND');
  });

  it('counts stop-command bytes as the bytes written (escaped invalid bytes are one byte each)', () => {
    // 4095 lone surrogate escapes (bytes 0x80..0xff that were not UTF-8) are 4095 bytes, not 3 x 4095.
    const escaped = '\udcff'.repeat(4095);
    expect(init(['-f', '/p', '--stop-command', escaped, 'prog']).stopCommands).toEqual([escaped]);
    expect(usageCode(['-f', '/p', '--stop-command', escaped + 'x', 'prog'])).toBe(125);
  });

  it('splits FIFO_INIT_STOP_COMMAND on CRLF too', () => {
    expect(init(['prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_STOP_COMMAND: 'save\r\nstop\r\n' }).stopCommands).toEqual(['save', 'stop']);
  });

  it('reads FIFO_INIT_STOP_COMMAND, one command per line, skipping empty lines', () => {
    const env = { FIFO_INIT_FIFO: '/p' };
    expect(init(['prog'], { ...env, FIFO_INIT_STOP_COMMAND: 'stop' }).stopCommands).toEqual(['stop']);
    expect(init(['prog'], { ...env, FIFO_INIT_STOP_COMMAND: 'save-all\nstop\n' }).stopCommands).toEqual(['save-all', 'stop']);
    expect(init(['prog'], { ...env, FIFO_INIT_STOP_COMMAND: '\nsave-all\n\nstop' }).stopCommands).toEqual(['save-all', 'stop']);
    expect(init(['prog'], { ...env, FIFO_INIT_STOP_COMMAND: '' }).stopCommands).toEqual([]);
    expect(init(['prog'], { FIFO_INIT_STOP_COMMAND: '\n\n' }).stopCommands).toEqual([]);
  });

  it('reads FIFO_INIT_STOP_TIMEOUT', () => {
    expect(init(['prog'], { FIFO_INIT_STOP_TIMEOUT: '500ms' }).stopTimeoutMs).toBe(500);
    expect(init(['prog'], { FIFO_INIT_STOP_TIMEOUT: '30' }).stopTimeoutMs).toBe(30_000);
    expect(init(['prog'], { FIFO_INIT_STOP_TIMEOUT: '' }).stopTimeoutMs).toBe(DEFAULT_STOP_TIMEOUT_MS);
  });

  it('reads FIFO_INIT_VERBOSITY 0-3, and -v adds to it up to 3', () => {
    for (const level of [0, 1, 2, 3]) expect(init(['prog'], { FIFO_INIT_VERBOSITY: String(level) }).verbosity).toBe(level);
    expect(init(['prog'], { FIFO_INIT_VERBOSITY: '' }).verbosity).toBe(1);
    expect(init(['prog'], { FIFO_INIT_VERBOSITY: ' 2 ' }).verbosity).toBe(2);
    expect(init(['-v', 'prog'], { FIFO_INIT_VERBOSITY: '0' }).verbosity).toBe(1);
    expect(init(['-v', 'prog'], { FIFO_INIT_VERBOSITY: '3' }).verbosity).toBe(3);
  });

  it('ignores variables it does not know, and does not read process.env', () => {
    const options = init(['prog'], { TINI_VERBOSITYX: '3', PATH: '/bin', FIFO_INIT_FIFOS: '/x' });
    expect(options.verbosity).toBe(1);
    expect(options.fifo).toBeUndefined();
  });
});

describe('parseCommandLine: the command line overrides the environment', () => {
  it('--fifo over FIFO_INIT_FIFO', () => {
    expect(init(['--fifo', '/cli', 'prog'], { FIFO_INIT_FIFO: '/env' }).fifo).toBe('/cli');
  });

  it('--create over FIFO_INIT_CREATE', () => {
    expect(init(['--create=0640', 'prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_CREATE: '0660' }).createMode).toBe(0o640);
    expect(init(['--create', 'prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_CREATE: '0660' }).createMode).toBe(0o600);
  });

  it('--create over a bad FIFO_INIT_CREATE, which is then never read', () => {
    expect(init(['--create', 'prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_CREATE: 'bogus' }).createMode).toBe(0o600);
  });

  it('--pipe-size over FIFO_INIT_PIPE_SIZE', () => {
    expect(init(['--pipe-size', '64k', 'prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_PIPE_SIZE: '1M' }).pipeSize).toBe(65_536);
    expect(init(['--pipe-size', '64k', 'prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_PIPE_SIZE: 'bad' }).pipeSize).toBe(65_536);
  });

  it('--stop-command replaces FIFO_INIT_STOP_COMMAND (not appended)', () => {
    const env = { FIFO_INIT_FIFO: '/p', FIFO_INIT_STOP_COMMAND: 'env1\nenv2' };
    expect(init(['--stop-command', 'cli', 'prog'], env).stopCommands).toEqual(['cli']);
  });

  it('--stop-timeout over FIFO_INIT_STOP_TIMEOUT', () => {
    expect(init(['--stop-timeout', '2s', 'prog'], { FIFO_INIT_STOP_TIMEOUT: '1m' }).stopTimeoutMs).toBe(2000);
    expect(init(['--stop-timeout', '2s', 'prog'], { FIFO_INIT_STOP_TIMEOUT: 'never' }).stopTimeoutMs).toBe(2000);
  });

  it('-s and -g turn on what the environment leaves off', () => {
    const options = init(['-s', '-g', 'prog'], { FIFO_INIT_SUBREAPER: '0', FIFO_INIT_KILL_PROCESS_GROUP: '0' });
    expect(options.subreaper).toBe(true);
    expect(options.killProcessGroup).toBe(true);
  });
});

describe('parseCommandLine: usage errors exit 125', () => {
  it.each([
    ['an unknown long option', ['--bogus', 'prog']],
    ['an unknown short option', ['-x', 'prog']],
    ['an unknown letter in a cluster', ['-vx', 'prog']],
    ['a tini option fifo-init does not have', ['-l', 'prog']],
    ['--fifo without a value', ['--fifo']],
    ['-f without a value', ['-v', '-f']],
    ['-e without a value', ['-e']],
    ['--stop-timeout without a value', ['--stop-timeout']],
    ['--fifo with an option as its value', ['-f', '-v', 'prog']],
    ['an empty --fifo', ['--fifo=', 'prog']],
    ['a value on a boolean option', ['--exec=yes', 'prog']],
    ['a bad --create mode', ['-f', '/p', '--create=rw', 'prog']],
    ['a --create mode with setuid bits', ['-f', '/p', '--create=4755', 'prog']],
    ['a --create mode out of octal', ['-f', '/p', '--create=0800', 'prog']],
    ['a bad --pipe-size', ['-f', '/p', '--pipe-size', 'lots', 'prog']],
    ['a zero --pipe-size', ['-f', '/p', '--pipe-size', '0', 'prog']],
    ['a --pipe-size over 2 GiB', ['-f', '/p', '--pipe-size', '2g', 'prog']],
    ['a bad --stop-timeout', ['--stop-timeout', '10 s', 'prog']],
    ['a negative --stop-timeout', ['--stop-timeout=-1s', 'prog']],
    ['a bad -e', ['-e', 'x', 'prog']],
    ['an -e over 255', ['-e', '256', 'prog']],
    ['a negative -e', ['-e-1', 'prog']],
    ['one bad -e among good ones', ['-e', '1', '-e', '300', 'prog']],
    ['a bad -p', ['-p', 'NOPE', 'prog']],
    ['-p 0', ['-p', '0', 'prog']],
    ['-p beyond the last signal', ['-p', '65', 'prog']],
    ['-p with no signal', ['-p', 'NOPE', 'prog']],
    ['--preserve-fds that is no count', ['--preserve-fds', '-1', 'prog']],
    ['--preserve-fds too large', ['--preserve-fds', '70000', 'prog']],
    ['a --stop-timeout past the timer maximum', ['-f', '/p', '--stop-timeout', '600h', 'prog']],
    ['a bare --stop-timeout past the timer maximum', ['-f', '/p', '--stop-timeout', '2147484', 'prog']],
    ['a --rewrite without a colon', ['-r', 'TERM', 'prog']],
    ['a --rewrite with a bad signal', ['-r', 'TERM:NOPE', 'prog']],
    ['a --rewrite of an uncatchable signal', ['-r', 'KILL:TERM', 'prog']],
    ['--stop-command without --fifo', ['--stop-command', 'stop', 'prog']],
    ['--stop-command with --exec', ['-f', '/p', '--exec', '--stop-command', 'stop', 'prog']],
    ['a stop command with a newline', ['-f', '/p', '--stop-command', 'save\nstop', 'prog']],
    ['a stop command of 4096 bytes', ['-f', '/p', '--stop-command', 'x'.repeat(4096), 'prog']],
    ['a stop command of 4098 bytes in 3-byte characters', ['-f', '/p', '--stop-command', '€'.repeat(1366), 'prog']],
    ['one bad stop command among good ones', ['-f', '/p', '--stop-command', 'ok', '--stop-command', 'a\nb', 'prog']],
    ['--create without --fifo', ['--create', 'prog']],
    ['--pipe-size without --fifo', ['--pipe-size', '64k', 'prog']],
    ['a missing PROGRAM', ['-f', '/p', '-v']],
  ])('%s', (_what, args) => {
    expect(usageCode(args)).toBe(125);
  });

  it.each([
    ['FIFO_INIT_CREATE not a flag nor a mode', { FIFO_INIT_FIFO: '/p', FIFO_INIT_CREATE: 'sometimes' }],
    ['FIFO_INIT_CREATE with a bad mode', { FIFO_INIT_FIFO: '/p', FIFO_INIT_CREATE: '0999' }],
    ['FIFO_INIT_PIPE_SIZE bad', { FIFO_INIT_FIFO: '/p', FIFO_INIT_PIPE_SIZE: '1T' }],
    ['FIFO_INIT_STOP_TIMEOUT bad', { FIFO_INIT_STOP_TIMEOUT: 'soon' }],
    ['FIFO_INIT_VERBOSITY above 3', { FIFO_INIT_VERBOSITY: '4' }],
    ['FIFO_INIT_VERBOSITY not a number', { FIFO_INIT_VERBOSITY: 'debug' }],
    ['FIFO_INIT_VERBOSITY negative', { FIFO_INIT_VERBOSITY: '-1' }],
    ['FIFO_INIT_STOP_COMMAND without a FIFO', { FIFO_INIT_STOP_COMMAND: 'stop' }],
    ['FIFO_INIT_STOP_COMMAND with a line over 4095 bytes', { FIFO_INIT_FIFO: '/p', FIFO_INIT_STOP_COMMAND: `ok\n${'x'.repeat(4096)}` }],
    ['FIFO_INIT_CREATE without a FIFO', { FIFO_INIT_CREATE: '1' }],
    ['FIFO_INIT_PIPE_SIZE without a FIFO', { FIFO_INIT_PIPE_SIZE: '64k' }],
  ])('%s', (_what, env: Env) => {
    expect(usageCode(['prog'], env)).toBe(125);
  });

  it('refuses FIFO_INIT_STOP_COMMAND together with --exec', () => {
    expect(usageCode(['--exec', 'prog'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_STOP_COMMAND: 'stop' })).toBe(125);
  });

  it('names the option that is wrong', () => {
    expect(usageError(['--bogus', 'prog']).message).toContain('--bogus');
    expect(usageError(['-x', 'prog']).message).toContain('-x');
    expect(usageError(['--fifo']).message).toContain('fifo');
    expect(usageError(['-e', 'x', 'prog']).message).toContain('-e');
    expect(usageError(['--stop-command', 'stop', 'prog']).message).toContain('--fifo');
  });

  it('throws a one-line message', () => {
    for (const args of [['--bogus', 'prog'], ['--fifo'], ['-f', '-v', 'prog'], ['-e', 'x', 'prog'], ['-f', '/p', '--stop-command', 'x'.repeat(5000), 'prog']]) {
      expect(usageError(args).message).not.toContain('\n');
    }
  });

  // Known bug (reported, not fixed here): the refused stop command is quoted
  // raw, so its own newline splits the message over two lines (SPEC: "one
  // line saying what is wrong"). Turn this into a plain `it` once fixed.
  it('throws a one-line message for a stop command with a newline', () => {
    expect(usageError(['-f', '/p', '--stop-command', 'save\nstop', 'prog']).message).not.toContain('\n');
  });
});

describe('parseRewrite', () => {
  it('reads names, numbers and SIG-names on both sides', () => {
    expect(parseRewrite('TERM:USR1')).toEqual([SIGTERM, SIGUSR1]);
    expect(parseRewrite('SIGTERM:SIGUSR1')).toEqual([SIGTERM, SIGUSR1]);
    expect(parseRewrite('term:usr1')).toEqual([SIGTERM, SIGUSR1]);
    expect(parseRewrite(`${SIGTERM}:${SIGUSR1}`)).toEqual([SIGTERM, SIGUSR1]);
  });

  it('reads TO 0 or DROP (any case) as drop', () => {
    expect(parseRewrite('15:0')).toEqual([SIGTERM, 0]);
    expect(parseRewrite('HUP:DROP')).toEqual([SIGHUP, 0]);
    expect(parseRewrite('SIGHUP:drop')).toEqual([SIGHUP, 0]);
    expect(parseRewrite('HUP:Drop')).toEqual([SIGHUP, 0]);
  });

  it('lets TO be any signal, even one that is not forwarded', () => {
    expect(parseRewrite('TERM:KILL')).toEqual([SIGTERM, SIGKILL]);
    expect(parseRewrite('TERM:34')).toEqual([SIGTERM, 34]);
    expect(parseRewrite('TERM:64')).toEqual([SIGTERM, 64]);
  });

  it.each([
    '',
    ':',
    'TERM',
    'TERM:',
    ':USR1',
    'TERM:USR1:HUP',
    'TERM::USR1',
    'NOPE:USR1',
    'TERM:NOPE',
    'TERM:65',
    'TERM:-1',
    '0:TERM',
    'DROP:TERM',
    'KILL:TERM',
    'STOP:TERM',
    'CHLD:TERM',
    'TTIN:TERM',
    'SEGV:TERM',
    '32:TERM',
  ])('refuses %j with 125', (text) => {
    let error: unknown;
    try {
      parseRewrite(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(125);
  });
});

describe('envFlag', () => {
  it('is off when unset', () => {
    expect(envFlag(undefined)).toBe(false);
  });

  it.each(['', '0', 'false', 'FALSE', 'False', 'no', 'NO', 'off', 'Off', ' 0 ', ' no\n', '  '])('is off for %j', (value) => {
    expect(envFlag(value)).toBe(false);
  });

  it.each(['1', 'true', 'TRUE', 'yes', 'on', 'y', '2', 'anything', '00'])('is on for %j', (value) => {
    expect(envFlag(value)).toBe(true);
  });
});

describe('parseCommandLine: send', () => {
  it('reads --fifo and TEXT arguments', () => {
    expect(send(['--fifo', '/p', 'reload', 'config'])).toEqual({
      command: 'send',
      fifo: '/p',
      timeoutMs: DEFAULT_SEND_TIMEOUT_MS,
      lines: ['reload', 'config'],
    });
    expect(DEFAULT_SEND_TIMEOUT_MS).toBe(5000);
  });

  it('reads -f, -fPATH and --fifo=PATH', () => {
    expect(send(['-f', '/p', 'x']).fifo).toBe('/p');
    expect(send(['-f/p', 'x']).fifo).toBe('/p');
    expect(send(['--fifo=/p', 'x']).fifo).toBe('/p');
  });

  it('reads lines from stdin when no TEXT is given', () => {
    expect(send(['-f', '/p']).lines).toBeUndefined();
    expect(send(['-f', '/p', '--']).lines).toBeUndefined();
  });

  it('takes the FIFO from FIFO_INIT_FIFO, the command line winning', () => {
    expect(send(['x'], { FIFO_INIT_FIFO: '/env' }).fifo).toBe('/env');
    expect(send(['-f', '/cli', 'x'], { FIFO_INIT_FIFO: '/env' }).fifo).toBe('/cli');
  });

  it('reads --timeout and -t', () => {
    expect(send(['-f', '/p', '--timeout', '500ms', 'x']).timeoutMs).toBe(500);
    expect(send(['-f', '/p', '--timeout=2s', 'x']).timeoutMs).toBe(2000);
    expect(send(['-f', '/p', '-t', '1m', 'x']).timeoutMs).toBe(60_000);
    expect(send(['-f', '/p', '-t0', 'x']).timeoutMs).toBe(0);
  });

  it('stops options at the first TEXT, and at --', () => {
    expect(send(['-f', '/p', 'hello', '-t', '1s']).lines).toEqual(['hello', '-t', '1s']);
    expect(send(['-f', '/p', 'hello', '-t', '1s']).timeoutMs).toBe(DEFAULT_SEND_TIMEOUT_MS);
    expect(send(['-f', '/p', '--', '-x', '--help']).lines).toEqual(['-x', '--help']);
  });

  it('keeps an empty TEXT as an empty line', () => {
    expect(send(['-f', '/p', '--', '', 'x']).lines).toEqual(['', 'x']);
  });

  it('returns send-help for -h and --help', () => {
    expect(parseCommandLine(['send', '--help'], {})).toEqual({ command: 'send-help' });
    expect(parseCommandLine(['send', '-h'], {})).toEqual({ command: 'send-help' });
    expect(parseCommandLine(['send', '-f', '/p', '-h'], {})).toEqual({ command: 'send-help' });
  });

  it('ignores the init-only environment', () => {
    const options = send(['x'], { FIFO_INIT_FIFO: '/p', FIFO_INIT_VERBOSITY: 'bogus', FIFO_INIT_STOP_TIMEOUT: 'bogus' });
    expect(options.timeoutMs).toBe(DEFAULT_SEND_TIMEOUT_MS);
  });

  it.each([
    ['no FIFO at all', [], {}],
    ['an empty FIFO_INIT_FIFO', ['x'], { FIFO_INIT_FIFO: '' }],
    ['an empty --fifo', ['--fifo=', 'x'], {}],
    ['an unknown option', ['-f', '/p', '--bogus', 'x'], {}],
    ['an init option', ['-f', '/p', '-v', 'x'], {}],
    ['--fifo without a value', ['--fifo'], {}],
    ['--timeout without a value', ['-f', '/p', '--timeout'], {}],
    ['a bad --timeout', ['-f', '/p', '--timeout', 'soon', 'x'], {}],
    ['a negative --timeout', ['-f', '/p', '--timeout=-1', 'x'], {}],
    ['a value on --help', ['--help=1'], {}],
  ])('exits 64 on %s', (_what, args: string[], env: Env) => {
    expect(usageCode(['send', ...args], env)).toBe(64);
  });
});

describe('parseCommandLine: tini compatibility (issue 9.13)', () => {
  it('-p SIGKILL and -p KILL are accepted, as in tini\'s own help', () => {
    expect(init(['-p', 'SIGKILL', 'prog']).parentDeathSignal).toBe(9);
    expect(init(['-p', 'KILL', 'prog']).parentDeathSignal).toBe(9);
  });
  it('TINI_VERBOSITY is honoured on tini\'s scale; FIFO_INIT_VERBOSITY wins over it', () => {
    expect([0, 1, 2, 3, 4, 9].map((level) => init(['prog'], { TINI_VERBOSITY: String(level) }).verbosity)).toEqual([0, 1, 1, 2, 3, 3]);
    expect(init(['prog'], { TINI_VERBOSITY: '4', FIFO_INIT_VERBOSITY: '0' }).verbosity).toBe(0);
    expect(() => init(['prog'], { TINI_VERBOSITY: 'loud' })).toThrow(UsageError);
  });
  it('the long names are the documented ones', () => {
    const options = init(['--subreaper', '--kill-group', '--pdeath-signal', 'HUP', '--expect-exit', '3', '--warn-reap', '--verbose', 'prog']);
    expect([options.subreaper, options.killProcessGroup, options.parentDeathSignal, [...options.remapExitCodes], options.warnOnReap, options.verbosity]).toEqual([
      true, true, 1, [3], true, 2,
    ]);
    for (const name of ['--subreaper', '--kill-group', '--pdeath-signal', '--expect-exit', '--warn-reap', '--verbose', '--preserve-fds']) {
      expect(USAGE).toContain(name);
    }
  });
  it('--preserve-fds and FIFO_INIT_PRESERVE_FDS give a count; the option wins', () => {
    expect(init(['prog']).preserveFds).toBe(0);
    expect(init(['--preserve-fds', '2', 'prog']).preserveFds).toBe(2);
    expect(init(['prog'], { FIFO_INIT_PRESERVE_FDS: '3' }).preserveFds).toBe(3);
    expect(init(['--preserve-fds=1', 'prog'], { FIFO_INIT_PRESERVE_FDS: '3' }).preserveFds).toBe(1);
  });
  it('a real-time signal can be rewritten: RTMIN+1:TERM', () => {
    expect(parseRewrite('RTMIN+1:TERM')).toEqual([35, 15]);
  });
});

describe('parseCommandLine: console features (issue 12)', () => {
  it('keeps --stop-command and --stop-wait in the order given', () => {
    expect(init(['-f', '/p', '--stop-command', 'say bye', '--stop-wait', '30s', '--stop-command', 'save', '--stop-command', 'stop', 'prog']).stopSequence).toEqual([
      { kind: 'command', text: 'say bye' },
      { kind: 'wait', ms: 30_000 },
      { kind: 'command', text: 'save' },
      { kind: 'command', text: 'stop' },
    ]);
  });
  it('FIFO_INIT_STOP_SEQUENCE: `command TEXT` / `wait DURATION` lines; not together with FIFO_INIT_STOP_COMMAND', () => {
    const options = init(['-f', '/p', 'prog'], { FIFO_INIT_STOP_SEQUENCE: 'command say bye\r\nwait 2m\ncommand stop' });
    expect(options.stopSequence).toEqual([{ kind: 'command', text: 'say bye' }, { kind: 'wait', ms: 120_000 }, { kind: 'command', text: 'stop' }]);
    expect(options.stopCommands).toEqual(['say bye', 'stop']);
    expect(() => init(['-f', '/p', 'prog'], { FIFO_INIT_STOP_SEQUENCE: 'pause 2m' })).toThrow(UsageError);
    expect(() => init(['-f', '/p', 'prog'], { FIFO_INIT_STOP_SEQUENCE: 'command stop', FIFO_INIT_STOP_COMMAND: 'stop' })).toThrow(UsageError);
  });
  it('refuses pauses without a command, and a pause past the timer maximum', () => {
    expect(() => init(['-f', '/p', '--stop-wait', '1s', 'prog'])).toThrow(UsageError);
    expect(() => init(['-f', '/p', '--stop-command', 'stop', '--stop-wait', '600h', 'prog'])).toThrow(/2147483647ms/);
  });
  it('--signal-command SIG:TEXT (TEXT may hold colons), repeatable per signal; TERM/INT, an unknown signal and a clash with --rewrite are refused', () => {
    const options = init(['-f', '/p', '--signal-command', 'USR1:save-all', '--signal-command', 'SIGUSR1:say a:b', '--signal-command', 'RTMIN+1:backup', 'prog']);
    expect([...options.signalCommands]).toEqual([[10, ['save-all', 'say a:b']], [35, ['backup']]]);
    for (const bad of [['--signal-command', 'TERM:stop'], ['--signal-command', 'INT:stop'], ['--signal-command', 'NOPE:x'], ['--signal-command', 'USR1:'], ['--signal-command', 'USR1']]) {
      expect(() => init(['-f', '/p', ...bad, 'prog'])).toThrow(UsageError);
    }
    expect(() => init(['-f', '/p', '--signal-command', 'USR1:save', '-r', 'USR1:HUP', 'prog'])).toThrow(/both --rewrite and --signal-command/);
    expect(() => init(['--signal-command', 'USR1:save', 'prog'])).toThrow(/needs --fifo/);
  });
  it('start-up commands and file; they need --fifo and cannot work with --exec', () => {
    const options = init(['-f', '/p', '--startup-command', 'say hi', '--startup-command', 'op me', '--startup-file', '/etc/boot', 'prog']);
    expect([options.startupCommands, options.startupFile]).toEqual([['say hi', 'op me'], '/etc/boot']);
    expect(() => init(['--startup-command', 'x', 'prog'])).toThrow(UsageError);
    expect(() => init(['-f', '/p', '--exec', '--startup-command', 'x', 'prog'])).toThrow(UsageError);
    expect(() => init(['-f', '/p', '--startup-command', 'a\nb', 'prog'])).toThrow(UsageError);
  });
  it('--no-relay-stdin and FIFO_INIT_RELAY_STDIN; --leftover-grace and FIFO_INIT_LEFTOVER_GRACE', () => {
    expect(init(['prog']).relayStdin).toBe(true);
    expect(init(['--no-relay-stdin', 'prog']).relayStdin).toBe(false);
    expect(init(['prog'], { FIFO_INIT_RELAY_STDIN: 'off' }).relayStdin).toBe(false);
    expect(init(['prog'], { FIFO_INIT_RELAY_STDIN: '1' }).relayStdin).toBe(true);
    expect(init(['--leftover-grace', '5s', 'prog']).leftoverGraceMs).toBe(5000);
    expect(init(['prog'], { FIFO_INIT_LEFTOVER_GRACE: '250ms' }).leftoverGraceMs).toBe(250);
  });
  it('every behaviour option has its FIFO_INIT_* twin; the command line wins', () => {
    const env = {
      FIFO_INIT_FIFO: '/p',
      FIFO_INIT_EXEC: '1',
      FIFO_INIT_PDEATH_SIGNAL: 'HUP',
      FIFO_INIT_EXPECT_EXIT: '3, 4',
      FIFO_INIT_REWRITE: 'TERM:USR1 HUP:DROP',
      FIFO_INIT_WARN_REAP: 'yes',
    };
    const options = init(['prog'], env);
    expect([options.exec, options.parentDeathSignal, [...options.remapExitCodes], [...options.rewrite], options.warnOnReap]).toEqual([
      true, 1, [3, 4], [[15, 10], [1, 0]], true,
    ]);
    const cli = init(['-p', 'USR2', '-e', '7', '-r', 'INT:QUIT', 'prog'], env);
    expect([cli.parentDeathSignal, [...cli.remapExitCodes], [...cli.rewrite]]).toEqual([12, [7], [[2, 3]]]);
  });
});

describe('parseCommandLine: --nofile-soft (issue 9.10)', () => {
  it('gives PROGRAM\'s soft limit of open files; unset by default; the option wins over FIFO_INIT_NOFILE_SOFT', () => {
    expect(init(['prog']).nofileSoft).toBeUndefined();
    expect(init(['--nofile-soft', '1024', 'prog']).nofileSoft).toBe(1024);
    expect(init(['--nofile-soft=64', 'prog']).nofileSoft).toBe(64);
    expect(init(['prog'], { FIFO_INIT_NOFILE_SOFT: '4096' }).nofileSoft).toBe(4096);
    expect(init(['--nofile-soft', '100', 'prog'], { FIFO_INIT_NOFILE_SOFT: '4096' }).nofileSoft).toBe(100);
    expect(init(['prog'], { FIFO_INIT_NOFILE_SOFT: '' }).nofileSoft).toBeUndefined();
    expect(USAGE).toContain('--nofile-soft');
  });
  it.each([['0'], ['-1'], ['lots'], ['1k'], ['2147483648'], ['']])('refuses %j with a usage error (125)', (value) => {
    expect(() => init([`--nofile-soft=${value}`, 'prog'])).toThrow(UsageError);
    if (value !== '') expect(() => init(['prog'], { FIFO_INIT_NOFILE_SOFT: value })).toThrow(UsageError);
  });
});
