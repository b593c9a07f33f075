/**
 * What only the shell fallback has: it is POSIX sh (shellcheck -s sh clean),
 * and the options a shell cannot do are clear usage errors naming the
 * executable as the alternative. Its behaviour is held to the contract by
 * init.test.ts and console.test.ts, which run it under dash, busybox and bash.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT } from './harness.js';

const SCRIPT = join(ROOT, 'fifo-init.sh');
const SHELLS = [['dash'], ['busybox', 'sh'], ['bash'], ['bash', '--posix']];

describe('fifo-init.sh', () => {
  it('is shellcheck -s sh clean, and so are the shell fixtures', () => {
    const result = spawnSync('shellcheck', ['-s', 'sh', SCRIPT, join(FIXTURES, 'signals.sh'), join(FIXTURES, 'orphans.sh'), join(FIXTURES, 'gameserver.sh')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  for (const shell of SHELLS) {
    const run = (args: string[]) => spawnSync(shell[0]!, [...shell.slice(1), SCRIPT, ...args], { encoding: 'utf8', timeout: 10_000 });

    it(`${shell.join(' ')}: --help and --version exit 0 on stdout`, () => {
      const help = run(['--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/Usage/);
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
      expect(run(['--version']).stdout.trim()).toBe(`fifo-init.sh ${version}`);
    });

    it(`${shell.join(' ')}: what a shell cannot do is one usage line naming the executable, exit 125`, () => {
      for (const args of [['--pipe-size', '1M', 'true'], ['-p', 'TERM', 'true'], ['-g', 'true'], ['-s', 'true'], ['-w', 'true'], ['send', 'x']]) {
        const result = run(args);
        expect(result.status, args.join(' ')).toBe(125);
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/fifo-init/);
      }
    });

    it(`${shell.join(' ')}: usage errors are one line, exit 125`, () => {
      for (const args of [['--bogus', 'true'], [], ['-e', '300', 'true'], ['--stop-command', 'stop', 'true'], ['-r', 'ALRM:TERM', 'true']]) {
        const result = run(args);
        expect(result.status, args.join(' ')).toBe(125);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
      }
    });
  }

  it('the build installs it as dist/fifo-init.sh, unchanged', () => {
    expect(readFileSync(join(ROOT, 'dist', 'fifo-init.sh'), 'utf8')).toBe(readFileSync(SCRIPT, 'utf8'));
  });
});
