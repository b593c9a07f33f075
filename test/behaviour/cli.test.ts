/**
 * The executable's command line: help, version, usage errors (one line,
 * exit 125), verbosity. Runs the built executable; no PID namespace needed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXE, ROOT, tempDir } from './harness.js';

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(EXE, args, { encoding: 'utf8', timeout: 10_000, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

describe('fifo-init command line', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('--help prints usage to stdout and exits 0', () => {
    for (const flag of ['--help', '-h']) {
      const result = run([flag]);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage:/);
      expect(result.stderr).toBe('');
    }
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const result = run(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(`fifo-init ${version}`);
  });

  for (const [title, args] of [
    ['unknown option', ['--bogus', 'true']],
    ['missing PROGRAM', []],
    ['option without its value', ['--fifo']],
    ['bad -e', ['-e', '300', 'true']],
    ['bad signal for -p', ['-p', 'NOPE', 'true']],
    ['bad --stop-timeout', ['--fifo', '/x', '--stop-command', 'stop', '--stop-timeout', 'soon', 'true']],
    ['--stop-command without --fifo', ['--stop-command', 'stop', 'true']],
    ['bad --create mode', ['--fifo', '/x', '--create=999', 'true']],
    ['bad --pipe-size', ['--fifo', '/x', '--pipe-size', 'huge', 'true']],
    ['bad --rewrite', ['-r', 'TERM', 'true']],
  ] as const) {
    it(`usage error (${title}): one line with a --help hint, exit 125, PROGRAM not run`, () => {
      const result = run([...args]);
      expect(result.status).toBe(125);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/--help/);
    });
  }

  it('bad environment values are usage errors too', () => {
    expect(run(['true'], { FIFO_INIT_VERBOSITY: '9' }).status).toBe(125);
    expect(run(['true'], { FIFO_INIT_FIFO: '/x', FIFO_INIT_STOP_TIMEOUT: 'never' }).status).toBe(125);
  });

  it('options stop at the first non-option word: `fifo-init dash -c ... -v` gives -v to PROGRAM', () => {
    const result = run(['dash', '-c', 'echo "$1"', 'x', '-v']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('-v\n');
  });

  it('verbosity: FIFO_INIT_VERBOSITY=0 silences warnings, -vv adds information', () => {
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', ['-m', '666', fifo]).status).toBe(0);
    spawnSync('chmod', ['666', fifo]);
    const quiet = run(['--fifo', fifo, 'true'], { FIFO_INIT_VERBOSITY: '0' });
    const normal = run(['--fifo', fifo, 'true']);
    const loud = run(['-vv', '--fifo', fifo, 'true']);
    expect([quiet.status, normal.status, loud.status]).toEqual([0, 0, 0]);
    expect(quiet.stderr).toBe('');
    expect(normal.stderr.trim().split('\n')).toHaveLength(1); // the world-writable warning
    expect(loud.stderr.trim().split('\n').length).toBeGreaterThan(2);
  });

  it('-s and TINI_SUBREAPER are accepted (tini compatibility)', () => {
    expect(run(['-s', 'true']).status).toBe(0);
    expect(run(['true'], { TINI_SUBREAPER: '1' }).status).toBe(0);
  });
});
