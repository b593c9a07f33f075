import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { forwardedSignals, maxSignal, parseSignal, signalName, signalTable } from '../../src/signal-table.js';

/** SPEC "Behaviour of the init" 4: every one of these is forwarded. */
const SPEC_FORWARDED = [
  'HUP', 'INT', 'QUIT', 'ABRT', 'USR1', 'USR2', 'PIPE', 'ALRM', 'TERM', 'CONT', 'TSTP',
  'WINCH', 'URG', 'IO', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'PWR', 'SYS', 'TRAP',
].map((name) => `SIG${name}`);

/** Never forwarded: uncatchable, the reaper's own, ignored as tini does, or synchronous faults. */
const NOT_FORWARDED = ['KILL', 'STOP', 'CHLD', 'TTIN', 'TTOU', 'SEGV', 'BUS', 'FPE', 'ILL'].map((name) => `SIG${name}`);

const { signals } = constants;
const forwardedNames = () => forwardedSignals().map((entry) => entry.name);

describe('signalTable (this platform)', () => {
  it('has one entry per signal number, sorted by number', () => {
    const numbers = signalTable().map((entry) => entry.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('covers every number Node knows', () => {
    const numbers = new Set(signalTable().map((entry) => entry.number));
    for (const number of Object.values(signals)) expect(numbers).toContain(number);
  });

  it('lists aliases under their canonical name only', () => {
    const names = signalTable().map((entry) => entry.name);
    expect(names).not.toContain('SIGIOT');
    expect(names).not.toContain('SIGPOLL');
    expect(names).toContain('SIGABRT');
    expect(names).toContain('SIGIO');
    expect(names.filter((name) => name === 'SIGABRT')).toHaveLength(1);
  });

  it('gives each named entry the number Node gives its name, and covers 1..64 exactly', () => {
    for (const entry of signalTable()) {
      if (entry.number < 32) expect(signals[entry.name as keyof typeof signals]).toBe(entry.number);
    }
    expect(signalTable().map((entry) => entry.number)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
  });

  it('names real-time signals as glibc does and forwards 34..64; 32 and 33 are glibc\'s', () => {
    const entry = (n: number) => signalTable().find((e) => e.number === n)!;
    expect([34, 35, 49, 50, 63, 64].map((n) => entry(n).name)).toEqual(['SIGRTMIN', 'SIGRTMIN+1', 'SIGRTMIN+15', 'SIGRTMAX-14', 'SIGRTMAX-1', 'SIGRTMAX']);
    for (let n = 34; n <= 64; n++) expect(entry(n).role).toBe('forward');
    expect(entry(32).role).toBe('libc');
    expect(entry(33).role).toBe('libc');
  });

  it('says why each non-forwarded signal is left out', () => {
    const role = (name: string) => signalTable().find((entry) => entry.name === name)?.role;
    expect(role('SIGKILL')).toBe('uncatchable');
    expect(role('SIGSTOP')).toBe('uncatchable');
    expect(role('SIGCHLD')).toBe('reap');
    expect(role('SIGTTIN')).toBe('ignore');
    expect(role('SIGTTOU')).toBe('ignore');
    for (const name of ['SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL']) expect(role(name)).toBe('fault');
    expect(role('SIGTERM')).toBe('forward');
  });
});

describe('forwardedSignals (this platform)', () => {
  it.each(SPEC_FORWARDED)('forwards %s', (name) => {
    expect(forwardedNames()).toContain(name);
  });

  it.each(NOT_FORWARDED)('does not forward %s', (name) => {
    expect(forwardedNames()).not.toContain(name);
  });

  it('forwards each signal once, aliases included', () => {
    const numbers = forwardedSignals().map((entry) => entry.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(forwardedNames()).not.toContain('SIGIOT');
    expect(forwardedNames()).not.toContain('SIGPOLL');
    expect(numbers.filter((n) => n === signals.SIGIO)).toHaveLength(1);
    expect(numbers.filter((n) => n === signals.SIGABRT)).toHaveLength(1);
  });

  it('returns only entries whose role is forward', () => {
    expect(forwardedSignals().every((entry) => entry.role === 'forward')).toBe(true);
  });

  it('forwards every signal the table does not exclude', () => {
    expect(forwardedSignals()).toHaveLength(signalTable().length - NOT_FORWARDED.length - 2 /* 32, 33: glibc's */);
  });
});

describe('parseSignal', () => {
  it.each(['TERM', 'SIGTERM', 'term', 'sigterm', 'SigTerm', ' TERM ', '15', '015'])('reads %j as SIGTERM', (text) => {
    expect(parseSignal(text)).toBe(signals.SIGTERM);
  });

  it('reads other names and numbers of this platform', () => {
    expect(parseSignal('HUP')).toBe(signals.SIGHUP);
    expect(parseSignal('usr1')).toBe(signals.SIGUSR1);
    expect(parseSignal('KILL')).toBe(signals.SIGKILL);
    expect(parseSignal('9')).toBe(9);
    expect(parseSignal('1')).toBe(1);
  });

  it('reads an alias as its number', () => {
    expect(parseSignal('IOT')).toBe(signals.SIGABRT);
    expect(parseSignal('SIGPOLL')).toBe(signals.SIGIO);
  });

  it('accepts real-time numbers up to 64 but not beyond', () => {
    expect(parseSignal('34')).toBe(34);
    expect(parseSignal('64')).toBe(64);
    expect(parseSignal('65')).toBeUndefined();
    expect(parseSignal('99999999999999999999')).toBeUndefined();
  });

  it('accepts 0 only with allowZero', () => {
    expect(parseSignal('0')).toBeUndefined();
    expect(parseSignal('0', undefined, false)).toBeUndefined();
    expect(parseSignal('0', undefined, true)).toBe(0);
    expect(parseSignal('00', undefined, true)).toBe(0);
  });

  it('allowZero does not widen anything else', () => {
    expect(parseSignal('65', undefined, true)).toBeUndefined();
    expect(parseSignal('junk', undefined, true)).toBeUndefined();
    expect(parseSignal('TERM', undefined, true)).toBe(signals.SIGTERM);
  });

  it('reads real-time names: RTMIN, RTMIN+N, SIGRTMAX-N, within 34..64', () => {
    expect(parseSignal('RTMIN')).toBe(34);
    expect(parseSignal('SIGRTMIN+2')).toBe(36);
    expect(parseSignal('rtmax-1')).toBe(63);
    expect(parseSignal('SIGRTMAX')).toBe(64);
    expect(parseSignal('RTMIN-1')).toBeUndefined();
    expect(parseSignal('RTMAX+1')).toBeUndefined();
  });

  it.each(['', ' ', 'SIG', 'junk', 'SIGJUNK', 'TERM2', '-15', '+15', '1.5', '15x', 'SIG15', 'RTMID'])(
    'refuses %j',
    (text) => {
      expect(parseSignal(text)).toBeUndefined();
    },
  );

  it('looks names up in the record passed in', () => {
    const fake = { SIGFOO: 3 };
    expect(parseSignal('FOO', fake)).toBe(3);
    expect(parseSignal('TERM', fake)).toBeUndefined();
  });
});

describe('maxSignal', () => {
  it('is SIGRTMAX on Linux, 64', () => {
    expect(maxSignal()).toBe(64);
  });
});

describe('signalName', () => {
  it('names the signals of this platform', () => {
    expect(signalName(signals.SIGTERM)).toBe('SIGTERM');
    expect(signalName(signals.SIGKILL)).toBe('SIGKILL');
    expect(signalName(signals.SIGCHLD)).toBe('SIGCHLD');
  });

  it('uses the canonical name for a number with aliases', () => {
    expect(signalName(signals.SIGABRT)).toBe('SIGABRT');
    expect(signalName(signals.SIGIO)).toBe('SIGIO');
  });

  it('names real-time signals, and writes SIG<n> outside 1..64', () => {
    expect(signalName(34)).toBe('SIGRTMIN');
    expect(signalName(64)).toBe('SIGRTMAX');
    expect(signalName(0)).toBe('SIG0');
    expect(signalName(65)).toBe('SIG65');
  });

  it('round-trips with parseSignal for every entry of the table', () => {
    for (const entry of signalTable()) {
      if (entry.role !== 'libc') expect(parseSignal(signalName(entry.number))).toBe(entry.number);
    }
  });
});
