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

  it('gives each entry the number Node gives its name', () => {
    for (const entry of signalTable()) expect(signals[entry.name as keyof typeof signals]).toBe(entry.number);
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
    expect(forwardedSignals()).toHaveLength(signalTable().length - NOT_FORWARDED.length);
  });
});

describe('signalTable and forwardedSignals with a fake signals record', () => {
  const fake = {
    SIGTERM: 15,
    SIGHUP: 1,
    SIGIOT: 6,
    SIGABRT: 6,
    SIGKILL: 9,
    SIGCHLD: 17,
    SIGPOLL: 29,
    SIGIO: 29,
    SIGCUSTOM: 40,
    SIGOTHER: 15,
  };

  it('uses the record passed in, one entry per number, sorted', () => {
    expect(signalTable(fake).map((entry) => [entry.name, entry.number])).toEqual([
      ['SIGHUP', 1],
      ['SIGABRT', 6],
      ['SIGKILL', 9],
      ['SIGTERM', 15],
      ['SIGCHLD', 17],
      ['SIGIO', 29],
      ['SIGCUSTOM', 40],
    ]);
  });

  it('keeps the first name for a number that is not a known alias', () => {
    expect(signalTable({ SIGFIRST: 3, SIGSECOND: 3 })).toEqual([{ name: 'SIGFIRST', number: 3, role: 'forward' }]);
  });

  it('skips a known alias even when it comes first', () => {
    expect(signalTable({ SIGIOT: 6, SIGABRT: 6 }).map((entry) => entry.name)).toEqual(['SIGABRT']);
    expect(signalTable({ SIGIOT: 6 })).toEqual([]);
  });

  it('forwards an unknown signal and excludes the listed ones', () => {
    expect(forwardedSignals(fake).map((entry) => entry.name)).toEqual(['SIGHUP', 'SIGABRT', 'SIGTERM', 'SIGIO', 'SIGCUSTOM']);
  });

  it('gives an empty table for an empty record', () => {
    expect(signalTable({})).toEqual([]);
    expect(forwardedSignals({})).toEqual([]);
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

  it.each(['', ' ', 'SIG', 'junk', 'SIGJUNK', 'TERM2', '-15', '+15', '1.5', '15x', 'SIG15', 'RTMIN'])(
    'refuses %j',
    (text) => {
      expect(parseSignal(text)).toBeUndefined();
    },
  );

  it('looks names up in the record passed in', () => {
    const fake = { SIGFOO: 3, SIGBAR: 70 };
    expect(parseSignal('FOO', fake)).toBe(3);
    expect(parseSignal('sigbar', fake)).toBe(70);
    expect(parseSignal('TERM', fake)).toBeUndefined();
    expect(parseSignal('70', fake)).toBe(70);
    expect(parseSignal('71', fake)).toBeUndefined();
  });
});

describe('maxSignal', () => {
  it('is at least 64 (SIGRTMAX on Linux)', () => {
    expect(maxSignal()).toBe(64);
    expect(maxSignal({})).toBe(64);
    expect(maxSignal({ SIGX: 3 })).toBe(64);
  });

  it('grows with a record that has higher numbers', () => {
    expect(maxSignal({ SIGX: 100 })).toBe(100);
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

  it('writes SIG<n> for a number without a name', () => {
    expect(signalName(34)).toBe('SIG34');
    expect(signalName(64)).toBe('SIG64');
    expect(signalName(0)).toBe('SIG0');
  });

  it('uses the record passed in', () => {
    expect(signalName(3, { SIGFOO: 3 })).toBe('SIGFOO');
    expect(signalName(15, { SIGFOO: 3 })).toBe('SIG15');
  });

  it('round-trips with parseSignal for every entry of the table', () => {
    for (const entry of signalTable()) expect(parseSignal(signalName(entry.number))).toBe(entry.number);
  });
});
