/**
 * `fifo-init send`, the operator's writer (SPEC "fifo-init send"): never
 * hangs, never writes a non-FIFO, one atomic write per line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, existsSync, mkdirSync, openSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drainFifo, EXE, fillFifo, linesOf, startInit, tempDir, waitFor, writeFifo, type Running, makeFifo } from './harness.js';
import { executable } from './implementations.js';

const send = (args: string[], input?: string | Buffer, env: Record<string, string> = {}) => {
  const started = Date.now();
  const result = spawnSync(EXE, ['send', ...args], { input, encoding: 'utf8', timeout: 15_000, env: { ...process.env, ...env } });
  return { ...result, ms: Date.now() - started };
};

/**
 * `fifo-init send ARGS` with stdin from a shell pipeline, under a perl that
 * reports the send's peak RSS in kB (getrusage(RUSAGE_CHILDREN).ru_maxrss:
 * the largest child waited for, i.e. the send itself) on fd 3.
 */
const sendPiped = (pipeline: string, args: string[]) => {
  const started = Date.now();
  const perl = 'system(@ARGV); my $status = $?; my $usage = "\\0" x 144; syscall(98, -1, $usage) == 0 or die "getrusage: $!"; ' +
    'open(my $out, ">&=3") or die; print $out ((unpack("q18", $usage))[4]); exit($status >> 8)';
  const result = spawnSync('bash', ['-c', `${pipeline} | perl -e '${perl}' "$@" 3>"$RSS_FILE"`, 'bash', EXE, 'send', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, RSS_FILE: join(rssDir, 'rss') },
  });
  return { ...result, ms: Date.now() - started, maxRssKb: Number(readFileSync(join(rssDir, 'rss'), 'utf8')) };
};
let rssDir = '';

