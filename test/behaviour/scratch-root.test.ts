/**
 * The executable in a root that holds only dist/rootfs (as `FROM scratch` +
 * `COPY dist/rootfs/ /` gives) with no /proc mounted and no /bin/sh: the
 * fallbacks of issue 9.8 (a file without `#!` and no shell to run it) and
 * 10.5 (argv, environ and the FIFO reached without /proc). PID 1 of its own
 * namespace, under chroot; /dev is the host's (bind-mounted), as runtimes
 * always provide one.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXE, makeFifo, tempDir, writeFifo, type Finished } from './harness.js';

const BUSYBOX = '/bin/busybox';

describe('fifo-init in a scratch root: no /proc, no /bin/sh', () => {
  let root: string;
  let cleanup: () => void;

  beforeAll(() => {
    ({ dir: root, cleanup } = tempDir());
    chmodSync(root, 0o755);
    // The executable under test, with the libraries of the build's rootfs beside it.
    cpSync(join(dirname(EXE), 'rootfs'), root, { recursive: true, dereference: true });
    copyFileSync(EXE, join(root, 'fifo-init'));
    copyFileSync(BUSYBOX, join(root, 'busybox'));
    mkdirSync(join(root, 'dev'));
    makeFifo(join(root, 'command_pipe'));
    symlinkSync('/command_pipe', join(root, 'link_pipe'));
    writeFileSync(join(root, 'noshebang'), 'echo this needs a shell\n', { mode: 0o755 });
  });
  afterAll(() => cleanup());

  /** `chroot ROOT /fifo-init ARGS` as PID 1 of a new PID and mount namespace, no /proc; killed after 15 s. */
  const inScratch = (args: string[]): { done: Promise<Finished> } => {
    const script = `mount --rbind /dev "$1/dev" && exec chroot "$@"`;
    const child = spawn('unshare', ['--mount', '--pid', '--fork', '--kill-child', 'sh', '-c', script, 'sh', root, '/fifo-init', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GREETING: 'hi there' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, 15_000);
    const done = new Promise<Finished>((resolve) =>
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, timedOut });
      }),
    );
    return { done };
  };

  it('PROGRAM gets its arguments and the environment, and its exit code is the init\'s', async () => {
    const result = await inScratch(['--', '/busybox', 'sh', '-c', 'echo "$0 $1 $GREETING"; exit 7', 'one', 'two words']).done;
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('one two words hi there\n');
    expect(result.code).toBe(7);
  });

  it('the FIFO is opened by its path (no /proc/self/fd) and is PROGRAM\'s stdin', async () => {
    const run = inScratch(['--fifo', '/command_pipe', '--', '/busybox', 'sh', '-c', 'read -r line; echo "got $line"']);
    await writeFifo(join(root, 'command_pipe'), 'hello from the host\n', 10_000);
    const result = await run.done;
    expect(result.stdout).toBe('got hello from the host\n');
    expect(result.code).toBe(0);
  });

  it('a symbolic link as --fifo is refused with one line and 125: without /proc it cannot be opened safely', async () => {
    const result = await inScratch(['--fifo', '/link_pipe', '--', '/busybox', 'true']).done;
    expect(result.code).toBe(125);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^fifo-init: \/link_pipe is a symbolic link and \/proc is not mounted/)]);
  });

  it('a file without #! and no /bin/sh to run it: 126 and one line saying to add a #! line', async () => {
    const result = await inScratch(['--', '/noshebang']).done;
    expect(result.code).toBe(126);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^fifo-init: \/noshebang: .*no '#!' line.*no \/bin\/sh.*add a '#!' line$/)]);
  });
});
