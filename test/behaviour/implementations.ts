/**
 * The implementations the behaviour suite holds to one contract, and the
 * cases each cannot run, with the reason the suite prints. A shell may skip
 * only what a shell truly cannot do; tini, the reference, runs the PID-1
 * cases (it has no FIFO) to show the expectations match a trusted init.
 */
import { constants } from 'node:os';
import { it } from 'vitest';
import { join } from 'node:path';
import { EXE, ROOT, runnableByAnyone, type Implementation } from './harness.js';

export interface SuiteImplementation extends Implementation {
  /** Signals this implementation forwards (name -> number). */
  forwards: Record<string, number>;
}

const named = (names: string[]) => Object.fromEntries(names.map((name) => [name, constants.signals[name as NodeJS.Signals]]));

/**
 * Linux's signals 1-64 that an init must not forward, written out here and
 * not taken from src/signal-table.ts, so a signal the init fails to catch is
 * noticed (SPEC "Signal policy"): uncatchable, the reaper's, ignored as
 * tini does, synchronous faults, and glibc's two reserved real-time signals.
 */
const NEVER_FORWARDED: Readonly<Record<number, string>> = {
  4: 'ILL', 7: 'BUS', 8: 'FPE', 9: 'KILL', 11: 'SEGV', 17: 'CHLD', 19: 'STOP', 21: 'TTIN', 22: 'TTOU', 32: 'glibc', 33: 'glibc',
};

/** Every other number 1-64, as `S<n>` (the fixture traps by number: dash lacks some names). */
const signalsExcept = (also: number[] = []) =>
  Object.fromEntries(
    Array.from({ length: 64 }, (_, i) => i + 1)
      .filter((n) => !(n in NEVER_FORWARDED) && !also.includes(n))
      .map((n) => [`S${n}`, n]),
  );

export const executable: SuiteImplementation = {
  name: 'fifo-init',
  command: [EXE],
  skips: {},
  forwards: signalsExcept(),
};

/**
 * The script as the suites run it: a byte-for-byte copy in a directory
 * everyone may read, because some cases run it as uid 65534, and a checkout
 * can sit below a directory only root may enter (mktemp -d makes 0700).
 * FIFO_INIT_SH points the suites at another script (e.g. an old one, to see
 * a new test fail there).
 */
export const SCRIPT = runnableByAnyone(process.env.FIFO_INIT_SH ?? join(ROOT, 'fifo-init.sh'), { copy: true });

/** The script under each shell, with no skips: for the suites that hold only the shell fallback. */
export const SHELLS: Implementation[] = [
  { name: 'dash fifo-init.sh', command: ['dash', SCRIPT], skips: {} },
  { name: 'busybox sh fifo-init.sh', command: ['busybox', 'sh', SCRIPT], skips: {} },
  { name: 'bash fifo-init.sh', command: ['bash', SCRIPT], skips: {} },
];

/** What no POSIX shell can do, and why (README "fifo-init.sh" lists the same). */
const SHELL_SKIPS: Readonly<Record<string, string>> = {
  'signals-group': '-g needs PROGRAM in a process group of its own; a shell without a terminal has no job control to make one',
  'spawn-pgroup': 'PROGRAM stays in the script\'s process group (no job control without a terminal)',
  'tty-foreground': 'no job control: a shell cannot give PROGRAM its own process group or the terminal',
  'reap-orphans-subreaper': 'becoming a child subreaper is prctl(PR_SET_CHILD_SUBREAPER); a shell cannot call it',
  'reap-warn': '-w: a shell\'s wait reaps orphans without telling the script which',
  'pdeath-signal': '-p is prctl(PR_SET_PDEATHSIG); a shell cannot call it',
  'pipe-size': '--pipe-size is fcntl(F_SETPIPE_SZ); a shell cannot call it',
};

const shell = (name: string, command: string[]): SuiteImplementation => ({
  name,
  command: [...command, SCRIPT],
  skips: SHELL_SKIPS,
  forwards: named(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH']),
});

const NO_FIFO = 'tini has no FIFO: it is the reference for the PID-1 cases only';

/** Debian's tini, with -s so that it is a subreaper when not PID 1 (fifo-init does that by itself). */
export const tini: SuiteImplementation = {
  name: 'tini',
  command: ['tini', '-s'],
  skips: {
    'fifo-checks': NO_FIFO,
    'fifo-permission': NO_FIFO,
    'fifo-permission-hint': NO_FIFO,
    'fifo-world-writable': NO_FIFO,
    'stdin-writes': NO_FIFO,
    'stdin-concurrent': NO_FIFO,
    'spawn-fds-signals': NO_FIFO,
    'stop-command': NO_FIFO,
    'stop-escalation': NO_FIFO,
    'stop-full-fifo': NO_FIFO,
    create: NO_FIFO,
    'pipe-size': NO_FIFO,
    exec: NO_FIFO,
    rewrite: 'tini has no --rewrite',
    'node-options': 'not an init written in Node: nothing to show',
    'idle-wakeups': 'tini wakes once a second by design (sigtimedwait with a 1 s timeout); see the negative control',
  },
  // tini leaves out the signals it calls synchronous: ABRT (6), TRAP (5) and SYS (31) too.
  forwards: signalsExcept([5, 6, 31]),
};

export const implementations: SuiteImplementation[] = [
  executable,
  shell('dash fifo-init.sh', ['dash']),
  shell('busybox sh fifo-init.sh', ['busybox', 'sh']),
  {
    ...shell('bash fifo-init.sh', ['bash']),
    skips: {
      ...SHELL_SKIPS,
      'signals-burst':
        'bash 5.2 runs only the last of several trapped signals that arrive while `wait` returns for one (a bash defect, seen with a three-line script); dash and busybox sh run them all',
    },
  },
  tini,
];

/** `it`, or `it.skip` with the implementation's reason in the title (the summary prints it). */
export function caseOf(impl: SuiteImplementation, id: string) {
  const reason = impl.skips[id];
  return reason === undefined
    ? (title: string, fn: () => Promise<void>, timeout?: number) => it(title, fn, timeout)
    : (title: string, fn: () => Promise<void>, timeout?: number) => it.skip(`${title} [skipped for ${impl.name}: ${reason}]`, fn, timeout);
}
