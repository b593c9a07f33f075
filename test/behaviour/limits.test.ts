/**
 * The executable under tight resource limits (issue 9.9) and the limits
 * PROGRAM inherits (issue 9.10). Each run is PID 1 of its own namespace and
 * killed after 15 s: the assertion is that it never hangs, and ends either
 * with PROGRAM's own code or with 125 and one line. The limits used are the
 * ones docs/LIMITS.md measured as handled; below them Node itself hangs or
 * crashes before any JavaScript runs (documented there, not testable as "handled").
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFifo, runInit, startInit, tempDir, writeFifo, type Finished, type RunOptions } from './harness.js';
import { executable } from './implementations.js';

const BOUND_MS = 15_000;
/**
 * RLIMIT_NPROC counts every process of the real uid on the machine, so the
 * runs use a uid of their own (not 65534, which other suites use at the same time).
 */
const UID = 61000 + (process.pid % 1000);
const UNPRIVILEGED = ['setpriv', `--reuid=${UID}`, `--regid=${UID}`, '--clear-groups'];

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The processes of UID, ours alone. Needed after a hung run: setuid clears
 * the parent-death signal unshare --kill-child relies on, so a hung init
 * running as UID would outlive the harness's kill.
 */
function killUidProcesses(): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (new RegExp(`^Uid:\\s+${UID}\\s`, 'm').test(readFileSync(`/proc/${entry}/status`, 'utf8'))) killQuietly(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
}

/** A pids cgroup (v1 controller, or v2 with pids enabled) to put the init in, or undefined when this machine has none we may create. */
function pidsCgroupRoot(): string | undefined {
  if (existsSync('/sys/fs/cgroup/pids/cgroup.procs')) return '/sys/fs/cgroup/pids';
  try {
    if (readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').split(/\s+/).includes('pids')) return '/sys/fs/cgroup';
  } catch {
    // no cgroup v2 at the root
  }
  return undefined;
}
const PIDS_ROOT = pidsCgroupRoot();

/** Words that move the init into a fresh cgroup with pids.max = max, then exec it (so only the init and its children count). */
function inPidsCgroup(max: number): { prefix: string[]; cleanup: () => Promise<void> } {
  const cgroup = join(PIDS_ROOT!, `fifo-init-limits-${process.pid}-${max}-${Date.now()}`);
  mkdirSync(cgroup);
  writeFileSync(join(cgroup, 'pids.max'), String(max));
  return {
    prefix: ['sh', '-c', `echo $$ > ${cgroup}/cgroup.procs && exec "$@"`, 'sh'],
    cleanup: async () => {
      // Whatever is left in it (only a hung run leaves anything) is ours to end.
      for (let attempt = 0; attempt < 50; attempt++) {
        for (const pid of readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) killQuietly(Number(pid));
        try {
          rmdirSync(cgroup);
          return;
        } catch {
          await sleep(20); // the kernel frees it once the last task is reaped
        }
      }
    },
  };
}

/** PROGRAM's exit code, or 125 with exactly one line on stderr: never a hang, a crash or a stack. */
function handled(result: Finished, programCode: number): void {
  expect(result.timedOut, 'the init hung').toBe(false);
  if (result.code === programCode) return;
  expect(result.code, result.stderr).toBe(125);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

const run = (args: string[], options: RunOptions) => runInit(executable, args, { timeoutMs: BOUND_MS, ...options });

describe('fifo-init under tight limits (never hangs)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  describe.skipIf(PIDS_ROOT === undefined)('pids.max (cgroup pids controller)', () => {
    it('pids.max 4: PROGRAM runs (three threads of the init and PROGRAM)', async () => {
      const cgroup = inPidsCgroup(4);
      try {
        const result = await run(['--', 'sh', '-c', 'exit 7'], { prefix: cgroup.prefix });
        expect(result.timedOut, 'the init hung').toBe(false);
        expect(result.code, result.stderr).toBe(7);
      } finally {
        await cgroup.cleanup();
      }
    });
    it('pids.max 3: no room for PROGRAM: 125 and one line, at once', async () => {
      const cgroup = inPidsCgroup(3);
      try {
        const started = Date.now();
        const result = await run(['--', '/bin/true'], { prefix: cgroup.prefix });
        handled(result, 0);
        expect(result.code).toBe(125);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        await cgroup.cleanup();
      }
    });
    it('pids.max 5: an init that stays up gets a FIFO write to PROGRAM', async () => {
      const cgroup = inPidsCgroup(5);
      try {
        const fifo = makeFifo(join(dir, 'command_pipe'));
        const out = join(dir, 'out');
        const running = startInit(executable, ['--fifo', fifo, '--', 'sh', '-c', `read -r line && echo "$line" > ${out}`], {
          prefix: cgroup.prefix,
          timeoutMs: BOUND_MS,
        });
        await writeFifo(fifo, 'hello\n');
        const result = await running.done;
        expect(result.timedOut, 'the init hung').toBe(false);
        expect(result.code, result.stderr).toBe(0);
        expect(readFileSync(out, 'utf8')).toBe('hello\n');
      } finally {
        await cgroup.cleanup();
      }
    });
  });

  describe('RLIMIT_NPROC (as an unprivileged uid: not enforced for root)', () => {
    afterEach(killUidProcesses);
    it('RLIMIT_NPROC 4: PROGRAM runs', async () => {
      const result = await run(['--', 'sh', '-c', 'exit 7'], { prefix: [...UNPRIVILEGED, 'prlimit', '--nproc=4', '--'] });
      expect(result.timedOut, 'the init hung').toBe(false);
      expect(result.code, result.stderr).toBe(7);
    });
    it('RLIMIT_NPROC 3: 125 and one line', async () => {
      const result = await run(['--', '/bin/true'], { prefix: [...UNPRIVILEGED, 'prlimit', '--nproc=3', '--'] });
      handled(result, 0);
      expect(result.code).toBe(125);
    });
  });

  describe('RLIMIT_NOFILE', () => {
    it('21 open files: PROGRAM runs', async () => {
      const result = await run(['--', 'sh', '-c', 'exit 7'], { prefix: ['prlimit', '--nofile=21', '--'] });
      expect(result.timedOut, 'the init hung').toBe(false);
      expect(result.code, result.stderr).toBe(7);
    });
    it('21 open files and a FIFO to open: 125 and one line naming the FIFO', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const result = await run(['--fifo', fifo, '--', '/bin/true'], { prefix: ['prlimit', '--nofile=21', '--'] });
      handled(result, 0);
    });
    it('22 open files: an init that stays up gets a FIFO write to PROGRAM', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const out = join(dir, 'out');
      const running = startInit(executable, ['--fifo', fifo, '--', 'sh', '-c', `read -r line && echo "$line" > ${out}`], {
        prefix: ['prlimit', '--nofile=22', '--'],
        timeoutMs: BOUND_MS,
      });
      await writeFifo(fifo, 'hello\n');
      const result = await running.done;
      expect(result.timedOut, 'the init hung').toBe(false);
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe('hello\n');
    });
  });

  describe('RLIMIT_AS', () => {
    it('1536 MiB of address space: PROGRAM runs (V8 reserves ~1.1 GiB at start, docs/LIMITS.md)', async () => {
      const result = await run(['--', 'sh', '-c', 'exit 7'], { prefix: ['prlimit', `--as=${1536 * 1024 * 1024}`, '--'] });
      expect(result.timedOut, 'the init hung').toBe(false);
      expect(result.code, result.stderr).toBe(7);
    });
  });
});

