/**
 * argv + environment -> options, and the usage text. Pure: argv and env are
 * passed in, nothing here reads globals or exits (SPEC "Command line").
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { EXIT, SEND_EXIT, UsageError } from './errors.js';
import { LEVEL } from './log.js';
import type { StopStep } from './stop.js';
import { forwardedSignals, maxSignal, parseSignal, signalName } from './signal-table.js';
import { byteLength } from './bytes.js';
import { formatMode, MAX_DURATION_TEXT, parseDuration, parseExitCode, parseMode, parseSize } from './units.js';

/** PIPE_BUF on Linux: writes up to this size into a pipe are atomic. See: pipe(7). */
export const PIPE_BUF = 4096;

export const DEFAULT_CREATE_MODE = 0o600;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_SEND_TIMEOUT_MS = 5_000;
/** How long a second init waits for the first to let go of the FIFO (--lock-timeout). */
export const DEFAULT_LOCK_TIMEOUT_MS = 5_000;

type Env = Readonly<Record<string, string | undefined>>;

/** Everything the init needs to know, decided once. */
export interface InitOptions {
  command: 'init';
  /** PROGRAM and its arguments (never empty). */
  program: string[];
  fifo?: string | undefined;
  /** Mode for --create, or undefined when the FIFO must already exist. */
  createMode?: number | undefined;
  pipeSize?: number | undefined;
  /** How long to wait while another process holds the FIFO's lock; 0 refuses at once. */
  lockTimeoutMs: number;
  exec: boolean;
  subreaper: boolean;
  killProcessGroup: boolean;
  parentDeathSignal?: number | undefined;
  remapExitCodes: Set<number>;
  /** FROM -> TO; TO 0 drops the signal. */
  rewrite: Map<number, number>;
  stopCommands: string[];
  stopTimeoutMs: number;
  warnOnReap: boolean;
  verbosity: number;
  /** --preserve-fds N: fds 3..3+N-1 reach PROGRAM. */
  preserveFds: number;
  /** Stop commands and pauses, in the order given (stopCommands are its commands). */
  stopSequence: StopStep[];
  /** Lines typed into the FIFO right after PROGRAM starts (before those of startupFile). */
  startupCommands: string[];
  /** A file of start-up lines, read when the init starts. */
  startupFile?: string | undefined;
  /** Signal -> the console commands it is turned into (instead of being forwarded). */
  signalCommands: Map<number, string[]>;
  /** Relay complete lines of the init's own stdin into the FIFO (when it is readable). */
  relayStdin: boolean;
  /** --leftover-grace: SIGTERM what PROGRAM left, wait this long, then SIGKILL; 0 = off. */
  leftoverGraceMs: number;
  /** --nofile-soft N: PROGRAM's RLIMIT_NOFILE soft limit; undefined leaves what Node set (the hard limit). */
  nofileSoft?: number | undefined;
}

export interface SendOptions {
  command: 'send';
  fifo: string;
  timeoutMs: number;
  /** Lines to send; undefined means "read lines from stdin". */
  lines?: string[] | undefined;
}

export type Parsed = InitOptions | SendOptions | { command: 'help' | 'send-help' | 'version' };

