/**
 * End to end in real OCI containers (runc): a scratch/distroless image with
 * no shell, bind-mount mistakes, a busybox image running fifo-init.sh, a
 * sidecar typing into a service through a shared directory.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir, writeFifo, makeFifo } from '../behaviour/harness.js';
import { busyboxRootfs, Container, scratchRootfs, type Mount } from './runc.js';

const PIPE = '/service/command_pipe';
const ECHO_SERVICE = 'echo ready; while read -r line; do echo "got $line"; [ "$line" = quit ] && exit 7; done; exit 9';

describe('runc: real containers', () => {
  let scratch: string;
  let busybox: string;
  let dir: string;
  let cleanup: () => void;
  let fifo: string;
  const containers: Container[] = [];
  const run = (rootfs: string, args: string[], extraMounts: Mount[] = [], options = {}) => {
    const container = new Container(rootfs, args, [{ source: FIXTURES, destination: '/fixtures', readonly: true }, ...extraMounts], options);
    containers.push(container);
    return container;
  };
  const pipeMount = (): Mount => ({ source: fifo, destination: PIPE });

  beforeAll(() => {
    scratch = scratchRootfs();
    busybox = busyboxRootfs();
  });
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    fifo = makeFifo(join(dir, 'command_pipe'));
  });
  afterEach(() => {
    for (const container of containers.splice(0)) container.destroy();
    cleanup();
  });
  afterAll(() => {
    for (const container of containers.splice(0)) container.destroy();
  });

  describe('distroless/scratch image: fifo-init is the container process, no /bin/sh', () => {
    it('the image has no shell', () => {
      expect(existsSync(join(scratch, 'bin', 'sh'))).toBe(false);
      expect(existsSync(join(scratch, 'fifo-init'))).toBe(true);
    });

    it('host writes arrive in order; a `quit` command ends it with the service\'s own exit code', async () => {
      const container = run(scratch, ['/fifo-init', '--fifo', PIPE, '--', '/bin/busybox', 'sh', '-c', ECHO_SERVICE], [pipeMount()]);
      await container.waitForOutput('ready');
      for (const word of ['one', 'two', 'three']) await writeFifo(fifo, `${word}\n`);
      await writeFifo(fifo, 'quit\n');
      const result = await container.done;
      expect(result.code).toBe(7);
      expect(result.stdout.split('\n').filter((line) => line.startsWith('got'))).toEqual(['got one', 'got two', 'got three', 'got quit']);
    });

    it('`runc kill ID TERM` ends the container with the service\'s status (128+15)', async () => {
      const container = run(scratch, ['/fifo-init', '--fifo', PIPE, '--', '/bin/busybox', 'sh', '-c', ECHO_SERVICE], [pipeMount()]);
      await container.waitForOutput('ready');
      container.kill('TERM');
      expect((await container.done).code).toBe(143);
    });

    it('orphans inside the container are reaped', async () => {
      const container = run(scratch, ['/fifo-init', '--', '/bin/busybox', 'sh', '/fixtures/orphans.sh', '20']);
      const result = await container.done;
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe('zombies=0');
    });

    it('--stop-command turns `runc kill TERM` into a clean console stop', async () => {
      const data = join(dir, 'data');
      mkdirSync(data);
      const container = run(
        scratch,
        ['/fifo-init', '--fifo', PIPE, '--stop-command', 'stop', '--', '/bin/busybox', 'sh', '/fixtures/gameserver.sh', '/data/world'],
        [pipeMount(), { source: data, destination: '/data' }],
      );
      await container.waitForOutput('ready');
      container.kill('TERM');
      expect((await container.done).code).toBe(0);
      expect(readFileSync(join(data, 'world'), 'utf8')).toBe('saved\n');
    });
  });

  describe('bind-mount mistakes', () => {
    it('host path missing, so Docker made a directory: exit 125 with the Docker hint', async () => {
      const made = join(dir, 'made-by-docker');
      mkdirSync(made); // what `docker run -v` does for a missing host path
      const container = run(scratch, ['/fifo-init', '--fifo', PIPE, '--', '/bin/busybox', 'true'], [{ source: made, destination: PIPE }]);
      const result = await container.done;
      expect(result.code).toBe(125);
      expect(result.stderr).toMatch(/Docker/);
      expect(result.stderr).toContain('mkfifo');
    });

    it('a regular file mounted instead of a FIFO: exit 125, file unchanged', async () => {
      const file = join(dir, 'file');
      writeFileSync(file, 'not a pipe\n');
      const before = statSync(file);
      const container = run(scratch, ['/fifo-init', '--fifo', PIPE, '--', '/bin/busybox', 'true'], [{ source: file, destination: PIPE }]);
      const result = await container.done;
      expect(result.code).toBe(125);
      expect(result.stderr).toMatch(/regular file/);
      expect(readFileSync(file, 'utf8')).toBe('not a pipe\n');
      expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    });
  });

  describe('busybox image: fifo-init.sh as the container process', () => {
    it('host writes arrive; a `quit` command ends it with the service\'s code', async () => {
      const container = run(busybox, ['/bin/sh', '/fifo-init.sh', '--fifo', PIPE, '--', 'sh', '-c', ECHO_SERVICE], [pipeMount()]);
      await container.waitForOutput('ready');
      await writeFifo(fifo, 'hello\n');
      await writeFifo(fifo, 'quit\n');
      const result = await container.done;
      expect(result.code).toBe(7);
      expect(result.stdout).toContain('got hello');
    });

    it('--stop-command turns `runc kill TERM` into a console stop', async () => {
      const data = join(dir, 'data');
      mkdirSync(data);
      const container = run(
        busybox,
        ['/bin/sh', '/fifo-init.sh', '--fifo', PIPE, '--stop-command', 'stop', '--', 'sh', '/fixtures/gameserver.sh', '/data/world'],
        [pipeMount(), { source: data, destination: '/data' }],
      );
      await container.waitForOutput('ready');
      container.kill('TERM');
      expect((await container.done).code).toBe(0);
      expect(readFileSync(join(data, 'world'), 'utf8')).toBe('saved\n');
    });
  });

  describe('sidecar', () => {
    it('a second container types into the service with `fifo-init send`; after the service stopped, send fails with 69 at once', async () => {
      const shared = join(dir, 'shared');
      mkdirSync(shared);
      const mount = { source: shared, destination: '/shared' };
      const service = run(scratch, ['/fifo-init', '--fifo', '/shared/command_pipe', '--create', '--', '/bin/busybox', 'sh', '-c', ECHO_SERVICE], [mount]);
      await service.waitForOutput('ready');
      expect(statSync(join(shared, 'command_pipe')).isFIFO()).toBe(true);
      const sender = run(scratch, ['/fifo-init', 'send', '--fifo', '/shared/command_pipe', 'hello from the sidecar', 'quit'], [mount]);
      expect((await sender.done).code).toBe(0);
      expect((await service.done).code).toBe(7);
      expect(service.stdout).toContain('got hello from the sidecar');
      const started = Date.now();
      const late = run(scratch, ['/fifo-init', 'send', '--fifo', '/shared/command_pipe', 'anyone?'], [mount]);
      const result = await late.done;
      expect(result.code).toBe(69);
      expect(Date.now() - started).toBeLessThan(10_000); // container start included; the point: it does not hang
    });
  });
});
