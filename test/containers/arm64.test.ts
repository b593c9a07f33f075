/**
 * dist/fifo-init-arm64 under qemu-user (qemu-aarch64-static with the arm64
 * libc, libstdc++ and libatomic from Debian's arm64 architecture). When the
 * arm64 libraries could not be installed on this machine, the test is
 * skipped and says why; everything else still runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, writeFifo } from '../behaviour/harness.js';

const EXE = join(ROOT, 'dist', 'fifo-init-arm64');
const NEEDED = ['/lib/ld-linux-aarch64.so.1', '/usr/lib/aarch64-linux-gnu/libstdc++.so.6', '/usr/lib/aarch64-linux-gnu/libatomic.so.1'];
const missing = [
  ...(spawnSync('which', ['qemu-aarch64-static']).status === 0 ? [] : ['qemu-aarch64-static (Debian qemu-user-static)']),
  ...NEEDED.filter((path) => !existsSync(path)).map((path) => `${path} (arm64 libraries: dpkg --add-architecture arm64)`),
];
const reason = missing.length ? ` [skipped: missing ${missing.join(', ')}]` : '';

describe('arm64 executable', () => {
  it('is an aarch64 ELF executable', () => {
    const header = readFileSync(EXE).subarray(0, 20);
    expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(header.readUInt16LE(18)).toBe(183); // EM_AARCH64
  });

  it.skipIf(missing.length > 0)(`runs under qemu-aarch64-static: --version${reason}`, () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const result = spawnSync('qemu-aarch64-static', [EXE, '--version'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(`fifo-init ${version}`);
  });

  it.skipIf(missing.length > 0)(`runs under qemu-aarch64-static: a host write through the FIFO decides the exit code${reason}`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const fifo = join(dir, 'command_pipe');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const child = spawn('qemu-aarch64-static', [EXE, '--fifo', fifo, '--', 'dash', '-c', 'read -r code; exit "$code"'], { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = new Promise((resolve) => child.on('close', resolve));
      await writeFifo(fifo, '5\n', 30_000); // retried until the emulated init holds the FIFO
      expect(await code).toBe(5);
      clearTimeout(timer);
    } finally {
      cleanup();
    }
  }, 90_000);
});