describe("PROGRAM's RLIMIT_NOFILE (--nofile-soft)", () => {
  /** Started with soft 1024, hard 4096: what PROGRAM reads as its own "Max open files" [soft, hard]. */
  const programNofile = async (args: string[], env?: Record<string, string>): Promise<[number, number]> => {
    const result = await run([...args, '--', 'sh', '-c', 'grep "^Max open files" /proc/self/limits'], {
      prefix: ['prlimit', '--nofile=1024:4096', '--'],
      env,
    });
    expect(result.code, result.stderr).toBe(0);
    const [, soft, hard] = /Max open files\s+(\d+)\s+(\d+)/.exec(result.stdout)!;
    return [Number(soft), Number(hard)];
  };

  it('without the option PROGRAM gets what Node raised the soft limit to: the hard limit (documented)', async () => {
    expect(await programNofile([])).toEqual([4096, 4096]);
  });
  it('--nofile-soft N: PROGRAM gets exactly N, the hard limit unchanged', async () => {
    expect(await programNofile(['--nofile-soft', '1024'])).toEqual([1024, 4096]);
  });
  it('FIFO_INIT_NOFILE_SOFT=N does the same', async () => {
    expect(await programNofile([], { FIFO_INIT_NOFILE_SOFT: '512' })).toEqual([512, 4096]);
  });
  it('--exec: PROGRAM, replacing the init, gets exactly N', async () => {
    expect(await programNofile(['--exec', '--nofile-soft', '1000'])).toEqual([1000, 4096]);
  });
  it('N above the hard limit: 125 and one line, PROGRAM not started', async () => {
    const result = await run(['--nofile-soft', '5000', '--', 'sh', '-c', 'echo started'], { prefix: ['prlimit', '--nofile=1024:4096', '--'] });
    expect(result.code).toBe(125);
    expect(result.stdout).not.toContain('started');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
