/**
 * Console features (issue "Console shutdown and safe sending"): --stop-command
 * and its escalation, --create, --pipe-size, --rewrite, --exec; run against
 * every implementation that can do them.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { getPipeSize } from '../../src/sys/libc.js';
import { drainFifo, fillFifo, FIXTURES, linesOf, runInit, startInit, tempDir, waitFor, writeFifo, type Running, makeFifo } from './harness.js';
import { caseOf, implementations } from './implementations.js';

const FIX = (name: string) => join(FIXTURES, name);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const impl of implementations) {
  describe(`${impl.name}: console features`, () => {
    let dir: string;
    let cleanup: () => void;
    let fifo: string;
    const running: Running[] = [];
    const start = (args: string[], options?: Parameters<typeof startInit>[2]) => {
      const run = startInit(impl, args, options);
      running.push(run);
      return run;
    };
    beforeEach(() => {
      ({ dir, cleanup } = tempDir());
      fifo = makeFifo(join(dir, 'command_pipe'));
    });
    afterEach(() => {
      for (const run of running.splice(0)) run.kill();
      cleanup();
    });

    describe('--stop-command', () => {
      const game = (world: string) => ['--', 'dash', FIX('gameserver.sh'), world];
      caseOf(impl, 'stop-command')('SIGTERM becomes a console `stop`: the world is saved and the exit code is 0', async () => {
        const world = join(dir, 'world');
        const run = start(['--fifo', fifo, '--stop-command', 'stop', ...game(world)]);
        await waitFor('the server', () => run.output().stdout.includes('ready'));
        await writeFifo(fifo, 'say hello\n');
        await waitFor('the console', () => run.output().stdout.includes('hello'));
        await run.signal('SIGTERM');
        const result = await run.done;
        expect(result.code).toBe(0);
        expect(readFileSync(world, 'utf8')).toBe('saved\n');
      });
      caseOf(impl, 'stop-command')('without --stop-command the forwarded SIGTERM is ignored and nothing is saved', async () => {
        const world = join(dir, 'world');
        const run = start(['--fifo', fifo, ...game(world)]);
        await waitFor('the server', () => run.output().stdout.includes('ready'));
        await run.signal('SIGTERM');
        await pause(1_500);
        expect(run.child.exitCode).toBeNull(); // still running
        run.kill();
        await run.done;
        expect(existsSync(world)).toBe(false);
      });
      caseOf(impl, 'stop-command')('SIGINT stops the same way; several commands are sent in order', async () => {
        const world = join(dir, 'world');
        const run = start(['--fifo', fifo, '--stop-command', 'say first', '--stop-command', 'say second', '--stop-command', 'stop', ...game(world)]);
        await waitFor('the server', () => run.output().stdout.includes('ready'));
        await run.signal('SIGINT');
        const result = await run.done;
        expect(result.code).toBe(0);
        expect(result.stdout.split('\n').filter((line) => /first|second|stopping/.test(line))).toEqual(['first', 'second', 'stopping']);
        expect(existsSync(world)).toBe(true);
      });
      caseOf(impl, 'stop-command')('FIFO_INIT_STOP_COMMAND and FIFO_INIT_FIFO work as the options do', async () => {
        const world = join(dir, 'world');
        const run = start(game(world), { env: { FIFO_INIT_FIFO: fifo, FIFO_INIT_STOP_COMMAND: 'stop' } });
        await waitFor('the server', () => run.output().stdout.includes('ready'));
        await run.signal('SIGTERM');
        expect((await run.done).code).toBe(0);
        expect(existsSync(world)).toBe(true);
      });
      caseOf(impl, 'stop-escalation')('a service that ignores the stop command gets SIGTERM after the timeout, SIGKILL after twice that', async () => {
        const out = join(dir, 'signals');
        // Reads stdin (so the command is consumed) but never stops; records TERM.
        const stubborn = `trap 'echo TERM >> "$0"' TERM; echo ready >> "$0"; while :; do read -r line || sleep 0.1; done`;
        const run = start(['--fifo', fifo, '--stop-command', 'stop', '--stop-timeout', '700ms', '--', 'dash', '-c', stubborn, out]);
        await waitFor('the service', () => linesOf(out).includes('ready'));
        const t0 = Date.now();
        await run.signal('SIGTERM');
        await waitFor('TERM after the timeout', () => linesOf(out).includes('TERM'), 10_000);
        const termAfter = Date.now() - t0;
        const result = await run.done;
        const killAfter = Date.now() - t0;
        expect(result.code).toBe(137); // SIGKILL
        expect(termAfter).toBeGreaterThanOrEqual(600); // not before the timeout (generous bounds)
        expect(killAfter).toBeGreaterThanOrEqual(1_300);
        expect(killAfter).toBeLessThan(8_000);
      });
      caseOf(impl, 'stop-escalation')('a second SIGTERM is forwarded at once', async () => {
        const out = join(dir, 'signals');
        const stubborn = `trap 'echo TERM >> "$0"' TERM; echo ready >> "$0"; while :; do read -r line || sleep 0.1; done`;
        const run = start(['--fifo', fifo, '--stop-command', 'stop', '--stop-timeout', '60s', '--', 'dash', '-c', stubborn, out]);
        await waitFor('the service', () => linesOf(out).includes('ready'));
        await run.signal('SIGTERM');
        await pause(300);
        expect(linesOf(out)).not.toContain('TERM'); // the first one became the console command
        await run.signal('SIGTERM');
        await waitFor('the second TERM', () => linesOf(out).includes('TERM'), 5_000); // long before 60 s
      });
      caseOf(impl, 'stop-full-fifo')('a full FIFO never blocks the init: it gives up on the command and still escalates', async () => {
        const out = join(dir, 'signals');
        // Never reads stdin, so the FIFO stays full.
        const deaf = `trap 'echo TERM >> "$0"' TERM; echo ready >> "$0"; while :; do sleep 0.1; done`;
        const run = start(['--fifo', fifo, '--stop-command', 'stop', '--stop-timeout', '500ms', '--', 'dash', '-c', deaf, out]);
        await waitFor('the service', () => linesOf(out).includes('ready'));
        const filler = fillFifo(fifo);
        // Our own reader keeps the buffer alive after the init is gone (a FIFO
        // drops its data when the last descriptor closes).
        const reader = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK);
        await run.signal('SIGTERM');
        await waitFor('TERM despite the full FIFO', () => linesOf(out).includes('TERM'), 10_000);
        expect((await run.done).code).toBe(137);
        expect(drainFifo(reader).equals(filler)).toBe(true); // the command was not half-written
      });
    });

    describe('--create', () => {
      caseOf(impl, 'create')('makes a missing FIFO with exactly the mode asked, whatever the umask', async () => {
        for (const [umask, mode] of [
          ['077', 0o660],
          ['000', 0o600],
        ] as const) {
          const path = join(dir, `created-${umask}`);
          const args = mode === 0o600 ? ['--create'] : [`--create=0${mode.toString(8)}`];
          const result = await runInit(impl, ['--fifo', path, ...args, '--', 'dash', '-c', 'readlink /proc/$$/fd/0'], {
            prefix: ['dash', '-c', `umask ${umask}; exec "$@"`, 'umask'],
          });
          expect(result.code).toBe(0);
          expect(result.stdout.trim()).toBe(path);
          const stats = statSync(path);
          expect(stats.isFIFO()).toBe(true);
          expect(stats.mode & 0o777).toBe(mode);
        }
      });
      caseOf(impl, 'create')('an existing FIFO is used as it is; an existing regular file is refused and untouched', async () => {
        expect((await runInit(impl, ['--fifo', fifo, '--create', '--', 'true'])).code).toBe(0);
        expect(statSync(fifo).mode & 0o777).toBe(0o600);
        const file = join(dir, 'file');
        writeFileSync(file, 'keep me\n');
        const result = await runInit(impl, ['--fifo', file, '--create', '--', 'true']);
        expect(result.code).toBe(125);
        expect(readFileSync(file, 'utf8')).toBe('keep me\n');
      });
    });

    describe('--pipe-size', () => {
      caseOf(impl, 'pipe-size')('grows the FIFO buffer (F_SETPIPE_SZ)', async () => {
        const run = start(['--fifo', fifo, '--pipe-size', '1M', '--', 'sleep', '30']);
        await run.initPid();
        await writeFifo(fifo, ''); // the init holds the FIFO now
        const fd = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK);
        try {
          await waitFor('the new size', () => getPipeSize(fd) === 1024 * 1024);
        } finally {
          closeSync(fd);
        }
      });
      caseOf(impl, 'pipe-size')('a refusal by the kernel is a warning, not a failure', async () => {
        spawnSync('chown', ['65534:65534', dir, fifo]);
        const max = Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8'));
        const result = await runInit(impl, ['--fifo', fifo, '--pipe-size', String(max * 4), '--', 'dash', '-c', 'echo ran'], {
          prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
        });
        expect(result.code).toBe(0);
        expect(result.stdout).toBe('ran\n');
        expect(result.stderr).toMatch(/warning/);
        expect(result.stderr).toContain(String(max)); // says the limit
      });
    });

    describe('--rewrite', () => {
      caseOf(impl, 'rewrite')('TERM:USR1 delivers USR1; USR2:DROP delivers nothing', async () => {
        const out = join(dir, 'signals');
        const run = start(['-r', 'TERM:USR1', '--rewrite', 'SIGUSR2:DROP', '--', 'dash', FIX('signals.sh'), out, 'TERM=15', 'USR1=10', 'USR2=12', 'HUP=1']);
        await waitFor('the fixture', () => linesOf(out).includes('ready'));
        await run.signal('SIGTERM');
        await waitFor('USR1', () => linesOf(out).includes('USR1'));
        await run.signal('SIGUSR2');
        await pause(300); // (a burst of different signals is tested on its own, in init.test.ts)
        await run.signal('SIGHUP'); // a marker: once HUP is in, USR2 had its chance
        await waitFor('HUP', () => linesOf(out).includes('HUP'));
        expect(linesOf(out)).toEqual(['ready', 'USR1', 'HUP']);
      });
    });

    describe('--exec', () => {
      caseOf(impl, 'exec')('PROGRAM replaces the init: it is PID 1 with the FIFO as stdin', async () => {
        const script = 'echo "pid=$$"; readlink /proc/$$/fd/0; read -r line; echo "got=$line"';
        const run = start(['--fifo', fifo, '--exec', '--', 'dash', '-c', script]);
        await waitFor('the program', () => run.output().stdout.includes('pid='));
        await writeFifo(fifo, 'hello\n');
        const result = await run.done;
        expect(result.code).toBe(0);
        expect(result.stdout.trim().split('\n')).toEqual(['pid=1', fifo, 'got=hello']);
      });
      caseOf(impl, 'exec')('after --exec every signal is at its default and none is blocked', async () => {
        const result = await runInit(impl, ['--fifo', fifo, '--exec', '--', 'grep', '-E', '^Sig(Ign|Blk)', '/proc/self/status']);
        expect(result.code).toBe(0);
        const [sigBlk, sigIgn] = result.stdout.trim().split('\n');
        expect(sigBlk).toMatch(/^SigBlk:\s+0+$/);
        expect(sigIgn).toMatch(/^SigIgn:\s+0+$/);
      });
      caseOf(impl, 'exec')('127 and 126 as without --exec', async () => {
        expect((await runInit(impl, ['--fifo', fifo, '--exec', '--', 'no-such-program-fifo-init'])).code).toBe(127);
        const plain = join(dir, 'plain');
        writeFileSync(plain, 'echo ran\n', { mode: 0o644 });
        expect((await runInit(impl, ['--fifo', fifo, '--exec', '--', plain])).code).toBe(126);
      });
    });
  });
}
