/**
 * Hostile paths (SPEC "What must hold everywhere"): nothing but the FIFO is
 * ever opened, created or chmod-ed, every step is bound to the inode that was
 * checked or created, a symlink at a --create path is refused, and two inits
 * never share one FIFO silently (SPEC "Supervision"). The executable only:
 * a shell cannot open with O_PATH, compare inodes or flock (README
 * "fifo-init.sh" lists what it cannot do). Races run in loops bounded by
 * count and time; every process is bounded by a timeout.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXE, makeFifo, startInit, tempDir, waitFor, writeFifo, type Running } from './harness.js';
import { executable } from './implementations.js';

const NOBODY = 65534;

/** The init run directly (not PID 1: these cases are about the path, not about reaping), bounded. */
function runExe(args: string[], timeoutMs = 15_000) {
  const result = spawnSync(EXE, args, { encoding: 'utf8', timeout: timeoutMs });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const oneLine = (stderr: string) => stderr.trim().split('\n');

/**
 * A watcher of IN_OPEN / IN_ACCESS / IN_MODIFY on some inodes (inotify(7)
 * through perl's syscall(), so no extra package): prints "EVENT <index>
 * <mask>" for each. An O_PATH open is no open for I/O and sends no event
 * (checked: it is what fifo-init may do to a non-FIFO); a real open does.
 */
const WATCHER = `
use strict; $| = 1;
my ($init1, $add) = $ARGV[0] eq 'x64' ? (294, 254) : (26, 27);
shift @ARGV;
my $fd = syscall($init1, 0); die "inotify_init1: $!" if $fd < 0;
my %index;
for my $i (0 .. $#ARGV) { my $w = syscall($add, $fd, $ARGV[$i], 0x20 | 0x1 | 0x2); die "inotify_add_watch: $!" if $w < 0; $index{$w} = $i; }
open(my $events, '<&=', $fd) or die "fdopen: $!";
print "READY\\n";
while (1) {
  my $n = sysread($events, my $buffer, 4096); last if !$n;
  for (my $at = 0; $at < $n; ) { my ($w, $mask, $cookie, $length) = unpack('iIII', substr($buffer, $at, 16)); print "EVENT $index{$w} $mask\\n"; $at += 16 + $length; }
}
`;

describe('fifo-init: hostile FIFO paths', () => {
  let dir: string;
  let cleanup: () => void;
  const children: ChildProcess[] = [];
  const running: Running[] = [];
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    chmodSync(dir, 0o755);
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const run of running.splice(0)) run.kill();
    cleanup();
  });
  const background = (command: string, args: string[]) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    return { child, output: () => out };
  };

  describe('--create', () => {
    it('a symlink at the --create path (to a FIFO, or dangling) is refused: 125, one line, nothing created at the target', () => {
      const target = makeFifo(join(dir, 'real_pipe'), 0o644);
      const link = join(dir, 'command_pipe');
      symlinkSync(target, link);
      const toFifo = runExe(['--fifo', link, '--create', '--', 'dash', '-c', 'echo started']);
      expect(toFifo.code).toBe(125);
      expect(toFifo.stdout).not.toContain('started');
      expect(oneLine(toFifo.stderr)).toHaveLength(1);
      expect(toFifo.stderr).toContain('symbolic link');
      expect(lstatSync(target).mode & 0o777).toBe(0o644); // not chmod-ed to 0600

      const missing = join(dir, 'elsewhere', 'pipe');
      mkdirSync(join(dir, 'elsewhere'));
      const dangling = join(dir, 'dangling');
      symlinkSync(missing, dangling);
      for (const args of [['--create'], ['--create=0660']]) {
        const result = runExe(['--fifo', dangling, ...args, '--', 'dash', '-c', 'echo started']);
        expect(result.code).toBe(125);
        expect(oneLine(result.stderr)).toHaveLength(1);
        expect(result.stderr).toContain('symbolic link');
        expect(existsSync(missing)).toBe(false);
      }
      // Without --create a dangling link is one clear line too (was "internal error: ENOENT").
      const plain = runExe(['--fifo', dangling, '--', 'true']);
      expect(plain.code).toBe(125);
      expect(oneLine(plain.stderr)).toHaveLength(1);
      expect(plain.stderr).not.toContain('internal error');
      // A symlink to a FIFO without --create is the user's own setup: followed.
      expect(runExe(['--fifo', link, '--', 'true']).code).toBe(0);
    });

    it('a non-root init under umask 0277 creates exactly MODE and runs; a restart reuses it', () => {
      const own = join(dir, 'own');
      mkdirSync(own);
      chownSync(own, NOBODY, NOBODY);
      const path = join(own, 'command_pipe');
      for (const [args, mode] of [
        [['--create'], 0o600],
        [['--create'], 0o600], // the restart: the FIFO made last time is ours and usable
        [['--create=0660'], 0o600], // existing: used as it is, never chmod-ed
      ] as const) {
        const result = spawnSync(
          'setpriv',
          ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'dash', '-c', 'umask 0277; exec "$@"', 'sh', EXE, '--fifo', path, ...args, '--', 'dash', '-c', 'echo started'],
          { encoding: 'utf8', timeout: 15_000 },
        );
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toContain('started');
        expect(lstatSync(path).mode & 0o777).toBe(mode);
      }
      const other = join(own, 'other_pipe');
      const result = spawnSync(
        'setpriv',
        ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'dash', '-c', 'umask 0277; exec "$@"', 'sh', EXE, '--fifo', other, '--create=0660', '--', 'true'],
        { encoding: 'utf8', timeout: 15_000 },
      );
      expect(result.status).toBe(0);
      expect(lstatSync(other).mode & 0o777).toBe(0o660);
    });

    it('an existing FIFO owned by another user is refused with --create, and used as it is without it', () => {
      const planted = makeFifo(join(dir, 'command_pipe'), 0o666);
      chownSync(planted, NOBODY, NOBODY);
      const result = runExe(['--fifo', planted, '--create', '--', 'dash', '-c', 'echo started']);
      expect(result.code).toBe(125);
      expect(result.stdout).not.toContain('started');
      expect(oneLine(result.stderr)).toHaveLength(1);
      expect(result.stderr).toContain(`uid ${NOBODY}`);
      expect(lstatSync(planted).mode & 0o777).toBe(0o666);
      expect(runExe(['--fifo', planted, '--', 'true']).code).toBe(0);
    });

    it('a FIFO another user renames over the path while it is created is never chmod-ed or used (race loop)', async () => {
      // The attacker owns the directory; it spins until the init's mkfifo
      // shows, then renames its own 0666 FIFO over it at once.
      const attack = join(dir, 'attack');
      mkdirSync(attack);
      chownSync(attack, NOBODY, NOBODY);
      const path = join(attack, 'command_pipe');
      const spin = `
        $| = 1;
        my ($path, $n) = @ARGV;
        system('mkfifo', '-m', '0666', "$path.evil.$n") == 0 or die;
        my $ino = (lstat("$path.evil.$n"))[1];
        print "$ino\\n";
        my $until = time + 5;
        until (-e $path) { exit 0 if time > $until }
        rename("$path.evil.$n", $path) or die "rename: $!";`;
      const deadline = Date.now() + 60_000;
      let tries = 0;
      let used = 0;
      for (; tries < 200 && Date.now() < deadline; tries++) {
        spawnSync('rm', ['-f', path]);
        const attacker = background('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'perl', '-e', spin, path, String(tries)]);
        const evilIno = Number((await waitFor('the attacker', () => attacker.output().match(/^(\d+)\n/)?.[1])));
        const result = runExe(['--fifo', path, '--create', '--', 'true']);
        await new Promise((resolve) => (attacker.child.exitCode === null ? attacker.child.on('close', resolve) : resolve(null)));
        const now = lstatSync(path);
        if (now.ino === evilIno) {
          // Renamed over ours: it must keep its 0666, whatever the init did.
          expect(now.mode & 0o777, `try ${tries}`).toBe(0o666);
          expect(now.uid).toBe(NOBODY);
        }
        if (result.code === 0) used += 1;
        expect([0, 125], `try ${tries}: ${result.stderr}`).toContain(result.code);
      }
      expect(tries).toBeGreaterThanOrEqual(50);
      expect(used).toBeGreaterThan(0);
    }, 90_000);
  });

  describe('the check never opens a non-FIFO', () => {
    it('a regular file and a null device swapped in under a race loop are never opened for reading or writing (init and send)', async () => {
      const path = join(dir, 'command_pipe');
      const fifo = makeFifo(join(dir, 'fifo'));
      const file = join(dir, 'file');
      writeFileSync(file, 'precious\n');
      const fileIno = lstatSync(file).ino;
      const device = join(dir, 'null');
      expect(spawnSync('mknod', [device, 'c', '1', '3']).status).toBe(0);
      const watcher = background('perl', ['-e', WATCHER, arch() === 'x64' ? 'x64' : 'arm64', file, device]);
      await waitFor('the watcher', () => watcher.output().includes('READY'));
      // Puts the FIFO, the file and the device at the path in turn, for ever (killed after).
      const swap = `
        my ($path, @names) = @ARGV;
        while (1) { for my $name (@names) { rename($name, $path) or die "rename: $!"; rename($path, $name) or die "rename back: $!"; } }`;
      const swapper = background('perl', ['-e', swap, path, fifo, file, device]);
      const deadline = Date.now() + 40_000;
      const initCodes = new Set<number | null>();
      const sendCodes = new Set<number | null>();
      let runs = 0;
      for (; runs < 100 && Date.now() < deadline; runs++) {
        initCodes.add(runExe(['--fifo', path, '--', 'true']).code);
        sendCodes.add(runExe(['send', '--fifo', path, 'x']).code);
      }
      expect(runs).toBeGreaterThanOrEqual(30);
      swapper.child.kill('SIGKILL');
      await new Promise((resolve) => swapper.child.on('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the last events, if any
      expect(watcher.output().split('\n').filter((line) => line.startsWith('EVENT'))).toEqual([]);
      // The file is at one of its two names now: byte for byte as it was.
      const where = [file, path].find((name) => existsSync(name) && lstatSync(name).ino === fileIno)!;
      expect(readFileSync(where, 'utf8')).toBe('precious\n');
      for (const code of initCodes) expect([0, 125]).toContain(code);
      for (const code of sendCodes) expect([66, 69]).toContain(code); // not a FIFO, or no reader
    }, 60_000);
  });

  describe('one init per FIFO', () => {
    it('a second init on the same FIFO (also through a bind mount) exits 125 with one line while the first keeps running; after the first exits a new one starts', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const out = join(dir, 'out');
      const first = startInit(executable, ['--fifo', fifo, '--', 'dash', '-c', 'exec cat > "$0"', out], { timeoutMs: 60_000 });
      running.push(first);
      await writeFifo(fifo, 'one\n');
      await waitFor('the first service', () => existsSync(out) && readFileSync(out, 'utf8') === 'one\n');

      const started = Date.now();
      const second = runExe(['--fifo', fifo, '--', 'dash', '-c', 'echo started'], 20_000);
      const waited = Date.now() - started;
      expect(second.code).toBe(125);
      expect(second.stdout).not.toContain('started');
      expect(oneLine(second.stderr)).toHaveLength(1);
      expect(second.stderr).toContain(fifo);
      expect(second.stderr).toMatch(/pid \d+ \(fifo-init\)/);
      expect(waited).toBeLessThan(15_000);

      // The same inode reached through a bind mount is the same FIFO.
      const bound = join(dir, 'bound_pipe');
      writeFileSync(bound, '');
      const viaMount = spawnSync('unshare', ['--mount', 'dash', '-c', 'mount --bind "$1" "$2" && exec "$3" --fifo "$2" -- dash -c "echo started"', 'sh', fifo, bound, EXE], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(viaMount.status).toBe(125);
      expect(viaMount.stdout).not.toContain('started');

      // The first never noticed: it still reads the FIFO.
      await writeFifo(fifo, 'two\n');
      await waitFor('the first service still reading', () => readFileSync(out, 'utf8') === 'one\ntwo\n');
      first.kill();
      await first.done;
      const next = runExe(['--fifo', fifo, '--', 'dash', '-c', 'echo started']);
      expect(next.code).toBe(0);
      expect(next.stdout).toContain('started');
    }, 60_000);

    it('--lock-timeout 0 / FIFO_INIT_LOCK_TIMEOUT=0: the second init refuses at once', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const first = startInit(executable, ['--fifo', fifo, '--', 'sleep', '30'], { timeoutMs: 60_000 });
      running.push(first);
      await writeFifo(fifo, '');
      for (const [args, env] of [
        [['--lock-timeout', '0'], {}],
        [[], { FIFO_INIT_LOCK_TIMEOUT: '0' }],
      ] as const) {
        const started = Date.now();
        const second = spawnSync(EXE, ['--fifo', fifo, ...args, '--', 'true'], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ...env } });
        expect(second.status).toBe(125);
        expect(oneLine(second.stderr)).toHaveLength(1);
        expect(Date.now() - started).toBeLessThan(2_000);
      }
    });

    it('a second init waits for the first to exit (a rolling update) and then runs', async () => {
      const fifo = makeFifo(join(dir, 'command_pipe'));
      const first = startInit(executable, ['--fifo', fifo, '--', 'sleep', '1'], { timeoutMs: 30_000 });
      running.push(first);
      await writeFifo(fifo, '');
      const second = runExe(['--fifo', fifo, '--', 'dash', '-c', 'echo started'], 20_000);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('started');
      expect((await first.done).code).toBe(0);
    }, 30_000);
  });
});