describe('fifo-init send', () => {
  let dir: string;
  let cleanup: () => void;
  let fifo: string;
  const running: Running[] = [];
  /** A service that copies its stdin (the FIFO) into `out`. */
  const service = (out: string, script = 'exec cat > "$0"') => {
    const run = startInit(executable, ['--fifo', fifo, '--', 'dash', '-c', script, out], { timeoutMs: 60_000 });
    running.push(run);
    return run;
  };
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    rssDir = dir;
    fifo = makeFifo(join(dir, 'command_pipe'));
  });
  afterEach(() => {
    for (const run of running.splice(0)) run.kill();
    cleanup();
  });

  it('writes each TEXT as a line, then each stdin line', async () => {
    const out = join(dir, 'out');
    service(out);
    await writeFifo(fifo, ''); // until the service holds the FIFO
    expect(send(['--fifo', fifo, 'say hello', 'save']).status).toBe(0);
    expect(send(['--fifo', fifo], 'from stdin 1\nfrom stdin 2\n').status).toBe(0);
    expect(send([], 'via env\n', { FIFO_INIT_FIFO: fifo }).status).toBe(0);
    expect(send(['--fifo', fifo, '--', '--not-an-option']).status).toBe(0);
    await waitFor('all lines', () => linesOf(out).length >= 6);
    expect(linesOf(out)).toEqual(['say hello', 'save', 'from stdin 1', 'from stdin 2', 'via env', '--not-an-option']);
  });

  it('no reader (service down): exit 69 within 1 s instead of hanging', () => {
    const result = send(['--fifo', fifo, 'stop']);
    expect(result.status).toBe(69);
    expect(result.ms).toBeLessThan(1_000);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('missing path, directory, regular file: exit 66, nothing created or written', () => {
    const missing = join(dir, 'missing');
    expect(send(['--fifo', missing, 'x']).status).toBe(66);
    expect(() => statSync(missing)).toThrow();
    const directory = join(dir, 'directory');
    mkdirSync(directory);
    expect(send(['--fifo', directory, 'x']).status).toBe(66);
    const file = join(dir, 'file');
    writeFileSync(file, 'precious\n');
    const before = statSync(file);
    expect(send(['--fifo', file, 'x']).status).toBe(66);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
  });

  it('a line longer than PIPE_BUF: exit 65 and nothing written, not even the lines before it', async () => {
    const out = join(dir, 'out');
    service(out);
    await writeFifo(fifo, '');
    const result = send(['--fifo', fifo, 'short line', 'x'.repeat(4096)]);
    expect(result.status).toBe(65);
    expect(send(['--fifo', fifo, 'x'.repeat(4095)]).status).toBe(0); // 4095 + newline = PIPE_BUF: fine
    await waitFor('the long line', () => linesOf(out).length >= 1);
    expect(linesOf(out).map((line) => line.length)).toEqual([4095]);
  });

  it('a FIFO that stays full: exit 75 after --timeout, and nothing partial written', async () => {
    // The service never reads, so the buffer fills up.
    service(join(dir, 'out'), 'exec sleep 30');
    await writeFifo(fifo, '');
    const filler = fillFifo(fifo);
    // Our own reader keeps the FIFO's bytes while we look (see drainFifo).
    const reader = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK);
    const result = send(['--fifo', fifo, '--timeout', '300ms', 'y'.repeat(2000)]);
    expect(result.status).toBe(75);
    expect(result.ms).toBeGreaterThanOrEqual(250);
    // Exactly the filler, no 'y' at all.
    const drained = drainFifo(reader);
    expect(drained.equals(filler)).toBe(true);
    expect(drained.includes('y')).toBe(false);
  });

  it('8 concurrent senders x 200 lines arrive whole', async () => {
    const out = join(dir, 'out');
    service(out);
    await writeFifo(fifo, '');
    const pad = 'z'.repeat(2000);
    const senders = Array.from({ length: 8 }, (_, s) => {
      const lines = Array.from({ length: 200 }, (_, i) => `s${s} ${i} ${pad} end`);
      return new Promise<number | null>((resolve) => {
        spawn('timeout', ['30', EXE, 'send', '--fifo', fifo, ...lines], { stdio: 'ignore' }).on('close', resolve);
      });
    });
    expect(await Promise.all(senders)).toEqual(Array(8).fill(0));
    const lines = await waitFor('1600 lines', () => (linesOf(out).length >= 1600 ? linesOf(out) : undefined), 20_000);
    expect(lines).toHaveLength(1600);
    const next = new Map<string, number>();
    for (const line of lines) {
      const match = /^s(\d) (\d+) (z+) end$/.exec(line);
      expect(match, `interleaved: ${line.slice(0, 50)}`).not.toBeNull();
      expect(match![3]).toHaveLength(2000);
      expect(Number(match![2])).toBe(next.get(match![1]!) ?? 0);
      next.set(match![1]!, Number(match![2]) + 1);
    }
  }, 60_000);

  it('a TEXT with a newline or carriage return: exit 65, one line, nothing written', async () => {
    const out = join(dir, 'out');
    service(out);
    await writeFifo(fifo, '');
    for (const text of ['save\nstop', 'save\rstop', 'stop\r', '\n']) {
      const result = send(['--fifo', fifo, 'first', text]);
      expect(result.status).toBe(65);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(send(['--fifo', fifo, 'done']).status).toBe(0);
    await waitFor('the last line', () => linesOf(out).length >= 1);
    expect(readFileSync(out, 'latin1')).toBe('done\n');
  });

  it('stdin lines keep their bytes: invalid UTF-8 and a lone CR pass through, CRLF ends a line, a last line without newline is sent', async () => {
    const out = join(dir, 'out');
    service(out);
    await writeFifo(fifo, '');
    const input = Buffer.concat([
      Buffer.from('plain\r\n'),
      Buffer.from([0xff, 0xfe, 0x20, 0xc3, 0x28, 0x0a]), // invalid UTF-8
      Buffer.from('lone\rcr\n'),
      Buffer.alloc(4095, 0xff), // 4095 invalid bytes: exactly PIPE_BUF with the newline
      Buffer.from('\nlast'),
    ]);
    const result = send(['--fifo', fifo], input);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const expected = Buffer.concat([
      Buffer.from('plain\n'),
      Buffer.from([0xff, 0xfe, 0x20, 0xc3, 0x28, 0x0a]),
      Buffer.from('lone\rcr\n'),
      Buffer.alloc(4095, 0xff),
      Buffer.from('\nlast\n'),
    ]);
    await waitFor('every byte', () => existsSync(out) && readFileSync(out).length >= expected.length);
    expect(readFileSync(out).equals(expected)).toBe(true);
  });

  it('an over-long stdin line: exit 65, the lines before it sent, nothing of it or after it', async () => {
    const out = join(dir, 'out');
    service(out);
    await writeFifo(fifo, '');
    const result = send(['--fifo', fifo], `before\n${'x'.repeat(4096)}\nafter\n`);
    expect(result.status).toBe(65);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(send(['--fifo', fifo, 'marker']).status).toBe(0);
    await waitFor('the marker', () => linesOf(out).includes('marker'));
    expect(linesOf(out)).toEqual(['before', 'marker']);
  });

  it('a 100 MB line on stdin: exit 65 fast, memory bounded by the line limit', async () => {
    const out = join(dir, 'out');
    service(out);
    await writeFifo(fifo, '');
    const result = sendPiped("head -c 100000000 /dev/zero | tr '\\0' x", ['--fifo', fifo]);
    expect(result.status, result.stderr).toBe(65);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.ms).toBeLessThan(5_000);
    // A correctness bound, not a benchmark: the whole line buffered was 423 MB.
    expect(result.maxRssKb).toBeGreaterThan(0);
    expect(result.maxRssKb).toBeLessThan(150 * 1024);
    expect(send(['--fifo', fifo, 'marker']).status).toBe(0);
    await waitFor('the marker', () => linesOf(out).includes('marker'));
    expect(linesOf(out)).toEqual(['marker']);
  }, 60_000);

  it('stdin that cannot be read (a directory): exit 74 with one line', async () => {
    service(join(dir, 'out'), 'exec sleep 30');
    await writeFifo(fifo, '');
    const fd = openSync(dir, fsc.O_RDONLY);
    try {
      const result = spawnSync(EXE, ['send', '--fifo', fifo], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', timeout: 15_000 });
      expect(result.status).toBe(74);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      closeSync(fd);
    }
  });

  it('a symlink is followed and what it reaches is checked: a device is refused (66)', () => {
    // /dev/null: opening it for writing would "succeed" and lose the line.
    const link = join(dir, 'link');
    symlinkSync('/dev/null', link);
    const result = send(['--fifo', link, 'x']);
    expect(result.status).toBe(66);
    expect(result.stderr).toMatch(/character device/);
  });

  it('usage errors exit 64 with one line', () => {
    for (const args of [['--bogus'], [], ['--fifo', fifo, '--timeout', 'soon', 'x']]) {
      const result = send(args, '');
      expect(result.status).toBe(64);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(send(['--help']).status).toBe(0);
  });
});
