/**
 * `fifo-init send`, the operator's writer (SPEC "fifo-init send"): never
 * hangs, never writes a non-FIFO, one atomic write per line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { constants as fsc, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drainFifo, EXE, fillFifo, linesOf, startInit, tempDir, waitFor, writeFifo, type Running, makeFifo } from './harness.js';
import { executable } from './implementations.js';

const send = (args: string[], input?: string, env: Record<string, string> = {}) => {
  const started = Date.now();
  const result = spawnSync(EXE, ['send', ...args], { input, encoding: 'utf8', timeout: 15_000, env: { ...process.env, ...env } });
  return { ...result, ms: Date.now() - started };
};

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

  it('usage errors exit 64 with one line', () => {
    for (const args of [['--bogus'], [], ['--fifo', fifo, '--timeout', 'soon', 'x']]) {
      const result = send(args, '');
      expect(result.status).toBe(64);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(send(['--help']).status).toBe(0);
  });
});
