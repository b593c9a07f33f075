/**
 * The init's contract (SPEC "Behaviour of the init" 1-6), run against every
 * implementation as a real PID 1 and as a subreaper. Asserts on exit codes,
 * signals and /proc, not on log wording (a keyword at most).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { chmodSync, chownSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { FIXTURES, linesOf, procStatus, runInit, startInit, tempDir, waitFor, writeFifo, type Running, makeFifo, underTerminal } from './harness.js';
import { caseOf, implementations } from './implementations.js';

const FIX = (name: string) => join(FIXTURES, name);

for (const impl of implementations) {
  describe(`${impl.name}: behaviour`, () => {
    let dir: string;
    let cleanup: () => void;
    const running: Running[] = [];
    const start = (...args: Parameters<typeof startInit> extends [unknown, ...infer R] ? R : never) => {
      const run = startInit(impl, ...args);
      running.push(run);
      return run;
    };
    const fifoAt = (name = 'command_pipe', mode = 0o600) => makeFifo(join(dir, name), mode);

    beforeEach(() => {
      ({ dir, cleanup } = tempDir());
    });
    afterEach(() => {
      for (const run of running.splice(0)) run.kill();
      cleanup();
    });

    describe('exit codes', () => {
      const it_ = caseOf(impl, 'exit-codes');
      for (const [script, code] of [
        ['exit 0', 0],
        ['exit 1', 1],
        ['exit 255', 255],
        ['kill -TERM $$', 143],
        ['kill -KILL $$', 137],
        ['kill -SEGV $$', 139],
      ] as const) {
        for (const pid1 of [true, false]) {
          it_(`\`${script}\` -> ${code} (${pid1 ? 'PID 1' : 'subreaper'})`, async () => {
            const result = await runInit(impl, ['--', 'dash', '-c', script], { pid1 });
            expect(result.code).toBe(code);
          });
        }
      }
      caseOf(impl, 'exit-remap')('-e remaps an exit code to 0, and only that one', async () => {
        expect((await runInit(impl, ['-e', '3', '--', 'dash', '-c', 'exit 3'])).code).toBe(0);
        expect((await runInit(impl, ['-e', '143', '--', 'dash', '-c', 'kill -TERM $$'])).code).toBe(0);
        expect((await runInit(impl, ['-e', '3', '--', 'dash', '-c', 'exit 4'])).code).toBe(4);
      });
      caseOf(impl, 'exec-errors')('127 when PROGRAM is not found, 126 when it is not executable, one line each', async () => {
        const notFound = await runInit(impl, ['--', 'no-such-program-fifo-init']);
        expect(notFound.code).toBe(127);
        expect(notFound.stderr.trim().split('\n')).toHaveLength(1);
        const plain = join(dir, 'not-executable');
        writeFileSync(plain, '#!/bin/sh\necho ran\n', { mode: 0o644 });
        const notExecutable = await runInit(impl, ['--', plain]);
        expect(notExecutable.code).toBe(126);
        expect(notExecutable.stdout).not.toContain('ran');
        expect(notExecutable.stderr.trim().split('\n')).toHaveLength(1);
        expect((await runInit(impl, ['--', join(dir, 'missing')])).code).toBe(127);
      });
    });

    describe('FIFO checks (exit 125, one line, nothing written)', () => {
      const it_ = caseOf(impl, 'fifo-checks');
      const refused = async (path: string, keyword: RegExp, options = {}) => {
        const result = await runInit(impl, ['--fifo', path, '--', 'dash', '-c', 'echo started'], options);
        expect(result.code).toBe(125);
        expect(result.stdout).not.toContain('started');
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(path);
        expect(lines[0]).toMatch(keyword);
      };
      it_('missing: says to mkfifo it on the host first', async () => {
        await refused(join(dir, 'nope'), /mkfifo/);
      });
      it_('a directory: explains the Docker bind-mount mistake', async () => {
        const path = join(dir, 'command_pipe');
        mkdirSync(path);
        await refused(path, /Docker/);
      });
      it_('a regular file: refused, left byte-for-byte and mtime unchanged', async () => {
        const path = join(dir, 'command_pipe');
        writeFileSync(path, 'precious data\n');
        const before = statSync(path);
        await refused(path, /regular file/);
        const after = statSync(path);
        expect(readFileSync(path, 'utf8')).toBe('precious data\n');
        expect(after.mtimeMs).toBe(before.mtimeMs);
        expect(after.size).toBe(before.size);
      });
      it_('a socket: refused, naming the type', async () => {
        const path = join(dir, 'command_pipe');
        const server = createServer();
        await new Promise<void>((resolve) => server.listen(path, resolve));
        try {
          await refused(path, /socket/);
        } finally {
          server.close();
        }
      });
      it_('a character device: refused, naming the type', async () => {
        await refused('/dev/null', /device/);
      });
      caseOf(impl, 'fifo-permission')('permission denied: names owner, mode and our uid/gid', async () => {
        const path = fifoAt('command_pipe', 0o600);
        chmodSync(dir, 0o755);
        const result = await runInit(impl, ['--fifo', path, '--', 'dash', '-c', 'echo started'], {
          prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
        });
        expect(result.code).toBe(125);
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(path);
        expect(lines[0]).toMatch(/uid 0/); // the owner
        expect(lines[0]).toMatch(/65534/); // who we are
        expect(lines[0]).toMatch(/0600/);
        expect(lines[0]).not.toMatch(/SELinux|namespace/); // the mode forbids: no hint
      });
      caseOf(impl, 'fifo-permission-hint')('refused although the mode allows (root of a user namespace, the owner unmapped): one line hinting at SELinux :z/:Z and the user namespace', async () => {
        // As root of a new user namespace the init holds CAP_DAC_OVERRIDE there, but the kernel
        // honours it only for inodes whose owner the namespace maps: host uid 1000 is not
        // mapped, shows as 65534, and the open is refused though no mode bit forbids it.
        // See: user_namespaces(7), capabilities(7) "CAP_DAC_OVERRIDE".
        const path = fifoAt('command_pipe', 0o600);
        chownSync(path, 1000, 1000);
        const result = await runInit(impl, ['--fifo', path, '--', 'dash', '-c', 'echo started'], { prefix: ['unshare', '--user', '--map-root-user'] });
        expect(result.code).toBe(125);
        expect(result.stdout).toBe('');
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(path);
        expect(lines[0]).toMatch(/uid 65534/);
        expect(lines[0]).toMatch(/:z or :Z/);
        expect(lines[0]).toMatch(/user namespace/);
      });
      caseOf(impl, 'fifo-world-writable')('a FIFO writable by everyone: a warning, and PROGRAM still runs', async () => {
        const path = fifoAt('command_pipe', 0o666);
        chmodSync(path, 0o666);
        const result = await runInit(impl, ['--fifo', path, '--', 'dash', '-c', 'echo started']);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('started');
        expect(result.stderr).toMatch(/warning/i);
        expect(result.stderr).toContain(path);
      });
    });

    describe('the FIFO as stdin', () => {
      caseOf(impl, 'stdin-writes')('host writes reach PROGRAM, and successive writers never cause EOF', async () => {
        const fifo = fifoAt();
        const out = join(dir, 'out');
        const run = start(['--fifo', fifo, '--', 'dash', '-c', 'cat > "$0"; echo EOF >> "$0"', out]);
        for (const word of ['first', 'second', 'third']) {
          await writeFifo(fifo, `${word}\n`); // open, write, close: a separate writer each time
          await waitFor(`${word} to arrive`, () => linesOf(out).includes(word));
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(linesOf(out)).toEqual(['first', 'second', 'third']);
        expect(run.child.exitCode).toBeNull(); // still running: cat saw no EOF
      });
      caseOf(impl, 'stdin-concurrent')('16 concurrent writers x 500 lines arrive whole and complete', async () => {
        const fifo = fifoAt();
        const out = join(dir, 'out');
        start(['--fifo', fifo, '--', 'dash', '-c', 'exec cat > "$0"', out], { timeoutMs: 60_000 });
        await writeFifo(fifo, ''); // wait until a reader holds the FIFO
        const pad = 'x'.repeat(1000);
        const writers = Array.from({ length: 16 }, (_, w) =>
          new Promise<number | null>((resolve) => {
            // dash's echo is one write(): each ~1 KB line is atomic (<= PIPE_BUF).
            const script = `i=0; while [ $i -lt 500 ]; do echo "w${w} $i ${pad} end"; i=$((i+1)); done > "$0"`;
            spawn('timeout', ['30', 'dash', '-c', script, fifo], { stdio: 'ignore' }).on('close', resolve);
          }),
        );
        expect(await Promise.all(writers)).toEqual(Array(16).fill(0));
        const lines = await waitFor('8000 lines', () => (linesOf(out).length >= 8000 ? linesOf(out) : undefined), 20_000);
        expect(lines).toHaveLength(8000);
        const next = new Map<string, number>();
        for (const line of lines) {
          const match = /^w(\d+) (\d+) (x+) end$/.exec(line);
          expect(match, `interleaved line: ${line.slice(0, 60)}...`).not.toBeNull();
          expect(match![3]).toHaveLength(1000);
          const expected = next.get(match![1]!) ?? 0;
          expect(Number(match![2])).toBe(expected); // each writer's lines in its own order
          next.set(match![1]!, expected + 1);
        }
        expect(next.size).toBe(16);
      }, 90_000);
      caseOf(impl, 'stdin-inherited')('without --fifo, stdin is inherited', async () => {
        const source = join(dir, 'input');
        writeFileSync(source, 'from the file\n');
        const fd = openSync(source, 'r');
        try {
          const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', ...impl.command, '--', 'cat'], { stdio: [fd, 'pipe', 'pipe'] });
          let stdout = '';
          child.stdout!.on('data', (chunk) => (stdout += chunk));
          const code = await new Promise((resolve) => child.on('close', resolve));
          expect(code).toBe(0);
          expect(stdout).toBe('from the file\n');
        } finally {
          closeSync(fd);
        }
      });
    });

    describe('signals', () => {
      for (const pid1 of [true, false]) {
        caseOf(impl, 'signals-forward')(`each forwarded signal reaches PROGRAM (${pid1 ? 'PID 1' : 'subreaper'})`, async () => {
          const out = join(dir, 'signals');
          const items = Object.entries(impl.forwards).map(([name, number]) => `${name}=${number}`);
          const run = start(['--', 'dash', FIX('signals.sh'), out, ...items], { pid1, timeoutMs: 60_000 });
          await waitFor('the fixture', () => linesOf(out).includes('ready'));
          for (const [name, number] of Object.entries(impl.forwards)) {
            await run.signal(number);
            await waitFor(`${name} to reach PROGRAM`, () => linesOf(out).includes(name), 5_000);
          }
          expect(linesOf(out).slice(1).sort()).toEqual(Object.keys(impl.forwards).sort());
        }, 90_000);
      }
      caseOf(impl, 'signals-burst')('a burst of different signals sent together all reach PROGRAM', async () => {
        const out = join(dir, 'signals');
        const burst = ['SIGUSR2', 'SIGHUP', 'SIGUSR1', 'SIGWINCH'] as const;
        const items = burst.map((name) => `${name.slice(3)}=${constants.signals[name]}`);
        const run = start(['--', 'dash', FIX('signals.sh'), out, ...items]);
        await waitFor('the fixture', () => linesOf(out).includes('ready'));
        const pid = await run.initPid();
        for (const name of burst) process.kill(pid, name); // no pause between them
        await waitFor('all four', () => linesOf(out).length === 5, 5_000);
        expect(linesOf(out).slice(1).sort()).toEqual(burst.map((name) => name.slice(3)).sort());
      });
      caseOf(impl, 'signals-group')('-g reaches a grandchild in PROGRAM\'s group; without -g it does not', async () => {
        for (const group of [true, false]) {
          const parent = join(dir, `parent-${group}`);
          const grandchild = join(dir, `grandchild-${group}`);
          const script = `dash "$0" "$1" USR1=10 & exec dash "$0" "$2" USR1=10`;
          const run = start([...(group ? ['-g'] : []), '--', 'dash', '-c', script, FIX('signals.sh'), grandchild, parent]);
          await waitFor('both fixtures', () => linesOf(parent).includes('ready') && linesOf(grandchild).includes('ready'));
          await run.signal('SIGUSR1');
          await waitFor('USR1 at PROGRAM', () => linesOf(parent).includes('USR1'));
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(linesOf(grandchild).includes('USR1')).toBe(group);
          run.kill();
        }
      });
      caseOf(impl, 'signals-usr1')('SIGUSR1 is forwarded and never opens a debugger', async () => {
        const out = join(dir, 'signals');
        const run = start(['--', 'dash', FIX('signals.sh'), out, 'USR1=10']);
        await waitFor('the fixture', () => linesOf(out).includes('ready'));
        const initPid = await run.initPid();
        await run.signal('SIGUSR1');
        await waitFor('USR1 at PROGRAM', () => linesOf(out).includes('USR1'));
        await new Promise((resolve) => setTimeout(resolve, 500));
        // The inspector would listen on 127.0.0.1:9229 (0x2411) and say so on stderr.
        const tcp = readFileSync(`/proc/${initPid}/net/tcp`, 'utf8');
        expect(tcp).not.toMatch(/:2411 00000000:0000 0A/);
        expect(run.output().stderr).not.toMatch(/Debugger/);
        // Still the same init, still forwarding: a second USR1 arrives too.
        await run.signal('SIGUSR1');
        await waitFor('a second USR1 at PROGRAM', () => linesOf(out).filter((line) => line === 'USR1').length === 2);
        expect(run.child.exitCode).toBeNull();
      });
    });

    describe('reaping', () => {
      for (const pid1 of [true, false]) {
        caseOf(impl, pid1 ? 'reap-orphans-pid1' : 'reap-orphans-subreaper')(`50 orphans leave no zombie (${pid1 ? 'PID 1' : 'subreaper'})`, async () => {
          const result = await runInit(impl, ['--', 'dash', FIX('orphans.sh'), '50'], { pid1, timeoutMs: 30_000 });
          expect(result.code).toBe(0);
          expect(result.stdout.trim()).toBe('zombies=0');
        }, 40_000);
      }
      caseOf(impl, 'reap-warn')('-w logs each reaped zombie', async () => {
        const result = await runInit(impl, ['-w', '--', 'dash', FIX('orphans.sh'), '5'], { timeoutMs: 30_000 });
        expect(result.stdout.trim()).toBe('zombies=0');
        expect(result.stderr.match(/reaped/gi)?.length).toBe(5);
      }, 40_000);
    });

    describe('idle', () => {
      caseOf(impl, 'idle-wakeups')('an idle init makes no periodic wake-ups (voluntary context switches over 3 s, all threads)', async () => {
        const run = start(['--', 'sleep', '30']);
        const pid = await run.initPid();
        const switches = () =>
          readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => sum + Number(procStatus(Number(`${tid}`)).voluntary_ctxt_switches), 0);
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // let start-up settle
        const before = switches();
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        // A once-a-second waker (tini's 1 s sigtimedwait) shows 3 here.
        expect(switches() - before).toBeLessThanOrEqual(1);
      });
    });

    describe('what PROGRAM gets', () => {
      // The shell lists its own descriptors by glob: no pipe, no child, no race.
      const LIST_FDS = 'for f in /proc/$$/fd/*; do printf "%s " "${f##*/}"; done; echo';
      caseOf(impl, 'spawn-fds-signals')('fd 0 is the FIFO, no descriptor of the init leaks, one passed on purpose stays, default signals', async () => {
        const fifo = fifoAt();
        const passed = openSync(join(dir, 'passed-on-purpose'), 'w');
        try {
          // Whatever this test process itself leaks to children shows in a run
          // without any init; PROGRAM under the init must see exactly that.
          const baseline = await runInit({ name: 'none', command: [], skips: {} }, ['dash', '-c', LIST_FDS], { extraFds: { 20: passed } });
          expect(baseline.stdout).toMatch(/^0 1 2 .*\b20\b/);
          // exec: grep reads its own status, with the mask and dispositions dash
          // was given (a shell waiting for a child blocks signals meanwhile).
          const script = `${LIST_FDS}; readlink /proc/$$/fd/0; exec grep -E "^Sig(Ign|Blk)" /proc/self/status`;
          const result = await runInit(impl, ['--fifo', fifo, '--', 'dash', '-c', script], { extraFds: { 20: passed } });
          expect(result.code).toBe(0);
          const [programFds, stdin, sigBlk, sigIgn] = result.stdout.trim().split('\n');
          expect(programFds!.trim()).toBe(baseline.stdout.trim());
          expect(stdin).toBe(fifo);
          expect(sigIgn).toMatch(/^SigIgn:\s+0+$/);
          expect(sigBlk).toMatch(/^SigBlk:\s+0+$/);
        } finally {
          closeSync(passed);
        }
      });
      caseOf(impl, 'spawn-pgroup')('PROGRAM leads a process group of its own', async () => {
        const result = await runInit(impl, ['--', 'dash', '-c', 'cut -d" " -f1,5 /proc/$$/stat']);
        expect(result.code).toBe(0);
        const [pid, pgid] = result.stdout.trim().split(' ');
        expect(pgid).toBe(pid);
      });
      caseOf(impl, 'node-options')('NODE_OPTIONS=--bogus is ignored by the init yet passed to PROGRAM', async () => {
        const result = await runInit(impl, ['--', 'dash', '-c', 'echo "[$NODE_OPTIONS]"'], { env: { NODE_OPTIONS: '--bogus' } });
        expect(result.code).toBe(0);
        expect(result.stdout).toBe('[--bogus]\n');
      });
    });

    describe('parent death', () => {
      caseOf(impl, 'pdeath-signal')('-p USR1: when the init\'s parent dies, PROGRAM receives USR1', async () => {
        const out = join(dir, 'signals');
        // PID 1 (dash) -> parent (dash, killed by the test) -> init -> fixture
        const wrapper = { script: `dash -c '"$@" & wait' parent "$@"; sleep 60`, depth: 3 };
        const run = start(['-p', 'SIGUSR1', '--', 'dash', FIX('signals.sh'), out, 'USR1=10'], { pid1: false, wrapper });
        await waitFor('the fixture', () => linesOf(out).includes('ready'));
        const initPid = await run.initPid();
        const parentPid = Number(readFileSync(`/proc/${initPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
        process.kill(parentPid, 'SIGKILL');
        await waitFor('USR1 at PROGRAM', () => linesOf(out).includes('USR1'));
      });
    });

    describe('terminal', () => {
      caseOf(impl, 'tty-foreground')('under a terminal PROGRAM is the foreground group and gets Ctrl-C exactly once', async () => {
        const out = join(dir, 'tty');
        const fixture =
          `trap 'echo INT >> "$0"' INT; set -- "$0" $(cat /proc/$$/stat); echo "pid=$2 pgrp=$6 tpgid=$9" > "$1.stat"; ` +
          `while ! grep -q INT "$1" 2>/dev/null; do sleep 0.1; done; sleep 1; exit 0`;
        const terminal = underTerminal([...impl.command, '--', 'dash', '-c', fixture, out]);
        try {
          const stat = await waitFor('the fixture under a terminal', () => linesOf(`${out}.stat`)[0]);
          const fields = Object.fromEntries(stat.split(' ').map((kv) => kv.split('=')));
          expect(fields.pgrp).toBe(fields.pid); // its own group
          expect(fields.tpgid).toBe(fields.pgrp); // ...which is the terminal's foreground group
          terminal.type('\x03'); // Ctrl-C on the terminal
          expect(await terminal.closed).toBe(0);
          expect(linesOf(out)).toEqual(['INT']);
        } finally {
          terminal.kill();
        }
      });
    });
  });
}
