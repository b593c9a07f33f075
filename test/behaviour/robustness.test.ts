/**
 * An init that cannot be knocked over (issue 9; SPEC "Signal policy",
 * "Supervision"): floods, self-caused signals, long timers, ptrace stops,
 * early signals, spawn errors, descriptors, and tini's options. Each case
 * failed on the build before the fix (FIFO_INIT_TEST_EXE=old build shows it).
 * Every flood and wait is bounded in count and time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXE, FIXTURES, linesOf, makeFifo, procStatus, runInit, startInit, tempDir, underTerminal, waitFor, writeFifo, type Running } from './harness.js';
import { executable } from './implementations.js';

const FIX = (name: string) => join(FIXTURES, name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first process below `root` (breadth first) whose argv[0] is `command`, or undefined. */
function descendantRunning(root: number, command: string): number | undefined {
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    try {
      if (pid !== root && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === command) return pid;
      queue.push(...readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Sends HUP and USR2 to `pid` as fast as perl can for `seconds`; resolves with how many were sent. */
function flood(pid: number, seconds: number): Promise<number> {
  const script = 'my ($pid, $end) = @ARGV; my $n = 0; while (time < $end) { kill "HUP", $pid or last; kill "USR2", $pid or last; $n += 2 } print $n';
  const child = spawn('perl', ['-e', script, String(pid), String(Math.floor(Date.now() / 1000) + seconds)], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), (seconds + 5) * 1000);
  return new Promise((resolve) => child.on('close', () => (clearTimeout(guard), resolve(Number(out) || 0))));
}

describe('fifo-init: robustness (issue 9)', () => {
  let dir: string;
  let cleanup: () => void;
  const running: Running[] = [];
  const start = (args: string[], options: Parameters<typeof startInit>[2] = {}) => {
    const run = startInit(executable, args, options);
    running.push(run);
    return run;
  };
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => {
    for (const run of running.splice(0)) run.kill();
    cleanup();
  });

  describe('9.1 a signal flood never loses PROGRAM\'s exit', () => {
    for (const pid1 of [true, false]) {
      it(`PROGRAM exits during a 2 s HUP/USR2 flood; the init exits with its code (${pid1 ? 'PID 1' : 'subreaper'})`, async () => {
        // PROGRAM ignores the flood, and exits 7 in the middle of it.
        const run = start(['--', 'dash', '-c', 'trap "" HUP USR2; echo ready; sleep 1; exit 7'], { pid1, timeoutMs: 20_000 });
        await waitFor('PROGRAM', () => run.output().stdout.includes('ready'));
        const sent = await flood(await run.initPid(), 2);
        const result = await run.done;
        expect(sent).toBeGreaterThan(1000);
        expect(result.timedOut).toBe(false);
        expect(result.code).toBe(7);
      }, 30_000);
    }
  });

  describe('9.2 real-time signals are forwarded and never kill the init', () => {
    for (const pid1 of [true, false]) {
      it(`SIGRTMIN, SIGRTMIN+5 and SIGRTMAX reach PROGRAM (${pid1 ? 'PID 1' : 'subreaper'})`, async () => {
        const out = join(dir, 'signals');
        const run = start(['--', 'dash', FIX('signals.sh'), out, 'RTMIN=34', 'RTMIN5=39', 'RTMAX=64'], { pid1 });
        await waitFor('the fixture', () => linesOf(out).includes('ready'));
        for (const [name, number] of [['RTMIN', 34], ['RTMIN5', 39], ['RTMAX', 64]] as const) {
          await run.signal(number);
          await waitFor(`${name} at PROGRAM`, () => linesOf(out).includes(name), 5_000);
        }
        expect(run.child.exitCode).toBeNull();
      });
    }
  });

  describe('9.3 a signal the init causes itself is never forwarded', () => {
    it('stderr is a dead pipe: a --stop-command stop still saves the world and exits 0 (no SIGPIPE for PROGRAM)', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const world = join(dir, 'world');
      const run = start(['-v', '-v', '--fifo', fifo, '--stop-command', 'stop', '--', 'dash', FIX('gameserver.sh'), world]);
      await waitFor('the server', () => run.output().stdout.includes('ready'));
      run.child.stderr!.destroy(); // the only reader of the init's stderr is gone
      await sleep(200);
      await run.signal('SIGTERM'); // the init logs the stop: EPIPE, SIGPIPE raised in the init itself
      const result = await run.done;
      expect(result.code).toBe(0);
      expect(readFileSync(world, 'utf8')).toBe('saved\n');
    });

    it('stderr is a dead pipe: -w logging reaped orphans does not kill PROGRAM', async () => {
      const run = start(['-w', '--', 'dash', '-c', `sleep 0.5; dash "${FIX('orphans.sh')}" 5; trap 'exit 9' PIPE; sleep 1; exit 0`], { timeoutMs: 20_000 });
      run.child.stderr!.destroy();
      const result = await run.done;
      expect(result.stdout.trim()).toBe('zombies=0');
      expect(result.code).toBe(0);
    });

    it('stderr past RLIMIT_FSIZE: the init\'s SIGXFSZ is not forwarded', async () => {
      const log = join(dir, 'stderr');
      const prefix = ['dash', '-c', 'exec 2>"$0"; exec prlimit --fsize=16 -- "$@"', log];
      const result = await runInit(executable, ['-v', '-v', '-v', '--', 'dash', '-c', "trap 'exit 3' XFSZ; sleep 1; exit 0"], { prefix });
      expect(result.code).toBe(0);
      expect(readFileSync(log).length).toBeLessThanOrEqual(16);
    });

    it('the same signal sent from outside is forwarded', async () => {
      const out = join(dir, 'signals');
      const run = start(['--', 'dash', FIX('signals.sh'), out, 'PIPE=13', 'XFSZ=25']);
      await waitFor('the fixture', () => linesOf(out).includes('ready'));
      await run.signal('SIGPIPE');
      await run.signal('SIGXFSZ');
      await waitFor('PIPE and XFSZ at PROGRAM', () => linesOf(out).includes('PIPE') && linesOf(out).includes('XFSZ'), 5_000);
    });
  });

  describe('9.4 every duration is honoured or refused', () => {
    it('a --stop-timeout of 1073742 s (past 2^30 ms) does not SIGKILL right after the stop command', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const world = join(dir, 'world');
      const run = start(['--fifo', fifo, '--stop-command', 'say hold on', '--stop-timeout', '1073742', '--', 'dash', FIX('gameserver.sh'), world]);
      await waitFor('the server', () => run.output().stdout.includes('ready'));
      await run.signal('SIGTERM');
      await waitFor('the stop command', () => run.output().stdout.includes('hold on'));
      await sleep(1_500);
      expect(run.child.exitCode).toBeNull(); // still running: no SIGTERM/SIGKILL after 1 ms
      await writeFifo(fifo, 'stop\n');
      expect((await run.done).code).toBe(0);
    });

    it('a duration past the timer maximum is a usage error naming the maximum', async () => {
      const result = await runInit(executable, ['--fifo', '/nonexistent', '--stop-timeout', '600h', '--', 'true']);
      expect(result.code).toBe(125);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/2147483647ms/);
    });
  });

  describe('9.5 once PROGRAM runs, only its real exit ends the init', () => {
    it('PROGRAM calls PTRACE_TRACEME and takes a signal: its stop is no exit, it goes on and exits 7', async () => {
      // syscall 101 = ptrace on x86_64; PTRACE_TRACEME = 0.
      const script = '$SIG{USR2} = sub { $got = 1 }; syscall(101, 0, 0, 0, 0) == 0 or die "ptrace: $!"; kill "USR2", $$; sleep 1; exit($got ? 7 : 8)';
      const result = await runInit(executable, ['--', 'perl', '-e', script]);
      expect(result.code).toBe(7);
    });

    it('PROGRAM calls PTRACE_TRACEME and execs: the SIGTRAP stop is withheld and its exit code is kept', async () => {
      const result = await runInit(executable, ['--', 'perl', '-e', 'syscall(101, 0, 0, 0, 0) == 0 or die; exec "dash", "-c", "exit 5"']);
      expect(result.code).toBe(5);
    });
  });

  describe('9.6 early signals are held and delivered after the spawn', () => {
    it('a SIGTERM while the FIFO is being opened is held: after the spawn it becomes the stop command', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const world = join(dir, 'world');
      // strace delays the FIFO's open by 1.5 s: Node has booted and the
      // handlers are in place by then, PROGRAM does not exist yet.
      const prefix = ['strace', '-qq', '-f', '-o', '/dev/null', '-P', fifo, '-e', 'trace=openat', '-e', 'inject=openat:delay_enter=1500000'];
      const run = start(['--fifo', fifo, '--stop-command', 'stop', '--', 'dash', FIX('gameserver.sh'), world], { pid1: false, prefix, wrapper: { script: '"$@" & wait $!', depth: 3 } });
      // (strace forks short-lived probes of its own: look for the init by name.)
      const initPid = await waitFor('the init under strace', () => descendantRunning(run.child.pid!, EXE));
      // SigCgt shows the init catches SIGRTMAX (bit 64-1), the last handler it installs (Node
      // itself catches SIGTERM from its own start, to reset the terminal and die: no sign of ours).
      await waitFor('the init\'s handlers', () => (BigInt(`0x${procStatus(initPid).SigCgt}`) & (1n << 63n)) !== 0n);
      expect(run.output().stdout).not.toContain('ready'); // PROGRAM not started yet
      process.kill(initPid, 'SIGTERM');
      const result = await run.done;
      expect(result.code).toBe(0);
      expect(readFileSync(world, 'utf8')).toBe('saved\n');
    }, 30_000);

    it('--exec: a SIGTERM while the FIFO is being opened is not lost at the execve: PROGRAM never starts, the init ends 143', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const started = join(dir, 'started');
      const prefix = ['strace', '-qq', '-f', '-o', '/dev/null', '-P', fifo, '-e', 'trace=openat', '-e', 'inject=openat:delay_enter=1500000'];
      const run = start(['--exec', '--fifo', fifo, '--', 'dash', '-c', `: > ${started}; sleep 5`], { pid1: false, prefix, wrapper: { script: '"$@" & wait $!', depth: 3 } });
      const initPid = await waitFor('the init under strace', () => descendantRunning(run.child.pid!, EXE));
      await waitFor('the init\'s handlers', () => (BigInt(`0x${procStatus(initPid).SigCgt}`) & (1n << 63n)) !== 0n);
      process.kill(initPid, 'SIGTERM');
      const result = await run.done;
      expect(result.code).toBe(143);
      expect(existsSync(started)).toBe(false);
    }, 30_000);
  });

  describe('9.7 under a terminal, --stop-command turns Ctrl-C into the stop command', () => {
    it('Ctrl-C typed at the terminal saves the world and exits 0', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const world = join(dir, 'world');
      const terminal = underTerminal([EXE, '--fifo', fifo, '--stop-command', 'stop', '--', 'dash', FIX('gameserver.sh'), world]);
      try {
        await waitFor('the server under a terminal', () => terminal.output().includes('ready'));
        terminal.type('\x03');
        expect(await terminal.closed).toBe(0);
        expect(readFileSync(world, 'utf8')).toBe('saved\n');
      } finally {
        terminal.kill();
      }
    });
  });

  describe('9.8 spawn errors by errno; a file without #! runs under /bin/sh', () => {
    it('an executable script without #! is run by /bin/sh, as execvp does', async () => {
      const script = join(dir, 'no-shebang');
      writeFileSync(script, 'exit 42\n', { mode: 0o755 });
      const result = await runInit(executable, ['--', script]);
      expect(result.code).toBe(42);
      const exec = await runInit(executable, ['--exec', '--', script]);
      expect(exec.code).toBe(42);
    });

    it('a fork refused for resources (a pids cgroup at its limit) is the init\'s failure, 125, not 126', async () => {
      const group = `/sys/fs/cgroup/pids/fifo-init-test-${process.pid}-${Date.now()}`;
      mkdirSync(group);
      try {
        const fifo = makeFifo(join(dir, 'command_pipe'));
        // strace holds the FIFO's open for 1.5 s; meanwhile the running init is
        // moved into a pids cgroup whose limit it already exceeds (allowed: the
        // limit applies to new tasks), so the spawn's clone() fails with EAGAIN.
        const prefix = ['strace', '-qq', '-f', '-o', '/dev/null', '-P', fifo, '-e', 'trace=openat', '-e', 'inject=openat:delay_enter=1500000'];
        const run = start(['--fifo', fifo, '--', 'true'], { pid1: false, prefix, wrapper: { script: '"$@" & wait $!', depth: 3 } });
        const initPid = await waitFor('the init under strace', () => descendantRunning(run.child.pid!, EXE));
        await sleep(300);
        writeFileSync(join(group, 'cgroup.procs'), String(initPid));
        writeFileSync(join(group, 'pids.max'), '1');
        const result = await run.done;
        expect(result.timedOut).toBe(false);
        expect(result.code).toBe(125);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(/EAGAIN|Resource temporarily unavailable/);
      } finally {
        rmdirSync(group);
      }
    }, 30_000);
  });

  describe('9.11 descriptors: LISTEN_FDS and --preserve-fds', () => {
    // Which of fds 3, 4, 16, 17 PROGRAM has open (no glob: it would open a descriptor of its own).
    const LIST = 'for n in 3 4 16 17; do [ -e /proc/$$/fd/$n ] && printf "%s " $n; done; echo; echo "pid=$$ listen_pid=${LISTEN_PID-unset} listen_fds=${LISTEN_FDS-unset}"';
    const withFds = async (args: string[], env: Record<string, string | undefined>, fds: number[]) => {
      const opened = fds.map((fd) => [fd, openSync(join(dir, `fd${fd}`), 'w')] as const);
      try {
        return await runInit(executable, args, { env, extraFds: Object.fromEntries(opened) });
      } finally {
        for (const [, fd] of opened) closeSync(fd);
      }
    };
    it('LISTEN_FDS=2: fds 3 and 4 reach PROGRAM, with LISTEN_PID set to PROGRAM\'s own pid', async () => {
      const result = await withFds(['--', 'dash', '-c', LIST], { LISTEN_FDS: '2', LISTEN_PID: '1' }, [3, 4]);
      expect(result.code).toBe(0);
      const [fds, ids] = result.stdout.trim().split('\n');
      expect(fds!.split(' ')).toEqual(expect.arrayContaining(['3', '4']));
      const [, pid, listenPid, listenFds] = /pid=(\d+) listen_pid=(\S+) listen_fds=(\S+)/.exec(ids!)!;
      expect(listenPid).toBe(pid);
      expect(listenFds).toBe('2');
    });
    it('LISTEN_PID naming another process: the descriptors are not ours to pass', async () => {
      const result = await withFds(['--', 'dash', '-c', LIST], { LISTEN_FDS: '1', LISTEN_PID: '999999' }, [3]);
      expect(result.stdout.split('\n')[0]!.split(' ')).not.toContain('3');
      expect(result.stdout).toContain('listen_pid=999999');
    });
    it('--exec with LISTEN_FDS: PROGRAM is PID 1 and LISTEN_PID=1', async () => {
      const result = await withFds(['--exec', '--', 'dash', '-c', LIST], { LISTEN_FDS: '1', LISTEN_PID: '1' }, [3]);
      expect(result.stdout).toMatch(/^3 \n/);
      expect(result.stdout).toContain('pid=1 listen_pid=1 listen_fds=1');
    });
    it('--preserve-fds 15 passes 3..17, contiguous 16 and 17 included; without it they stay closed', async () => {
      const fds = [3, 4, 16, 17];
      const kept = await withFds(['--preserve-fds', '15', '--', 'dash', '-c', LIST], {}, fds);
      expect(kept.stdout.split('\n')[0]!.trim().split(' ')).toEqual(expect.arrayContaining(['3', '4', '16', '17']));
      expect(kept.stdout).toContain('listen_pid=unset');
      const dropped = await withFds(['--', 'dash', '-c', LIST], {}, fds);
      expect(dropped.stdout.split('\n')[0]!.trim()).toBe('');
      const viaEnv = await withFds(['--', 'dash', '-c', LIST], { FIFO_INIT_PRESERVE_FDS: '2' }, [3, 4]);
      expect(viaEnv.stdout.split('\n')[0]!.trim()).toBe('3 4');
    });
  });

  describe('9.13 tini compatibility', () => {
    it('-p SIGKILL: the init dies with its parent, as tini -p SIGKILL', async () => {
      const wrapper = { script: `dash -c '"$@" & wait' parent "$@"; sleep 60`, depth: 3 };
      const ready = join(dir, 'ready');
      const run = start(['-p', 'SIGKILL', '--', 'dash', '-c', 'echo ready > "$0"; exec sleep 60', ready], { pid1: false, wrapper });
      await waitFor('PROGRAM', () => linesOf(ready).includes('ready'));
      const initPid = await run.initPid();
      const parentPid = Number(readFileSync(`/proc/${initPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      process.kill(parentPid, 'SIGKILL');
      await waitFor('the init to die with its parent', () => !existsSync(`/proc/${initPid}/status`) || procStatus(initPid).State.startsWith('Z'), 5_000);
    });
    it('TINI_VERBOSITY=4 logs at debug level', async () => {
      const result = await runInit(executable, ['--', 'true'], { env: { TINI_VERBOSITY: '4' } });
      expect(result.stderr).toMatch(/started true as pid/);
    });
  });

  describe('10.6 and 10.10 bytes in are bytes out; logs cannot be forged', () => {
    it('PROGRAM receives arguments with invalid UTF-8 byte for byte, spawned and with --exec', () => {
      for (const exec of [[], ['--exec']]) {
        const result = spawnSync('bash', ['-c', `"$0" ${exec.join(' ')} -- perl -e 'print unpack("H*", join("|", @ARGV))' $'a\\xffb' $'\\xc3\\xa9' $'\\xed\\xa0\\x80'`, EXE], { encoding: 'utf8', timeout: 10_000 });
        expect(result.stdout).toBe(Buffer.from([0x61, 0xff, 0x62, 0x7c, 0xc3, 0xa9, 0x7c, 0xed, 0xa0, 0x80]).toString('hex'));
      }
    });
    it('--exec passes the environment byte for byte', () => {
      const result = spawnSync('bash', ['-c', `export ODD=$'x\\xfey'; "$0" --exec -- perl -e 'print unpack("H*", $ENV{ODD})'`, EXE], { encoding: 'utf8', timeout: 10_000 });
      expect(result.stdout).toBe('78fe79');
    });
    it('--create makes the FIFO under exactly the bytes given, invalid UTF-8 included', () => {
      const result = spawnSync('bash', ['-c', `"$0" --fifo "$1"$'/p\\xff' --create -- true && ls "$1" | od -An -tx1`, EXE, dir], { encoding: 'utf8', timeout: 10_000 });
      expect(result.status).toBe(0);
      expect(result.stdout.replace(/\s+/g, '')).toBe('70ff0a');
    });

    it('a newline in a program name cannot print a second fifo-init: line', async () => {
      const result = await runInit(executable, ['--', 'no-such\nfifo-init: forged line']);
      expect(result.code).toBe(127);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('\\x0a');
    });

    it('a newline in a FIFO path cannot print a second fifo-init: line', async () => {
      const result = await runInit(executable, ['--fifo', '/nonexistent\nfifo-init: forged line', '--', 'true']);
      expect(result.code).toBe(125);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('/nonexistent\\x0afifo-init: forged line');
    });
  });
});
