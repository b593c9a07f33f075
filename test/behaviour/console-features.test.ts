/**
 * The console operators expect (issue 12; SPEC "The console", "Supervision"),
 * one suite for the executable and fifo-init.sh under dash, busybox sh and
 * bash: the init's own stdin merged into the FIFO, a stop sequence with
 * pauses, start-up commands, signal commands, environment twins and
 * leftovers left alone by default. What only one side can do follows, in
 * "the shell alone" (the script's own descriptors, usage errors, leftovers
 * as PID 1 only) and "the executable alone". What a shell cannot do is in
 * the README's table. Every wait is bounded. FIFO_INIT_SH=PATH runs the
 * shell cases against another copy of the script.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, constants as fsc, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, fillFifo, holdersOf, linesOf, makeFifo, startInit, tempDir, underTerminal, waitFor, writeFifo, type Implementation, type Running } from './harness.js';
import { executable, SCRIPT, SHELLS } from './implementations.js';

const FIX = (name: string) => join(FIXTURES, name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const commandLineOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
};

for (const impl of [executable, ...SHELLS] as Implementation[]) {
  describe(`${impl.name}: console features (issue 12)`, () => {
    let dir: string;
    let cleanup: () => void;
    let fifo: string;
    let world: string;
    /** gameserver.sh's record of every console line it read: `UPTIME LINE`. */
    let consoleLog: string;
    const running: Running[] = [];
    const start = (args: string[], options: Parameters<typeof startInit>[2] = {}) => {
      const run = startInit(impl, args, options);
      running.push(run);
      return run;
    };
    const server = (args: string[], options: Parameters<typeof startInit>[2] = {}) =>
      start(['--fifo', fifo, ...args, '--', 'dash', FIX('gameserver.sh'), world, consoleLog], options);
    const ready = (run: Running) => waitFor('the server', () => run.output().stdout.includes('ready'));
    /** PROGRAM starts `leftover` in the background, waits until it runs, and exits with `code`. */
    const program = (leftover: string, code: number) => {
      const file = join(dir, 'leftover.sh');
      writeFileSync(file, leftover);
      return ['dash', '-c', `dash "$0" & while [ ! -s "$0.up" ]; do sleep 0.05; done; exit ${code}`, file];
    };
    /** The console lines the server read, in order, each with the time it read it (seconds since boot). */
    const heard = () =>
      linesOf(consoleLog).map((entry) => {
        const at = entry.indexOf(' ');
        return { seconds: Number(entry.slice(0, at)), line: entry.slice(at + 1) };
      });
    beforeEach(() => {
      ({ dir, cleanup } = tempDir());
      chmodSync(dir, 0o777);
      fifo = makeFifo(join(dir, 'command_pipe'));
      world = join(dir, 'world');
      consoleLog = join(dir, 'world.console');
    });
    afterEach(() => {
      for (const run of running.splice(0)) run.kill();
      cleanup();
    });

    describe('12.1 merged stdin', () => {
      it("lines typed into the init's stdin reach PROGRAM through the FIFO, beside host writes; CRLF and a last line without newline; EOF ends only the relay", async () => {
        const run = server([], { stdin: 'pipe' });
        await ready(run);
        run.child.stdin!.write('say from stdin\n');
        await waitFor('the stdin line', () => run.output().stdout.includes('from stdin'));
        await writeFifo(fifo, 'say from the host\n');
        await waitFor('the host line', () => run.output().stdout.includes('from the host'));
        run.child.stdin!.write('say crlf\r\nsay last without newline');
        run.child.stdin!.end();
        await waitFor('the CRLF line and the last line', () => run.output().stdout.includes('crlf\n') && run.output().stdout.includes('last without newline'));
        await sleep(300);
        expect(run.child.exitCode).toBeNull(); // EOF on stdin did not end PROGRAM (its stdin is the FIFO)
        await writeFifo(fifo, 'quit\n');
        const result = await run.done;
        expect(result.code).toBe(3);
        expect(result.stdout).not.toContain('stdin closed'); // PROGRAM never read EOF
      });
      it('an over-long stdin line is refused whole with a warning, never split; the next line goes through', async () => {
        const run = server([], { stdin: 'pipe' });
        await ready(run);
        // Two-byte characters: 2100 of them are 4200 bytes, so counting characters would let them through.
        run.child.stdin!.write(`say ${'é'.repeat(2100)}\nsay ${'é'.repeat(1000)}\nsay after\n`);
        await waitFor('the next line', () => run.output().stdout.includes('after'));
        const said = run.output().stdout.split('\n');
        expect(said.filter((line) => line.startsWith('é'))).toEqual(['é'.repeat(1000)]); // 2000 bytes: whole
        expect(run.output().stderr).toMatch(/stdin line 1 is longer than 4095 bytes/);
      });
      it('--no-relay-stdin and FIFO_INIT_RELAY_STDIN=0 turn it off (on by default)', async () => {
        for (const [args, env, relayed] of [
          [[], {}, true],
          [['--no-relay-stdin'], {}, false],
          [[], { FIFO_INIT_RELAY_STDIN: '0' }, false],
        ] as const) {
          const run = server([...args], { stdin: 'pipe', env });
          await ready(run);
          run.child.stdin!.write('say relayed\n');
          await sleep(300);
          await writeFifo(fifo, 'say marker\n');
          await waitFor('the marker', () => run.output().stdout.includes('marker'));
          await sleep(200);
          expect(run.output().stdout.includes('relayed'), JSON.stringify([args, env])).toBe(relayed);
          run.kill();
        }
      });
      it("a panel: the container's stdin types `say` lines and `stop` while a host writer types into the FIFO; every line arrives whole, in each writer's order, and the panel's `stop` saves and stops", async () => {
        const run = server([], { stdin: 'pipe' });
        await ready(run);
        const pad = 'x'.repeat(200);
        // The host: one writer process typing a line every 10 ms until the FIFO loses its reader (SIGPIPE) or it is killed.
        const host = spawn('dash', ['-c', `exec 3>"$1"; i=0; while i=$((i+1)); printf 'say host %d %s\\n' "$i" "$2" >&3; do sleep 0.01; done`, 'host', fifo, pad], { stdio: 'ignore' });
        try {
          const hostLines = () => heard().filter((entry) => entry.line.startsWith('say host ')).length;
          await waitFor('the host writer', () => hostLines() > 0);
          /** Types half a line, lets more host lines reach the server, then the rest: a relay that passed bytes on before the newline would let them in between. */
          const typeInHalves = async (line: string) => {
            run.child.stdin!.write(line.slice(0, line.length >> 1));
            const seen = hostLines();
            await waitFor('host lines between the halves', () => hostLines() >= seen + 2);
            run.child.stdin!.write(line.slice(line.length >> 1));
          };
          for (let m = 1; m <= 10; m++) await typeInHalves(`say panel ${m} ${pad}\n`);
          await typeInHalves('stop\n');
          const result = await run.done;
          expect(result.code).toBe(0);
          expect(readFileSync(world, 'utf8')).toBe('saved\n');
          const lines = heard().map((entry) => entry.line);
          const panel = lines.filter((line) => line.startsWith('say panel '));
          const hosts = lines.filter((line) => line.startsWith('say host '));
          expect(panel).toEqual(Array.from({ length: 10 }, (_, i) => `say panel ${i + 1} ${pad}`));
          expect(hosts).toEqual(Array.from({ length: hosts.length }, (_, i) => `say host ${i + 1} ${pad}`));
          expect(hosts.length).toBeGreaterThanOrEqual(22); // two between each pair of halves: the two really wrote at once
          expect(lines.at(-1)).toBe('stop');
          expect(lines).toHaveLength(panel.length + hosts.length + 1); // nothing else: no line cut or mixed with another
        } finally {
          host.kill('SIGKILL');
        }
      });
      it('under a terminal (docker run -it), typed lines go in the same way', async () => {
        const terminal = underTerminal([...impl.command, '--fifo', fifo, '--', 'dash', FIX('gameserver.sh'), world]);
        try {
          await waitFor('the server under a terminal', () => terminal.output().includes('ready'));
          terminal.type('say typed at the terminal\r'); // Enter sends CR; the line discipline makes it LF
          await waitFor('the typed line at PROGRAM', () => /typed at the terminal\r?\n[\s\S]*typed at the terminal/.test(terminal.output()));
          terminal.type('quit\r');
          expect(await terminal.closed).toBe(3);
        } finally {
          terminal.kill();
        }
      });
    });

    describe('12.2 a stop sequence', () => {
      it('announce, wait, stop: the announcement first, `stop` at least the pause later; then the world is saved and the exit code is 0', async () => {
        const run = server(['--stop-command', 'say stopping in 1 s', '--stop-wait', '1s', '--stop-command', 'stop']);
        await ready(run);
        await run.signal('SIGTERM');
        const result = await run.done;
        expect(result.code).toBe(0);
        expect(readFileSync(world, 'utf8')).toBe('saved\n');
        const [announce, stop, ...rest] = heard();
        expect([announce?.line, stop?.line, rest]).toEqual(['say stopping in 1 s', 'stop', []]);
        // The server's own clock (/proc/uptime, 10 ms steps): a generous lower bound, no upper one.
        expect(stop!.seconds - announce!.seconds).toBeGreaterThanOrEqual(0.8);
      });
      it('SIGHUP during a pause skips the rest of the waits: `stop` follows at once, not after 15 minutes; FIFO_INIT_STOP_SEQUENCE does the same as the options', async () => {
        const run = server([], { env: { FIFO_INIT_STOP_SEQUENCE: 'command say stopping soon\r\nwait 10m\nwait 5m\ncommand stop\n' } });
        await ready(run);
        await run.signal('SIGTERM');
        await waitFor('the announcement', () => run.output().stdout.includes('stopping soon\n'));
        await run.signal('SIGHUP');
        const result = await run.done; // bounded by the run's 20 s timeout, far below the pauses
        expect(result.timedOut).toBe(false);
        expect(result.code).toBe(0);
        expect(readFileSync(world, 'utf8')).toBe('saved\n');
        expect(heard().map((entry) => entry.line)).toEqual(['say stopping soon', 'stop']);
      });
      it('SIGHUP during a pause of 20 s given on the command line: the announcement, then `stop`, well before the pause would end', async () => {
        const run = server(['--stop-command', 'say stopping in 20 s', '--stop-wait', '20s', '--stop-command', 'stop'], { timeoutMs: 15_000 });
        await ready(run);
        await run.signal('SIGTERM');
        await waitFor('the announcement', () => heard().length > 0);
        await run.signal('SIGHUP');
        const result = await run.done; // killed at 15 s, before the 20 s pause could end by itself
        expect(result.timedOut).toBe(false);
        expect(result.code).toBe(0);
        expect(readFileSync(world, 'utf8')).toBe('saved\n');
        expect(heard().map((entry) => entry.line)).toEqual(['say stopping in 20 s', 'stop']);
      });
      it('a second SIGTERM during a pause is forwarded at once', async () => {
        const out = join(dir, 'signals');
        // --stop-timeout 60s: a TERM from the escalation (had the second SIGTERM restarted the sequence) would come far too late.
        const run = start(['--fifo', fifo, '--stop-command', 'noop', '--stop-wait', '10m', '--stop-command', 'stop', '--stop-timeout', '60s', '--', 'dash', FIX('signals.sh'), out, 'TERM=15']);
        await waitFor('the fixture', () => linesOf(out).includes('ready'));
        await run.signal('SIGTERM');
        await sleep(300);
        expect(linesOf(out)).not.toContain('TERM');
        await run.signal('SIGTERM');
        await waitFor('TERM at PROGRAM', () => linesOf(out).includes('TERM'), 5_000); // long before 60 s
      });
      it('the escalation starts after the last command: SIGTERM, then SIGKILL after --stop-timeout again', async () => {
        const script = 'trap "" TERM; echo ready; while IFS= read -r line; do echo "got $line"; done';
        const run = start(['--fifo', fifo, '--stop-command', 'one', '--stop-wait', '1s', '--stop-command', 'two', '--stop-timeout', '500ms', '--', 'dash', '-c', script]);
        await waitFor('PROGRAM', () => run.output().stdout.includes('ready'));
        await run.signal('SIGTERM');
        const t0 = Date.now();
        await waitFor('the first command', () => run.output().stdout.includes('got one'));
        const result = await run.done;
        const elapsed = Date.now() - t0;
        expect(result.code).toBe(137);
        expect(result.stdout).toContain('got two');
        expect(elapsed).toBeGreaterThanOrEqual(1_900); // 1 s pause + 2 x 500 ms
        expect(elapsed).toBeLessThan(6_000);
      });
    });

    describe('12.3 start-up commands', () => {
      it('--startup-command lines, then --startup-file lines, are typed in order right after the start', async () => {
        const file = join(dir, 'startup.txt');
        writeFileSync(file, Buffer.from('say two\r\n\nsay three\nsay four'));
        const run = server(['--startup-command', 'say one', '--startup-command=say one and a half', '--startup-file', file]);
        await waitFor('all four', () => run.output().stdout.includes('four'));
        const said = run.output().stdout.split('\n').filter((line) => ['one', 'one and a half', 'two', 'three', 'four'].includes(line));
        expect(said).toEqual(['one', 'one and a half', 'two', 'three', 'four']);
      });
      it('FIFO_INIT_STARTUP_COMMAND and FIFO_INIT_STARTUP_FILE do the same; the command line wins', async () => {
        const file = join(dir, 'startup.txt');
        writeFileSync(file, 'say from the file\n');
        const run = server([], { env: { FIFO_INIT_STARTUP_COMMAND: 'say env one\r\nsay env two\n', FIFO_INIT_STARTUP_FILE: file } });
        await waitFor('the file line', () => run.output().stdout.includes('from the file'));
        const said = run.output().stdout.split('\n').filter((line) => line.startsWith('env ') || line === 'from the file');
        expect(said).toEqual(['env one', 'env two', 'from the file']);
        run.kill(); // one reader of the FIFO at a time
        await run.done;
        const wins = server(['--startup-command', 'say from the options'], { env: { FIFO_INIT_STARTUP_COMMAND: 'say from env' } });
        await waitFor('the option line', () => wins.output().stdout.includes('from the options'));
        await sleep(300);
        expect(wins.output().stdout).not.toContain('from env');
      });
      it("an unreadable --startup-file is the init's failure, before PROGRAM starts", async () => {
        const tooLong = join(dir, 'long.txt');
        writeFileSync(tooLong, `say ok\nsay ${'x'.repeat(5000)}\n`);
        for (const [args, env] of [
          [['--startup-file', join(dir, 'missing')], {}],
          [['--startup-file', dir], {}],
          [[], { FIFO_INIT_STARTUP_FILE: join(dir, 'missing') }],
          [['--startup-file', tooLong], {}],
        ] as const) {
          const result = await server([...args], { env }).done;
          expect(result.code, JSON.stringify([args, env])).toBe(125);
          expect(result.stdout).not.toContain('ready');
          expect(result.stderr.trim().split('\n')).toHaveLength(1);
        }
      });
    });

    describe('12.4 signal commands', () => {
      it('--signal-command USR1:save writes `save` instead of forwarding USR1 (which would kill the server)', async () => {
        const run = server(['--signal-command', 'USR1:save']);
        await ready(run);
        await run.signal('SIGUSR1');
        await waitFor('the world saved', () => existsSync(world));
        await sleep(200);
        expect(run.child.exitCode).toBeNull();
        await writeFifo(fifo, 'quit\n');
        expect((await run.done).code).toBe(3);
      });
    });

    describe('12.5 environment twins', () => {
      it('FIFO_INIT_EXEC, FIFO_INIT_EXPECT_EXIT, FIFO_INIT_REWRITE and TINI_VERBOSITY are honoured; the command line wins', async () => {
        const pidOf = ['--', 'dash', '-c', 'echo "pid $$"'];
        expect((await start(pidOf, { env: { FIFO_INIT_EXEC: '1' } }).done).stdout).toBe('pid 1\n');
        expect((await start(pidOf, { env: { FIFO_INIT_EXEC: 'no' } }).done).stdout).not.toBe('pid 1\n');
        expect((await start(['--', 'dash', '-c', 'exit 4'], { env: { FIFO_INIT_EXPECT_EXIT: '3, 4' } }).done).code).toBe(0);
        expect((await start(['-e', '5', '--', 'dash', '-c', 'exit 4'], { env: { FIFO_INIT_EXPECT_EXIT: '4' } }).done).code).toBe(4);
        expect((await start(['--', 'dash', '-c', 'exit 4'], { env: { FIFO_INIT_EXPECT_EXIT: '4x' } }).done).code).toBe(125);
        const script = 'trap "echo usr1" USR1; trap "echo usr2" USR2; echo ready; while :; do sleep 0.1; done';
        for (const [args, expected] of [
          [[], 'usr2'],
          [['-r', 'USR2:USR1'], 'usr1'],
        ] as const) {
          const run = start([...args, '--', 'dash', '-c', script], { env: { FIFO_INIT_REWRITE: 'USR1:USR2,HUP:DROP' } });
          await waitFor('PROGRAM', () => run.output().stdout.includes('ready'));
          await run.signal('SIGUSR1');
          await waitFor(expected, () => run.output().stdout.includes(expected));
          run.kill();
        }
        const verbose = await start(['--', 'true'], { env: { TINI_VERBOSITY: '4' } }).done;
        expect(verbose.stderr).toMatch(/started true as pid/); // debug, level 3
      });
    });

    describe('12.6 leftovers without --leftover-grace (the default: off)', () => {
      it('PID 1: a leftover gets no SIGTERM and no grace; the init exits with PROGRAM\'s code and the kernel ends the rest, as with tini', async () => {
        const mark = join(dir, 'term');
        const result = await start(['--', ...program(`trap 'echo term > "${mark}"; exit 0' TERM; echo $$ > "$0.up"; while :; do sleep 0.1; done\n`, 5)]).done;
        expect(result.timedOut).toBe(false);
        expect(result.code).toBe(5);
        expect(existsSync(mark)).toBe(false); // SIGKILLed by the kernel with the namespace, never asked to finish
      });
    });

    if (impl !== executable) {
      const [shell, ...shellArgs] = impl.command;
      /** The script run directly (not in a namespace), for usage errors. */
      const direct = (args: string[], env: Record<string, string> = {}) =>
        spawnSync(shell!, [...shellArgs, ...args], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

      // Where the shell fallback differs: its helper processes hold the FIFO
      // write-only and never outlive it, its usage errors, leftovers (PID 1
      // only), and the environment twins of what a shell cannot do.
      describe('the shell alone', () => {
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
      return;
    }

    describe('the executable alone', () => {
      it('a full FIFO never blocks the init: signals are still forwarded until PROGRAM makes room', async () => {
        // Fill the FIFO before the init starts (our O_RDWR descriptor is the reader meanwhile).
        const holder = openSync(fifo, fsc.O_RDWR | fsc.O_NONBLOCK);
        try {
          fillFifo(fifo);
          const script = `trap 'echo got-usr1' USR1; echo ready; i=0; while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; exec grep -m1 -x 'say one'`;
          const run = start(['--fifo', fifo, '--startup-command', 'say one', '--', 'dash', '-c', script]);
          await waitFor('PROGRAM', () => run.output().stdout.includes('ready'));
          closeSync(holder);
          await run.signal('SIGUSR1');
          await waitFor('USR1 forwarded while the FIFO is full', () => run.output().stdout.includes('got-usr1'), 5_000);
          const result = await run.done;
          expect(result.code).toBe(0); // grep found the start-up line after the filler
        } finally {
          try {
            closeSync(holder);
          } catch {
            // closed above
          }
        }
      });
      it('FIFO_INIT_SIGNAL_COMMAND does the same; --rewrite of the same signal is a usage error', async () => {
        const run = server([], { env: { FIFO_INIT_SIGNAL_COMMAND: 'SIGUSR2:say via env' } });
        await ready(run);
        await run.signal('SIGUSR2');
        await waitFor('the command', () => run.output().stdout.includes('via env'));
        const clash = await server(['--signal-command', 'USR1:save', '--rewrite', 'USR1:HUP']).done;
        expect(clash.code).toBe(125);
      });
    });

    describe('12.6 a graceful end for leftovers', () => {
      for (const pid1 of [true, false]) {
        it(`--leftover-grace: a leftover gets SIGTERM and may finish; the exit code stays PROGRAM's (${pid1 ? 'PID 1' : 'subreaper'})`, async () => {
          const mark = join(dir, 'term');
          const run = start(['--leftover-grace', '5s', '--', ...program(`trap 'echo term > "${mark}"; exit 0' TERM; echo $$ > "$0.up"; while :; do sleep 0.1; done\n`, 5)], { pid1 });
          const result = await run.done;
          expect(result.timedOut).toBe(false);
          expect(result.code).toBe(5);
          expect(readFileSync(mark, 'utf8')).toBe('term\n');
        });
      }

      it('a leftover that ignores SIGTERM gets SIGKILL after the grace; as subreaper it is gone, not left running', async () => {
        // The leftover beats (a line a tenth of a second) into a file: alive while the file grows.
        const beat = join(dir, 'leftover.sh.up');
        const run = start(['--leftover-grace', '1s', '--', ...program(`trap '' TERM; while :; do echo x >> "$0.up"; sleep 0.1; done\n`, 4)], { pid1: false });
        await waitFor('the leftover', () => linesOf(beat).length > 0);
        const before = linesOf(beat).length;
        await sleep(500);
        expect(linesOf(beat).length).toBeGreaterThan(before); // SIGTERM did not end it: the grace runs
        const result = await run.done;
        expect(result.code).toBe(4);
        const after = linesOf(beat).length;
        await sleep(500);
        expect(linesOf(beat).length).toBe(after); // killed, not left running
      });
    });
  });
}
