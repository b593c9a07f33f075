/**
 * The console features of issue 12 where the shell fallback differs from
 * the executable (SPEC "The console"), under dash, busybox sh and bash: its
 * helper processes hold the FIFO write-only and never outlive it, its usage
 * errors, a graceful end for leftovers (PID 1 only), and the environment
 * twins of what a shell cannot do. The cases both share are in console-features.test.ts. What a shell
 * cannot do is in the README's table. Every wait is bounded. FIFO_INIT_SH=PATH runs
 * them against another copy of the script (to see them fail on an older one).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, constants as fsc, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, fillFifo, holdersOf, linesOf, makeFifo, startInit, tempDir, waitFor, writeFifo, type Running } from './harness.js';

const FIX = (name: string) => join(FIXTURES, name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

import { SCRIPT, SHELLS } from './implementations.js';


const commandLineOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
};

for (const impl of SHELLS) {
  const [shell, ...shellArgs] = impl.command;
  describe(`${impl.name}: console features (issue 12)`, () => {
    let dir: string;
    let cleanup: () => void;
    let fifo: string;
    let world: string;
    const running: Running[] = [];
    const start = (args: string[], options: Parameters<typeof startInit>[2] = {}) => {
      const run = startInit(impl, args, options);
      running.push(run);
      return run;
    };
    const server = (args: string[], options: Parameters<typeof startInit>[2] = {}) =>
      start(['--fifo', fifo, ...args, '--', 'dash', FIX('gameserver.sh'), world], options);
    const ready = (run: Running) => waitFor('the server', () => run.output().stdout.includes('ready'));
    /** The script run directly (not in a namespace), for usage errors. */
    const direct = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(shell!, [...shellArgs, ...args], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    beforeEach(() => {
      ({ dir, cleanup } = tempDir());
      chmodSync(dir, 0o777);
      fifo = makeFifo(join(dir, 'command_pipe'));
      world = join(dir, 'world');
    });
    afterEach(() => {
      for (const run of running.splice(0)) run.kill();
      cleanup();
    });

    describe('12.1 merged stdin', () => {



      it('the relay holds the FIFO write-only, and nothing of the init holds it once the init has exited (stdin still open)', async () => {
        const run = server([], { stdin: 'pipe', pid1: false });
        await ready(run);
        run.child.stdin!.write('say relayed\n');
        await waitFor('the stdin line', () => run.output().stdout.includes('relayed'));
        const init = await run.initPid();
        const command = commandLineOf(init);
        const copies = holdersOf(fifo).filter((holder) => holder.pid !== init && commandLineOf(holder.pid) === command);
        expect(copies.length).toBe(1); // the relay, blocked reading stdin
        expect(copies[0]!.mode).toBe(1); // O_WRONLY: it is no reader of the FIFO
        await writeFifo(fifo, 'quit\n');
        const result = await run.done; // stdout and stderr closed: the relay is gone too
        expect(result.timedOut).toBe(false);
        expect(result.code).toBe(3);
        expect(holdersOf(fifo)).toEqual([]);
      });

    });

    describe('12.2 a stop sequence', () => {




      it('a bad stop sequence is a usage error: both variables, pauses alone, a bad duration or line', () => {
        const cases: [string[], Record<string, string>, RegExp][] = [
          [[], { FIFO_INIT_STOP_SEQUENCE: 'command stop', FIFO_INIT_STOP_COMMAND: 'stop' }, /not both/],
          [['--stop-wait', '1s'], {}, /--stop-wait needs a --stop-command/],
          [['--stop-command', 'stop', '--stop-wait', 'soon'], {}, /--stop-wait 'soon'/],
          [[], { FIFO_INIT_STOP_SEQUENCE: 'command stop\nsleep 5' }, /FIFO_INIT_STOP_SEQUENCE line 'sleep 5'/],
          [[], { FIFO_INIT_STOP_SEQUENCE: 'command st\rop' }, /FIFO_INIT_STOP_SEQUENCE/],
        ];
        for (const [args, env, message] of cases) {
          const result = direct([SCRIPT, '--fifo', fifo, ...args, '--', 'true'], env);
          expect(result.status, JSON.stringify([args, env])).toBe(125);
          expect(result.stderr.trim().split('\n')).toHaveLength(1);
          expect(result.stderr).toMatch(message);
        }
      });
    });

    describe('12.3 start-up commands', () => {


      it('a full FIFO never blocks the init: signals are still forwarded until PROGRAM makes room; the writer holds the FIFO write-only', async () => {
        // Fill the FIFO before the init starts (our O_RDWR descriptor is the reader meanwhile).
        const holder = openSync(fifo, fsc.O_RDWR | fsc.O_NONBLOCK);
        try {
          fillFifo(fifo);
          const script = `trap 'echo got-usr1' USR1; echo ready; i=0; while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; exec grep -m1 -x 'say one'`;
          const run = start(['--fifo', fifo, '--startup-command', 'say one', '--', 'dash', '-c', script], { pid1: false });
          await waitFor('PROGRAM', () => run.output().stdout.includes('ready'));
          closeSync(holder);
          await run.signal('SIGUSR1');
          await waitFor('USR1 forwarded while the FIFO is full', () => run.output().stdout.includes('got-usr1'), 5_000);
          const init = await run.initPid();
          const command = commandLineOf(init);
          const copies = holdersOf(fifo).filter((entry) => entry.pid !== init && commandLineOf(entry.pid) === command);
          expect(copies.map((entry) => entry.mode)).toEqual([1]); // the blocked writer: write-only
          const result = await run.done;
          expect(result.code).toBe(0); // grep found the start-up line after the filler
          expect(holdersOf(fifo)).toEqual([]);
        } finally {
          try {
            closeSync(holder);
          } catch {
            // closed above
          }
        }
      });

    });

    describe('12.4 signal commands', () => {

      it('FIFO_INIT_SIGNAL_COMMAND does the same; --rewrite of the same signal, TERM/INT and untrapped signals are usage errors', async () => {
        const run = server([], { env: { FIFO_INIT_SIGNAL_COMMAND: 'SIGUSR2:say via env\r\nHUP:say hung up\n' } });
        await ready(run);
        await run.signal('SIGUSR2');
        await waitFor('the command', () => run.output().stdout.includes('via env'));
        await run.signal('SIGHUP');
        await waitFor('the HUP command', () => run.output().stdout.includes('hung up'));
        for (const [args, env, message] of [
          [['--signal-command', 'USR1:save', '--rewrite', 'USR1:HUP'], {}, /both --rewrite and --signal-command/],
          [['--signal-command', 'USR1:save'], { FIFO_INIT_REWRITE: 'USR1:HUP' }, /both --rewrite and --signal-command/],
          [['--signal-command', 'TERM:save'], {}, /stop sequence/],
          [['--signal-command', 'PWR:save'], {}, /fifo-init executable/],
          [['--signal-command', 'USR1:'], {}, /SIGNAL:COMMAND/],
          [['--signal-command', 'USR1:a\nb'], {}, /--signal-command/],
        ] as const) {
          const clash = direct([SCRIPT, '--fifo', fifo, ...args, '--', 'true'], env);
          expect(clash.status, JSON.stringify(args)).toBe(125);
          expect(clash.stderr.trim().split('\n')).toHaveLength(1);
          expect(clash.stderr).toMatch(message);
        }
      });
    });

    describe('12.6 a graceful end for leftovers', () => {
      /** PROGRAM starts `leftover` in the background, waits until it runs, and exits with `code`. */
      const program = (leftover: string, code: number) => {
        const file = join(dir, 'leftover.sh');
        writeFileSync(file, leftover);
        return ['dash', '-c', `dash "$0" & while [ ! -s "$0.up" ]; do sleep 0.05; done; exit ${code}`, file];
      };

      it("--leftover-grace (PID 1): a leftover gets SIGTERM and may finish; the exit code stays PROGRAM's", async () => {
        const mark = join(dir, 'term');
        const run = start(['--leftover-grace', '5s', '--', ...program(`trap 'sleep 0.3; echo term > "${mark}"; exit 0' TERM; echo $$ > "$0.up"; while :; do sleep 0.1; done\n`, 5)]);
        const t0 = Date.now();
        const result = await run.done;
        expect(result.timedOut).toBe(false);
        expect(result.code).toBe(5);
        expect(readFileSync(mark, 'utf8')).toBe('term\n');
        expect(Date.now() - t0).toBeLessThan(4_000); // not the whole grace: it ended when nothing was left
      });

      it('FIFO_INIT_LEFTOVER_GRACE: a leftover that ignores SIGTERM gets SIGKILL after the grace (PID 1)', async () => {
        const beat = join(dir, 'leftover.sh.up');
        const run = start(['--', ...program(`trap '' TERM; while :; do echo x >> "$0.up"; sleep 0.1; done\n`, 4)], { env: { FIFO_INIT_LEFTOVER_GRACE: '1500ms' } });
        await waitFor('the leftover', () => linesOf(beat).length > 0);
        const t0 = Date.now();
        const before = linesOf(beat).length;
        await sleep(700);
        expect(linesOf(beat).length).toBeGreaterThan(before); // SIGTERM did not end it: the grace runs
        expect(run.child.exitCode).toBeNull();
        const result = await run.done;
        expect(result.code).toBe(4);
        const elapsed = Date.now() - t0;
        expect(elapsed).toBeGreaterThanOrEqual(900);
        expect(elapsed).toBeLessThan(5_000);
        expect(result.stderr).toMatch(/SIGKILL/);
      });

      it('not PID 1: --leftover-grace says at start-up that it only acts as PID 1; the exit code stays PROGRAM\'s', async () => {
        const result = await start(['--leftover-grace', '1s', '--', 'dash', '-c', 'exit 6'], { pid1: false }).done;
        expect(result.code).toBe(6);
        expect(result.stderr).toMatch(/--leftover-grace only acts when fifo-init.sh is PID 1/);
        const bad = direct([SCRIPT, '--leftover-grace', 'soon', '--', 'true']);
        expect(bad.status).toBe(125);
        expect(bad.stderr).toMatch(/--leftover-grace 'soon'/);
      });
    });

    describe('12.5 environment twins', () => {
      it('the twins of what a shell cannot do are usage errors naming the executable, as the options are', () => {
        for (const [name, value] of [
          ['FIFO_INIT_PIPE_SIZE', '64k'],
          ['FIFO_INIT_LOCK_TIMEOUT', '0'],
          ['FIFO_INIT_PDEATH_SIGNAL', 'KILL'],
          ['FIFO_INIT_PRESERVE_FDS', '2'],
          ['FIFO_INIT_NOFILE_SOFT', '1024'],
          ['FIFO_INIT_WARN_REAP', '1'],
          ['FIFO_INIT_KILL_PROCESS_GROUP', '1'],
          ['FIFO_INIT_SUBREAPER', '1'],
        ]) {
          const result = direct([SCRIPT, '--', 'true'], { [name!]: value! });
          expect(result.status, name).toBe(125);
          expect(result.stderr.trim().split('\n')).toHaveLength(1);
          expect(result.stderr).toContain(name!);
          expect(result.stderr).toMatch(/fifo-init executable/);
        }
        for (const option of ['--lock-timeout=0', '--preserve-fds=2', '--nofile-soft=1024']) {
          const result = direct([SCRIPT, option, '--', 'true']);
          expect(result.status, option).toBe(125);
          expect(result.stderr).toMatch(/fifo-init executable/);
        }
        expect(direct([SCRIPT, '--', 'true'], { FIFO_INIT_WARN_REAP: '0', TINI_SUBREAPER: '1' }).status).toBe(0); // off, and tini's own only warns
      });
    });
  });
}