export const INIT_OPTIONS = {
  fifo: { type: 'string', short: 'f' },
  create: { type: 'string' },
  'pipe-size': { type: 'string' },
  'lock-timeout': { type: 'string' },
  exec: { type: 'boolean' },
  subreaper: { type: 'boolean', short: 's' },
  'kill-group': { type: 'boolean', short: 'g' },
  'pdeath-signal': { type: 'string', short: 'p' },
  'expect-exit': { type: 'string', short: 'e', multiple: true },
  rewrite: { type: 'string', short: 'r', multiple: true },
  'stop-command': { type: 'string', multiple: true },
  'stop-timeout': { type: 'string' },
  'warn-reap': { type: 'boolean', short: 'w' },
  'preserve-fds': { type: 'string' },
  'stop-wait': { type: 'string', multiple: true },
  'startup-command': { type: 'string', multiple: true },
  'startup-file': { type: 'string' },
  'signal-command': { type: 'string', multiple: true },
  'no-relay-stdin': { type: 'boolean' },
  'leftover-grace': { type: 'string' },
  'nofile-soft': { type: 'string' },
  verbose: { type: 'boolean', short: 'v', multiple: true },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig;

export const SEND_OPTIONS = {
  fifo: { type: 'string', short: 'f' },
  timeout: { type: 'string', short: 't' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

/**
 * Index where the option words end, so options stop at the first non-option
 * word (as dumb-init): `fifo-init prog -v` gives `-v` to prog.
 * Returns [optionWords, rest] with a literal `--` removed.
 */
export function splitAtProgram(args: readonly string[], config: ParseArgsOptionsConfig): [string[], string[]] {
  const takesValue = new Set<string>();
  for (const [long, spec] of Object.entries(config)) {
    if (spec.type === 'string') {
      takesValue.add(`--${long}`);
      if (spec.short) takesValue.add(spec.short);
    }
  }
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg === '--') return [args.slice(0, i), args.slice(i + 1)];
    if (!arg.startsWith('-') || arg === '-') break;
    i += 1;
    if (arg.startsWith('--')) {
      if (arg === '--create' && i < args.length && /^0?[0-7]{3}$/.test(args[i]!)) {
        // `--create 0660` would create a 0600 FIFO and run a program named 0660 (issue 10.11).
        throw new UsageError(`--create takes its mode attached: write --create=${args[i]} (a separate word is taken as PROGRAM; put -- before a program really named ${args[i]})`);
      }
      if (!arg.includes('=') && takesValue.has(arg) && arg !== '--create') i += 1;
      continue;
    }
    // A cluster of short options: the first one that takes a value eats the
    // rest of the word, or the next word when nothing is left.
    for (let k = 1; k < arg.length; k++) {
      if (takesValue.has(arg[k]!)) {
        if (k === arg.length - 1) i += 1;
        break;
      }
    }
  }
  return [args.slice(0, i), args.slice(i)];
}

type Tokens = NonNullable<ReturnType<typeof parseArgs>['tokens']>;

/** Runs parseArgs and turns its errors into one-line usage errors. */
function parseOptionWords(words: string[], config: ParseArgsOptionsConfig, exitCode: number): Tokens {
  // `--create` takes an optional value, which parseArgs cannot express.
  const args = words.map((word) => (word === '--create' ? '--create=' : word));
  try {
    return parseArgs({ args, options: config, strict: true, allowPositionals: false, tokens: true }).tokens;
  } catch (error) {
    const message = (error as Error).message;
    const option = /'([^']+)'/.exec(message)?.[1]?.split(',').pop()?.trim().split(' ')[0] ?? '';
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option '${option}'`, exitCode);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/argument missing/.test(message)) throw new UsageError(`option '${option}' needs a value`, exitCode);
      if (/ambiguous/.test(message)) {
        // parseArgs takes `--name=-VALUE` and `-x-VALUE`; `-x=-VALUE` would give the value '=-VALUE'.
        const long = /'(--[^'=]+)=-XYZ'/.exec(message)?.[1];
        const forms = option.startsWith('--') ? `${option}=-VALUE` : `${option}-VALUE${long ? ` or ${long}=-VALUE` : ''}`;
        throw new UsageError(`option '${option}' needs a value; to give one that starts with '-', write ${forms}`, exitCode);
      }
      throw new UsageError(`option '${option}' takes no value`, exitCode);
    }
    throw new UsageError(message.split('\n')[0]!, exitCode);
  }
}

/** True for a set environment flag; "0", "false", "no" and "" turn it off. */
export function envFlag(value: string | undefined): boolean {
  if (value === undefined) return false;
  return !['', '0', 'false', 'no', 'off'].includes(value.trim().toLowerCase());
}

function bad(what: string, value: string, expected: string): never {
  throw new UsageError(`invalid ${what} '${value}': expected ${expected}`);
}

function signalArg(what: string, text: string, allowZero = false): number {
  const signal = parseSignal(text, undefined, allowZero);
  if (signal === undefined) bad(what, text, allowZero ? 'a signal name or number, or 0/DROP' : 'a signal name or number');
  return signal;
}

/** A signal the init can receive and forward (so `-p` and `--rewrite FROM` can ever happen). */
function forwardableArg(what: string, text: string): number {
  const signal = signalArg(what, text);
  if (!forwardedSignals().some((entry) => entry.number === signal)) {
    throw new UsageError(`invalid ${what} '${text}': fifo-init cannot catch that signal, so it is never forwarded`);
  }
  return signal;
}

/** `TERM:USR1`, `15:0`, `SIGHUP:DROP`. */
export function parseRewrite(text: string): [number, number] {
  const parts = text.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) bad('--rewrite', text, 'FROM:TO, e.g. TERM:USR1 or HUP:DROP');
  const from = forwardableArg('--rewrite', parts[0]);
  const to = /^drop$/i.test(parts[1]) ? 0 : signalArg('--rewrite', parts[1], true);
  if (to > maxSignal()) bad('--rewrite', text, 'a signal number up to ' + maxSignal());
  return [from, to];
}

/**
 * A --create mode the init can use: the owner (fifo-init itself) must be able
 * to open what it creates read/write, or the FIFO is left behind unusable and
 * every restart fails on it (issue 10.4).
 */
function usableCreateMode(what: string, value: string, mode: number): number {
  if ((mode & 0o600) !== 0o600) {
    throw new UsageError(`invalid ${what} '${value}': fifo-init must be able to read and write the FIFO it creates, so the owner needs rw (e.g. ${formatMode(mode | 0o600)})`);
  }
  return mode;
}

function parseCreate(value: string): number {
  if (value === '') return DEFAULT_CREATE_MODE;
  const mode = parseMode(value);
  if (mode === undefined) bad('--create mode', value, 'an octal mode such as 0600 or 0660');
  return usableCreateMode('--create mode', value, mode);
}

/** FIFO_INIT_CREATE: a flag ("1", "true") for the default mode, or an octal mode. */
function envCreate(value: string | undefined): number | undefined {
  if (value === undefined || !envFlag(value)) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase())) return DEFAULT_CREATE_MODE;
  const mode = parseMode(value);
  if (mode === undefined) bad('FIFO_INIT_CREATE', value, 'a flag (1) or an octal mode such as 0660');
  return usableCreateMode('FIFO_INIT_CREATE', value, mode);
}

/**
 * tini's verbosity scale on ours: tini prints fatal errors from 1 (its
 * default), warnings from 2, info from 3, debug from 4; we print errors
 * from 0 and warnings from 1 (our default), so tini's 1 and 2 are our 1.
 * See: tini.c PRINT_FATAL..PRINT_DEBUG.
 */
export function tiniVerbosity(level: number): number {
  return [LEVEL.ERROR, LEVEL.WARN, LEVEL.WARN, LEVEL.INFO][level] ?? LEVEL.DEBUG;
}

function verbosityFrom(env: Env, count: number): number {
  const fromEnv = env.FIFO_INIT_VERBOSITY;
  const fromTini = env.TINI_VERBOSITY;
  let base: number = LEVEL.WARN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^[0-3]$/.test(fromEnv.trim())) bad('FIFO_INIT_VERBOSITY', fromEnv, 'a level from 0 to 3');
    base = Number(fromEnv);
  } else if (fromTini !== undefined && fromTini !== '') {
    if (!/^\d{1,3}$/.test(fromTini.trim())) bad('TINI_VERBOSITY', fromTini, "a number, as tini's -v count");
    base = tiniVerbosity(Number(fromTini));
  }
  return Math.min(LEVEL.DEBUG, base + count);
}

/** Most descriptors --preserve-fds may name (runc takes any count; this bounds a typo). */
const MAX_PRESERVE_FDS = 65536;

/** Stop commands are one console line each, written atomically; `source` names where they came from. */
function stopCommandCheck(commands: string[], source: string): string[] {
  for (const command of commands) {
    if (/[\r\n]/.test(command)) bad(source, JSON.stringify(command), 'one line (no newline or carriage return inside)');
    if (byteLength(command) + 1 > PIPE_BUF) {
      bad(source, `${command.slice(0, 20)}...`, `at most ${PIPE_BUF - 1} bytes, so it is written atomically`);
    }
  }
  return commands;
}

/** The lines of a multi-line environment value; CRLF ends a line like LF; empty lines are skipped. */
function envLines(value: string | undefined): string[] {
  return (value ?? '').split(/\r?\n/).filter((line) => line !== '');
}

/** A list in one environment value: words separated by commas, spaces or newlines. */
function envList(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((word) => word !== '');
}

function durationArg(what: string, text: string): number {
  return parseDuration(text) ?? bad(what, text, `a duration such as 500ms, 30s or 2m, at most ${MAX_DURATION_TEXT}`);
}

/**
 * FIFO_INIT_STOP_SEQUENCE: one step per line, `command TEXT` or `wait DURATION`,
 * the same steps as --stop-command and --stop-wait in that order.
 */
function envStopSequence(value: string): StopStep[] {
  return envLines(value).map((line) => {
    const match = /^(command|wait) (.*)$/.exec(line);
    if (!match) bad('FIFO_INIT_STOP_SEQUENCE line', JSON.stringify(line), "'command TEXT' or 'wait DURATION'");
    return match[1] === 'wait'
      ? { kind: 'wait', ms: durationArg('FIFO_INIT_STOP_SEQUENCE wait', match[2]!) }
      : { kind: 'command', text: stopCommandCheck([match[2]!], 'FIFO_INIT_STOP_SEQUENCE')[0]! };
  });
}

/** The stop sequence: from the command line in token order, else FIFO_INIT_STOP_SEQUENCE or FIFO_INIT_STOP_COMMAND. */
function stopSequenceFrom(tokens: Tokens, env: Env): StopStep[] {
  const steps: StopStep[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'stop-command') steps.push({ kind: 'command', text: stopCommandCheck([token.value ?? ''], '--stop-command')[0]! });
    if (token.name === 'stop-wait') steps.push({ kind: 'wait', ms: durationArg('--stop-wait', token.value ?? '') });
  }
  if (steps.length === 0) {
    if (env.FIFO_INIT_STOP_SEQUENCE && env.FIFO_INIT_STOP_COMMAND) {
      throw new UsageError('set FIFO_INIT_STOP_SEQUENCE or FIFO_INIT_STOP_COMMAND, not both');
    }
    if (env.FIFO_INIT_STOP_SEQUENCE) steps.push(...envStopSequence(env.FIFO_INIT_STOP_SEQUENCE));
    // FIFO_INIT_STOP_COMMAND holds one command per line; CRLF ends a line like LF, a lone CR stays and is refused.
    else for (const text of stopCommandCheck(envLines(env.FIFO_INIT_STOP_COMMAND), 'FIFO_INIT_STOP_COMMAND')) steps.push({ kind: 'command', text });
  }
  if (steps.length > 0 && !steps.some((step) => step.kind === 'command')) {
    throw new UsageError('--stop-wait needs a --stop-command: a stop sequence of pauses alone would type nothing');
  }
  return steps;
}

/** `USR1:save-all`: the signal, then the command (which may hold colons itself). */
export function parseSignalCommand(text: string, source = '--signal-command'): [number, string] {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) bad(source, text, 'SIGNAL:COMMAND, e.g. USR1:save-all');
  const signal = forwardableArg(source, text.slice(0, at));
  if (signal === 15 || signal === 2) {
    throw new UsageError(`${source} '${text}': SIGTERM and SIGINT start the stop sequence; use --stop-command for them`);
  }
  return [signal, stopCommandCheck([text.slice(at + 1)], source)[0]!];
}

/**
 * Parses `fifo-init [OPTIONS] [--] PROGRAM [ARGS...]` and `fifo-init send ...`.
 * `args` excludes the executable itself. Throws UsageError on any bad input.
 */
export function parseCommandLine(args: readonly string[], env: Env): Parsed {
  if (args[0] === 'send') return parseSend(args.slice(1), env);
  const [words, program] = splitAtProgram(args, INIT_OPTIONS);
  const tokens = parseOptionWords(words, INIT_OPTIONS, EXIT.INIT_FAILED);
  const seen = new Map<string, string[]>();
  let verboseCount = 0;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'verbose') verboseCount += 1;
    seen.set(token.name, [...(seen.get(token.name) ?? []), token.value ?? '']);
  }
  const one = (name: string): string | undefined => seen.get(name)?.at(-1);
  const all = (name: string): string[] => seen.get(name) ?? [];

  if (seen.has('help')) return { command: 'help' };
  if (seen.has('version')) return { command: 'version' };
  if (program.length === 0 || program[0] === '') throw new UsageError('no PROGRAM given: say what to run, e.g. fifo-init --fifo /service/command_pipe -- myservice');

  const fifo = one('fifo') ?? (env.FIFO_INIT_FIFO || undefined);
  if (fifo === '') bad('--fifo', fifo, 'a path');
  const createText = one('create');
  const createMode = createText !== undefined ? parseCreate(createText) : envCreate(env.FIFO_INIT_CREATE);

  const pipeSizeText = one('pipe-size') ?? (env.FIFO_INIT_PIPE_SIZE || undefined);
  const pipeSize = pipeSizeText === undefined ? undefined : (parseSize(pipeSizeText) ?? bad('--pipe-size', pipeSizeText, 'a byte size such as 65536, 64k or 1M'));

  const lockTimeoutText = one('lock-timeout') ?? (env.FIFO_INIT_LOCK_TIMEOUT || undefined);
  const lockTimeoutMs =
    lockTimeoutText === undefined
      ? DEFAULT_LOCK_TIMEOUT_MS
      : (parseDuration(lockTimeoutText) ?? bad('--lock-timeout', lockTimeoutText, `a duration such as 0, 500ms or 30s, at most ${MAX_DURATION_TEXT}`));

  const pdeath = one('pdeath-signal') ?? (env.FIFO_INIT_PDEATH_SIGNAL || undefined);
  const preserveText = one('preserve-fds') ?? (env.FIFO_INIT_PRESERVE_FDS || undefined);
  const preserveFds =
    preserveText === undefined
      ? 0
      : /^\d{1,6}$/.test(preserveText.trim()) && Number(preserveText) <= MAX_PRESERVE_FDS
        ? Number(preserveText)
        : bad('--preserve-fds', preserveText, `a count of descriptors from fd 3 up, 0 to ${MAX_PRESERVE_FDS}`);
  const nofileSoft = parseNofileSoft(one('nofile-soft') ?? (env.FIFO_INIT_NOFILE_SOFT || undefined));
  const expectTexts = seen.has('expect-exit') ? all('expect-exit') : envList(env.FIFO_INIT_EXPECT_EXIT);
  const remapExitCodes = new Set(expectTexts.map((text) => parseExitCode(text) ?? bad('-e', text, 'an exit code from 0 to 255')));
  const rewrite = new Map((seen.has('rewrite') ? all('rewrite') : envList(env.FIFO_INIT_REWRITE)).map(parseRewrite));

  const stopSequence = stopSequenceFrom(tokens, env);
  const stopCommands = stopSequence.flatMap((step) => (step.kind === 'command' ? [step.text] : []));
  const startupCommands = stopCommandCheck(
    seen.has('startup-command') ? all('startup-command') : envLines(env.FIFO_INIT_STARTUP_COMMAND),
    seen.has('startup-command') ? '--startup-command' : 'FIFO_INIT_STARTUP_COMMAND',
  );
  const startupFile = one('startup-file') ?? (env.FIFO_INIT_STARTUP_FILE || undefined);
  const signalCommands = new Map<number, string[]>();
  const signalCommandTexts = seen.has('signal-command') ? all('signal-command') : envLines(env.FIFO_INIT_SIGNAL_COMMAND);
  for (const text of signalCommandTexts) {
    const [signal, command] = parseSignalCommand(text, seen.has('signal-command') ? '--signal-command' : 'FIFO_INIT_SIGNAL_COMMAND');
    if (rewrite.has(signal)) throw new UsageError(`${signalName(signal)} has both --rewrite and --signal-command: choose one`);
    signalCommands.set(signal, [...(signalCommands.get(signal) ?? []), command]);
  }
  const relayStdin = !seen.has('no-relay-stdin') && (env.FIFO_INIT_RELAY_STDIN === undefined || envFlag(env.FIFO_INIT_RELAY_STDIN));
  const graceText = one('leftover-grace') ?? (env.FIFO_INIT_LEFTOVER_GRACE || undefined);
  const leftoverGraceMs = graceText === undefined ? 0 : durationArg('--leftover-grace', graceText);
  const stopTimeoutText = one('stop-timeout') ?? (env.FIFO_INIT_STOP_TIMEOUT || undefined);
  const stopTimeoutMs =
    stopTimeoutText === undefined
      ? DEFAULT_STOP_TIMEOUT_MS
      : (parseDuration(stopTimeoutText) ?? bad('--stop-timeout', stopTimeoutText, `a duration such as 500ms, 30s or 2m, at most ${MAX_DURATION_TEXT}`));

  const exec = seen.has('exec') || envFlag(env.FIFO_INIT_EXEC);
  if (fifo === undefined) {
    if (stopCommands.length > 0) throw new UsageError('--stop-command needs --fifo: the stop command is written into the FIFO');
    if (startupCommands.length > 0 || startupFile !== undefined) throw new UsageError('--startup-command and --startup-file need --fifo: they are written into the FIFO');
    if (signalCommands.size > 0) throw new UsageError('--signal-command needs --fifo: the command is written into the FIFO');
    if (createMode !== undefined) throw new UsageError('--create needs --fifo: it says which FIFO to create');
    if (pipeSize !== undefined) throw new UsageError('--pipe-size needs --fifo');
    if (lockTimeoutText !== undefined) throw new UsageError('--lock-timeout needs --fifo: it is how long to wait for the FIFO');
  }
  if (exec && stopCommands.length > 0) {
    throw new UsageError('--stop-command cannot work with --exec: nothing of fifo-init stays to write it');
  }
  if (exec && (startupCommands.length > 0 || startupFile !== undefined || signalCommands.size > 0 || leftoverGraceMs > 0)) {
    throw new UsageError('--startup-command, --startup-file, --signal-command and --leftover-grace cannot work with --exec: nothing of fifo-init stays');
  }

  return {
    command: 'init',
    program,
    fifo,
    createMode,
    pipeSize,
    lockTimeoutMs,
    exec,
    // tini's variables count when set at all (tini tests getenv() != NULL); ours read a flag.
    subreaper: seen.has('subreaper') || env.TINI_SUBREAPER !== undefined || envFlag(env.FIFO_INIT_SUBREAPER),
    killProcessGroup:
      seen.has('kill-group') || env.TINI_KILL_PROCESS_GROUP !== undefined || envFlag(env.FIFO_INIT_KILL_PROCESS_GROUP),
    // Any signal, as tini: `-p SIGKILL` (tini's own example) ends the init with its parent.
    parentDeathSignal: pdeath === undefined ? undefined : signalArg('-p', pdeath),
    remapExitCodes,
    rewrite,
    stopCommands,
    stopSequence,
    stopTimeoutMs,
    startupCommands,
    startupFile,
    signalCommands,
    relayStdin,
    leftoverGraceMs,
    warnOnReap: seen.has('warn-reap') || envFlag(env.FIFO_INIT_WARN_REAP),
    verbosity: verbosityFrom(env, verboseCount),
    preserveFds,
    nofileSoft,
  };
}

/** --nofile-soft: a descriptor count, 1 up to the largest rlim_t setrlimit takes for RLIMIT_NOFILE (the kernel's nr_open caps it). */
function parseNofileSoft(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d{1,10}$/.test(text.trim()) ? Number(text) : NaN;
  return value >= 1 && value <= 2 ** 31 - 1 ? value : bad('--nofile-soft', text, 'a count of open files, e.g. 1024');
}

function parseSend(args: readonly string[], env: Env): Parsed {
  const [words, text] = splitAtProgram(args, SEND_OPTIONS);
  const tokens = parseOptionWords(words, SEND_OPTIONS, SEND_EXIT.USAGE);
  const value = (name: string) => tokens.findLast((t) => t.kind === 'option' && t.name === name);
  if (value('help')) return { command: 'send-help' };
  const fifo = (value('fifo') as { value?: string } | undefined)?.value ?? (env.FIFO_INIT_FIFO || undefined);
  if (!fifo) throw new UsageError('send needs the FIFO: give --fifo PATH or set FIFO_INIT_FIFO', SEND_EXIT.USAGE);
  const timeoutText = (value('timeout') as { value?: string } | undefined)?.value;
  let timeoutMs = DEFAULT_SEND_TIMEOUT_MS;
  if (timeoutText !== undefined) {
    const parsed = parseDuration(timeoutText);
    if (parsed === undefined) {
      throw new UsageError(`invalid --timeout '${timeoutText}': expected a duration such as 500ms, 5s or 1m`, SEND_EXIT.USAGE);
    }
    timeoutMs = parsed;
  }
  return { command: 'send', fifo, timeoutMs, lines: text.length > 0 ? text : undefined };
}

export const USAGE = `Usage:
  fifo-init [OPTIONS] [--] PROGRAM [ARGS...]
  fifo-init send [--fifo PATH] [--timeout DURATION] [--] [TEXT...]
  fifo-init --help | --version

Runs PROGRAM as a container init: forwards signals, reaps zombies, exits with
PROGRAM's code (128+N when signal N killed it), and gives PROGRAM a FIFO as
stdin so anyone who can write the FIFO can type into its console.
Options stop at the first word that is not an option.

Options:
  -f, --fifo PATH           FIFO to give PROGRAM as stdin (env FIFO_INIT_FIFO)
      --create[=MODE]       create the FIFO if missing, mode exactly MODE (octal,
                            attached, owner rw, default 0600); refuses a symlink
                            and a FIFO owned by another user (env FIFO_INIT_CREATE)
      --pipe-size BYTES     grow the FIFO buffer, e.g. 64k, 1M (env FIFO_INIT_PIPE_SIZE)
      --lock-timeout DUR    while another init holds the FIFO, wait this long for it
                            to exit, then fail (default 5s; 0 fails at once)
                            (env FIFO_INIT_LOCK_TIMEOUT)
      --exec                check and open the FIFO, then become PROGRAM
                            (env FIFO_INIT_EXEC)
  -s, --subreaper           register as child subreaper (automatic when not PID 1)
                            (env TINI_SUBREAPER, FIFO_INIT_SUBREAPER)
  -g, --kill-group          forward signals to PROGRAM's whole process group
                            (env TINI_KILL_PROCESS_GROUP, FIFO_INIT_KILL_PROCESS_GROUP)
  -p, --pdeath-signal SIG   parent-death signal for fifo-init (forwarded; KILL ends
                            the init with its parent, as tini -p SIGKILL)
                            (env FIFO_INIT_PDEATH_SIGNAL)
  -e, --expect-exit CODE    remap exit code CODE to 0 (repeatable)
                            (env FIFO_INIT_EXPECT_EXIT, codes separated by spaces or commas)
      --preserve-fds N      pass descriptors 3..3+N-1 to PROGRAM (env FIFO_INIT_PRESERVE_FDS);
                            LISTEN_FDS sockets are passed by themselves, LISTEN_PID set
      --nofile-soft N       PROGRAM's soft limit of open files (Node raised ours to the
                            hard limit) (env FIFO_INIT_NOFILE_SOFT)
  -r, --rewrite FROM:TO     rewrite a forwarded signal; TO 0 or DROP drops it (repeatable)
                            (env FIFO_INIT_REWRITE, separated by spaces or commas)
      --stop-command TEXT   on SIGTERM/SIGINT write TEXT into the FIFO instead of
                            forwarding (repeatable) (env FIFO_INIT_STOP_COMMAND, one per line)
      --stop-wait DUR       a pause between the stop commands around it, in order;
                            SIGHUP during a pause skips the rest (env
                            FIFO_INIT_STOP_SEQUENCE: lines 'command TEXT', 'wait DUR')
      --stop-timeout DUR    wait after the last stop command, then SIGTERM, then SIGKILL
                            (default 10s) (env FIFO_INIT_STOP_TIMEOUT)
      --startup-command TEXT  write TEXT into the FIFO right after PROGRAM starts
                            (repeatable) (env FIFO_INIT_STARTUP_COMMAND, one per line)
      --startup-file PATH   the lines of PATH too, after them (env FIFO_INIT_STARTUP_FILE)
      --signal-command SIG:TEXT  SIG writes TEXT into the FIFO instead of being
                            forwarded (repeatable) (env FIFO_INIT_SIGNAL_COMMAND, one per line)
      --no-relay-stdin      do not copy lines of our own stdin into the FIFO
                            (env FIFO_INIT_RELAY_STDIN=0)
      --leftover-grace DUR  when PROGRAM exits: SIGTERM to what it left, up to DUR,
                            then SIGKILL (default off) (env FIFO_INIT_LEFTOVER_GRACE)
  -w, --warn-reap           log each reaped zombie (env FIFO_INIT_WARN_REAP)
  -v, --verbose             more logging, repeatable (env FIFO_INIT_VERBOSITY 0-3,
                            or tini's TINI_VERBOSITY)
  -h, --help                this text
      --version             the version

Exit codes: PROGRAM's own; 128+N if signal N killed it; 125 fifo-init failed
(usage, FIFO check); 126 PROGRAM not executable; 127 PROGRAM not found.
`;

export const SEND_USAGE = `Usage: fifo-init send [--fifo PATH] [--timeout DURATION] [--] [TEXT...]

Writes each TEXT (or each line of stdin) as one line into the FIFO, each with
one atomic write(). Never hangs: fails at once when no service reads the FIFO.
A TEXT with a newline or carriage return is refused (one TEXT, one command).
Stdin lines keep their bytes; CRLF ends a line like LF; a lone CR stays in
the line; a last line without a newline is sent too.

Options:
  -f, --fifo PATH         the FIFO (env FIFO_INIT_FIFO)
  -t, --timeout DURATION  how long to wait while the FIFO is full (default 5s)
  -h, --help              this text

Exit codes: 0 written; 64 usage; 65 line longer than 4095 bytes, or a TEXT with
a line break (nothing of it written); 66 FIFO missing or not a FIFO; 69 no reader
(service not running); 74 stdin could not be read; 75 timed out.
`;
