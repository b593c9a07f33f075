/**
 * fifo-init under a real Docker engine (Debian's dockerd 20.10, containerd,
 * runc, docker-init), private to this file (test/containers/docker.ts):
 * Dockerfile.example built as written from stand-in base images, the
 * fifo-init image (build/image.Dockerfile) and a Dockerfile that takes it
 * with COPY --from, then the image author's and operator's day with
 * `docker run`, `exec`, `stop`, `kill`, `restart`, `--init`, `-it`, `-i`,
 * `attach`, `--user`, `--tmpfs` + `--create`, and examples/compose.yaml
 * brought up with docker-compose. Containers run with --network none.
 *
 * Skipped, with the reason, only when dockerd cannot run here.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXE, FIXTURES, makeFifo, ROOT, tempDir, underTerminal, waitFor, writeFifo } from '../behaviour/harness.js';
import { buildContext, COMPOSE, DIST, DOCKER, dockerMissing, Engine, importBaseImages, run } from './docker.js';

const PIPE = '/service/command_pipe';
const IMAGE = (target: string) => `fifo-init-test:${target}`;
/** Final stages of Dockerfile.example the tests run: target -> how the service's shell is called there. */
const STAGES = {
  scratch: ['/app/busybox', 'sh'],
  distroless: ['/app/busybox', 'sh'],
  alpine: ['sh'],
  'alpine-sh': ['sh'],
} as const;
type Stage = keyof typeof STAGES;
/** The uid:gid Dockerfile.example's final stages run as. */
const UID = 1000;

/** Linux signals 1-64 an init must not forward (as test/behaviour/implementations.ts, written out again). */
const NEVER_FORWARDED = new Set([4, 7, 8, 9, 11, 17, 19, 21, 22, 32, 33]);
const FORWARDED = Array.from({ length: 64 }, (_, i) => i + 1).filter((n) => !NEVER_FORWARDED.has(n));

const missing = dockerMissing();
const figures: string[] = [];

describe.skipIf(missing !== undefined)(`docker: a real engine${missing ? ` [skipped: ${missing}]` : ''}`, () => {
  let engine: Engine;
  let dir: string;
  let cleanup: () => void;
  let fifo: string;
  let data: string;
  let counter = 0;
  let unavailable: string | undefined;
  const started = Date.now();

  const docker = (args: string[], timeoutMs = 30_000) => engine.docker(args, { timeoutMs });
  const name = () => `fifo-init-test-${process.pid}-${++counter}`;

  /** `docker run -d` of IMAGE with the FIFO, the fixtures and a data dir mounted; returns the container's name. */
  const start = async (image: string, command: string[], flags: string[] = []): Promise<string> => {
    const container = name();
    await engine.must(
      ['run', '-d', '--name', container, '--network', 'none', '-v', `${fifo}:${PIPE}`, '-v', `${FIXTURES}:/fixtures:ro`, '-v', `${data}:/data`, ...flags, image, ...command],
      { timeoutMs: 60_000 },
    );
    return container;
  };
  const logs = (container: string) => engine.logs(container);
  const lines = async (container: string) => (await logs(container)).stdout.split('\n').filter(Boolean);
  const waitLog = (container: string, text: string, timeoutMs = 20_000) =>
    waitForAsync(`"${text}" in the logs of ${container}`, async () => (await logs(container)).stdout.includes(text), timeoutMs);
  const gameserver = (stage: Stage) => [...STAGES[stage], '/fixtures/gameserver.sh', '/data/world'];
  const world = () => (existsSync(join(data, 'world')) ? readFileSync(join(data, 'world'), 'utf8') : undefined);
  const hostSend = (...words: string[]) => run(EXE, ['send', '--fifo', fifo, ...words], { timeoutMs: 15_000 });

  /** `docker run -it ...` under script(1)'s pseudo-terminal; types Ctrl-C once `ready` shows, returns the exit code. */
  const dockerRunIt = async (args: string[], ready: () => boolean): Promise<{ code: number | null; output: string }> => {
    const terminal = underTerminal([DOCKER, 'run', '-it', '--rm', '--network', 'none', ...args], { timeoutMs: 40_000, env: engine.env });
    try {
      await waitFor('the service under a terminal', () => ready() || terminal.output().includes('ready'), 30_000);
      terminal.type('\x03'); // Ctrl-C on the terminal
      return { code: await terminal.closed, output: terminal.output() };
    } finally {
      terminal.kill();
    }
  };

  beforeAll(async () => {
    const t0 = Date.now();
    try {
      engine = await Engine.start();
    } catch (error) {
      // The one reason to skip: no engine here. Everything after this (images, builds) must pass.
      unavailable = `dockerd cannot start here: ${(error as Error).message.split('\n')[0]}`;
      console.warn(`docker tests skipped: ${unavailable}`);
      return;
    }
    figures.push(`dockerd up in ${Date.now() - t0} ms`);
    const t1 = Date.now();
    figures.push(...(await importBaseImages(engine)));
    const context = buildContext(engine);
    for (const target of Object.keys(STAGES)) {
      await engine.must(['build', '-q', '-f', join(context, 'Dockerfile.example'), '--target', target, '-t', IMAGE(target), context], { timeoutMs: 180_000 });
    }
    rmSync(context, { recursive: true, force: true });
    figures.push(`base images + 4 targets built in ${Date.now() - t1} ms`);
  }, 600_000);

  beforeEach((context) => {
    if (unavailable) context.skip(unavailable);
    ({ dir, cleanup } = tempDir());
    chmodSync(dir, 0o755);
    fifo = makeFifo(join(dir, 'command_pipe'));
    chownSync(fifo, UID, UID);
    data = join(dir, 'data');
    mkdirSync(data);
    chownSync(data, UID, UID);
  });

  afterEach(async () => {
    if (unavailable) return;
    await engine.removeAllContainers();
    cleanup();
  }, 60_000);

  afterAll(async () => {
    if (engine) {
      figures.push(`disk: data root ${engine.diskMB()} MB at the end (vfs copies every layer)`);
      engine.stop();
    }
    figures.push(`docker tests: ${Math.round((Date.now() - started) / 1000)} s in all`);
    console.log(`docker figures:\n  ${figures.join('\n  ')}`);
  }, 120_000);

  describe('Dockerfile.example, built as written (classic builder, stand-in base images)', () => {
    it('every target builds; the executable runs in scratch, distroless and alpine; scratch and distroless have no /bin/sh', async () => {
      for (const target of ['scratch', 'distroless', 'alpine'] as const) {
        const version = await docker(['run', '--rm', '--network', 'none', '--entrypoint', '/fifo-init', IMAGE(target), '--version']);
        expect(version.code, `${target}: ${version.stderr}`).toBe(0);
        expect(version.stdout).toMatch(/^fifo-init \d/);
      }
      for (const target of ['scratch', 'distroless'] as const) {
        const shell = await docker(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', IMAGE(target), '-c', 'true']);
        expect(shell.code, target).toBe(127); // Docker: the entrypoint does not exist
      }
      const script = await docker(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', IMAGE('alpine-sh'), '-c', 'test -f /fifo-init.sh && ! test -e /fifo-init']);
      expect(script.code).toBe(0);
    });

    it('a broken variant fails: alpine with the executable but without its glibc closure cannot start it', async () => {
      const text = readFileSync(join(ROOT, 'Dockerfile.example'), 'utf8');
      const broken = text.replace(/(FROM alpine:3\.20 AS alpine\n)COPY --from=dist \/dist\/rootfs\/ \//, '$1COPY --from=dist /dist/rootfs/fifo-init /fifo-init');
      expect(broken).not.toBe(text);
      const context = buildContext(engine, broken);
      try {
        await engine.must(['build', '-q', '-f', join(context, 'Dockerfile.example'), '--target', 'alpine', '-t', 'fifo-init-test:broken', context], { timeoutMs: 180_000 });
        const result = await docker(['run', '--rm', '--network', 'none', '--entrypoint', '/fifo-init', 'fifo-init-test:broken', '--version']);
        // No /lib64/ld-linux-x86-64.so.2: execve fails with ENOENT. (dockerd 20.10 says
        // "exec /fifo-init: no such file or directory"; the exit is the CLI's, not a container's.)
        console.log(`broken variant: exit ${result.code}: ${result.stderr.trim()}`);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/no such file or directory/);
        expect(result.stdout).toBe('');
      } finally {
        rmSync(context, { recursive: true, force: true });
        await docker(['rmi', '-f', 'fifo-init-test:broken'], 60_000);
      }
    }, 240_000);
  });

  describe('Dockerfile.example: where dist/ comes from', () => {
    it('DIST=an image (the from-source path\'s second step): the final stage copies that image\'s /dist; BuildKit builds a target without the node stage', async () => {
      // A stand-in for step 1's image (tagged from dist-from-source, which needs the network):
      // dist/rootfs and fifo-init.sh under /dist, plus a marker file to see which dist/ was used.
      const standIn = join(dir, 'standin');
      mkdirSync(join(standIn, 'dist'), { recursive: true });
      spawnSync('cp', ['-al', join(DIST, 'rootfs'), join(standIn, 'dist', 'rootfs')]);
      writeFileSync(join(standIn, 'dist', 'rootfs', 'from-image'), 'yes\n');
      spawnSync('cp', [join(DIST, 'fifo-init.sh'), join(standIn, 'dist')]);
      await engine.importRootfs(standIn, 'fifo-init-test:dist');
      rmSync(join(standIn, 'dist', 'rootfs', 'from-image'));
      const context = buildContext(engine);
      const marker = async (image: string) => {
        const container = name();
        await engine.must(['create', '--name', container, image]);
        return (await docker(['cp', `${container}:/from-image`, '-'])).code === 0;
      };
      try {
        const file = join(context, 'Dockerfile.example');
        await engine.must(['build', '-q', '-f', file, '--build-arg', 'DIST=fifo-init-test:dist', '--target', 'scratch', '-t', 'fifo-init-test:from-image', context], { timeoutMs: 180_000 });
        expect(await marker('fifo-init-test:from-image')).toBe(true);
        expect(await marker(IMAGE('scratch'))).toBe(false); // the default: dist-prebuilt
        const version = await docker(['run', '--rm', '--network', 'none', '--entrypoint', '/fifo-init', 'fifo-init-test:from-image', '--version']);
        expect(version.code).toBe(0);
        // BuildKit (no `# syntax=` line: its built-in frontend, nothing pulled) builds only the
        // stages a target uses: node:22-bookworm, which does not exist here, is never needed.
        const buildkit = await engine.docker(['build', '-q', '--network', 'none', '-f', file, '--target', 'scratch', '-t', 'fifo-init-test:buildkit', context], {
          timeoutMs: 180_000,
          env: { DOCKER_BUILDKIT: '1' },
        });
        expect(buildkit.code, buildkit.stderr).toBe(0);
        expect((await docker(['image', 'inspect', 'node:22-bookworm'])).code).not.toBe(0);
        const run2 = await docker(['run', '--rm', '--network', 'none', '--entrypoint', '/fifo-init', 'fifo-init-test:buildkit', '--version']);
        expect(run2.code).toBe(0);
      } finally {
        rmSync(context, { recursive: true, force: true });
        await engine.removeAllContainers();
        await docker(['rmi', '-f', 'fifo-init-test:dist', 'fifo-init-test:from-image', 'fifo-init-test:buildkit'], 60_000);
        await docker(['builder', 'prune', '-af'], 60_000);
      }
    }, 300_000);
  });

  describe('the fifo-init image (build/image.Dockerfile, from the release tarball): COPY --from=fifo-init:VERSION', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const tag = `fifo-init:${version}`;
    /** A build context holding only the release tarballs (hard links), as `dist/` would give them. */
    const releaseContext = () => {
      const context = mkdtempSync(join(engine.dir, 'release-'));
      for (const arch of ['amd64', 'arm64']) {
        const tarball = join(DIST, `fifo-init-rootfs-${arch}.tar.gz`);
        if (existsSync(tarball) && spawnSync('cp', ['-l', tarball, context]).status !== 0) copyFileSync(tarball, join(context, `fifo-init-rootfs-${arch}.tar.gz`));
      }
      return context;
    };
    /** The files of a release tarball, as `tar -t` names them. */
    const tarballFiles = (arch: string) =>
      spawnSync('tar', ['-tvzf', join(DIST, `fifo-init-rootfs-${arch}.tar.gz`)], { encoding: 'utf8', maxBuffer: 1 << 20 })
        .stdout.split('\n')
        .filter((line) => line && !line.startsWith('d'))
        .map((line) => line.split(/\s+/).slice(5).join(' '))
        .sort();

    it(`${tag} holds only /fifo-init and its libraries; a Dockerfile with COPY --from=${tag} / / onto a stand-in base runs a service: a console command arrives, docker stop is a clean exit`, async () => {
      const context = releaseContext();
      try {
        await engine.must(['build', '-q', '-f', join(ROOT, 'build', 'image.Dockerfile'), '-t', tag, context], { timeoutMs: 180_000 });
      } finally {
        rmSync(context, { recursive: true, force: true });
      }
      const files = await engine.imageFiles(tag);
      expect(files).toEqual(tarballFiles('amd64'));
      expect(files).toContain('fifo-init');
      expect(files).toContain('lib64/ld-linux-x86-64.so.2');
      expect((await docker(['run', '--rm', '--network', 'none', tag, '--version'])).stdout.trim()).toBe(`fifo-init ${version}`);

      // An image author's Dockerfile: a base with no glibc of its own (the busybox stand-in:
      // busybox-static and nothing else), fifo-init and its libraries copied from the image.
      const user = mkdtempSync(join(engine.dir, 'user-'));
      writeFileSync(
        join(user, 'Dockerfile'),
        [
          'FROM busybox:stable-musl',
          `COPY --from=${tag} / /`,
          'USER 1000:1000',
          'ENTRYPOINT ["/fifo-init", "--fifo", "/service/command_pipe", "--stop-command", "stop", "--stop-timeout", "30s", "--"]',
          'CMD ["sh", "/fixtures/gameserver.sh", "/data/world"]',
          '',
        ].join('\n'),
      );
      try {
        await engine.must(['build', '-q', '-t', 'fifo-init-test:copy-from', user], { timeoutMs: 180_000 });
      } finally {
        rmSync(user, { recursive: true, force: true });
      }
      const container = await start('fifo-init-test:copy-from', [], ['--stop-timeout', '65']);
      await waitLog(container, 'ready');
      expect((await hostSend('say copied from the image')).code).toBe(0);
      await waitLog(container, 'copied from the image');
      const stop = await docker(['stop', container], 90_000);
      expect(stop.code).toBe(0);
      expect(stop.ms).toBeLessThan(15_000);
      expect(await engine.exitCode(container)).toBe(0);
      expect(world()).toBe('saved\n');
      expect(await lines(container)).toEqual(['ready', 'copied from the image', 'stopping']);
      await docker(['rmi', '-f', 'fifo-init-test:copy-from'], 60_000);
    }, 300_000);

    // What this build made (SHA256SUMS lists it), not a file an earlier build left.
    const noArm64 = readFileSync(join(DIST, 'SHA256SUMS'), 'utf8').includes('  fifo-init-rootfs-arm64.tar.gz\n') ? undefined : 'no arm64 tarball (a --no-arm64 build)';
    it.skipIf(noArm64 !== undefined)(`BuildKit --platform linux/arm64: the same file makes the arm64 image (TARGETARCH picks the tarball)${noArm64 ? ` [skipped: ${noArm64}]` : ''}`, async () => {
      const context = releaseContext();
      try {
        const built = await engine.docker(['build', '-q', '--platform', 'linux/arm64', '-f', join(ROOT, 'build', 'image.Dockerfile'), '-t', `${tag}-arm64`, context], {
          timeoutMs: 180_000,
          env: { DOCKER_BUILDKIT: '1' },
        });
        expect(built.code, built.stderr).toBe(0);
      } finally {
        rmSync(context, { recursive: true, force: true });
      }
      expect((await docker(['image', 'inspect', '-f', '{{.Os}}/{{.Architecture}}', `${tag}-arm64`])).stdout.trim()).toBe('linux/arm64');
      expect(await engine.imageFiles(`${tag}-arm64`)).toEqual(tarballFiles('arm64'));
      await docker(['rmi', '-f', `${tag}-arm64`], 60_000);
      await docker(['builder', 'prune', '-af'], 60_000);
    }, 300_000);
  });

  describe('the day, on each final stage', () => {
    for (const stage of Object.keys(STAGES) as Stage[]) {
      it(`${stage}: host writes, host send and docker exec send arrive in order; docker stop is a console stop, world saved, exit 0 (the service's)`, async () => {
        // Dockerfile.example's own line: Docker's grace period 65 s, above 2 x --stop-timeout 30s.
        const container = await start(IMAGE(stage), gameserver(stage), ['--stop-timeout', '65']);
        await waitLog(container, 'ready');
        await writeFifo(fifo, 'say one\n');
        expect((await hostSend('say two')).code).toBe(0);
        await writeFifo(fifo, 'say three\n');
        // In alpine-sh there is no executable, hence no `send`: a shell write is what remains.
        const exec = stage === 'alpine-sh' ? ['sh', '-c', `echo 'say four' > ${PIPE}`] : ['/fifo-init', 'send', '--fifo', PIPE, 'say four'];
        expect((await docker(['exec', container, ...exec])).code).toBe(0);
        await waitLog(container, 'four');
        expect((await lines(container)).slice(1)).toEqual(['one', 'two', 'three', 'four']);
        const stop = await docker(['stop', container], 90_000);
        expect(stop.code).toBe(0);
        expect(stop.ms).toBeLessThan(15_000); // the console stop, not Docker's SIGKILL at 65 s
        expect(await engine.exitCode(container)).toBe(0);
        expect(world()).toBe('saved\n');
        expect((await lines(container)).at(-1)).toBe('stopping');
      }, 90_000);
    }

    for (const stage of Object.keys(STAGES) as Stage[]) {
      // The executable forwards every catchable signal; fifo-init.sh its seven (HUP INT QUIT TERM
      // USR1 USR2 WINCH), of which TERM/INT start the stop sequence and QUIT stays ignored by
      // PROGRAM under --stop-command (README "fifo-init.sh"): four are left to send there.
      const signals = stage === 'alpine-sh' ? { HUP: 1, USR1: 10, USR2: 12, WINCH: 28 } : { HUP: 1, QUIT: 3, USR1: 10, USR2: 12, URG: 23, WINCH: 28, RTMIN: 34, RTMAX: 64 };
      it(`${stage}: docker kill -s ${Object.keys(signals).join(' ')} each reach the service; docker stop is a console stop and the container's exit code is the service's (7)`, async () => {
        const out = join(data, 'signals');
        const items = Object.entries(signals).map(([signal, n]) => `${signal}=${n}`);
        const container = await start(IMAGE(stage), [...STAGES[stage], '/fixtures/console-signals.sh', '/data/signals', '7', ...items], ['--stop-timeout', '65']);
        const seen = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []);
        await waitFor('the fixture', () => seen().includes('ready'), 20_000);
        for (const [signal, n] of Object.entries(signals)) {
          expect((await docker(['kill', '-s', String(n), container])).code, `docker kill -s ${n}`).toBe(0);
          await waitFor(`${signal} at the service`, () => seen().includes(signal), 5_000);
        }
        const stop = await docker(['stop', container], 90_000);
        expect(stop.code).toBe(0);
        expect(stop.ms).toBeLessThan(15_000); // the console stop, not Docker's SIGKILL at 65 s
        expect(await engine.exitCode(container)).toBe(7);
        expect(seen()).toEqual(['ready', ...Object.keys(signals), 'line stop']);
      }, 90_000);
    }

    it('alpine: the glibc executable runs a musl program; PID 1 maps glibc, the service maps musl, both read one console', async () => {
      const container = await start(IMAGE('alpine'), ['/bin/console']);
      await waitLog(container, 'ready');
      await writeFifo(fifo, 'hello\n');
      await waitLog(container, 'console: hello');
      const maps = await docker(['exec', container, 'sh', '-c', 'grep -o "/lib[^ ]*" /proc/1/maps | sort -u; echo --; grep -o "/lib[^ ]*" /proc/$(cat /proc/1/task/1/children | cut -d" " -f1)/maps | sort -u']);
      const [init, service] = maps.stdout.split('--\n');
      expect(init).toContain('/lib/x86_64-linux-gnu/libc.so.6');
      expect(init).not.toContain('musl');
      expect(service).toContain('/lib/ld-musl-x86_64.so.1');
      expect(service).not.toContain('x86_64-linux-gnu');
      expect((await docker(['stop', '-t', '20', container])).code).toBe(0);
      expect(await engine.exitCode(container)).toBe(0);
      expect((await lines(container)).at(-1)).toBe('console: stop');
    }, 60_000);
  });

  describe('docker stop, kill, restart', () => {
    it('docker stop -t 2, shorter than the stop sequence: Docker\'s SIGKILL comes first (137); the service had the `stop` line but not the time', async () => {
      // A service that reads `stop` but never finishes; fifo-init would wait 30 s before its SIGTERM.
      const service = [...STAGES.scratch, '-c', 'trap "" TERM; echo ready; while read -r line; do echo "got $line"; done'];
      const container = await start(IMAGE('scratch'), service);
      await waitLog(container, 'ready');
      const stop = await docker(['stop', '-t', '2', container]);
      expect(stop.code).toBe(0);
      expect(stop.ms).toBeGreaterThanOrEqual(1_800);
      expect(await engine.exitCode(container)).toBe(137);
      expect(await lines(container)).toEqual(['ready', 'got stop']);
    }, 60_000);

    it('docker kill -s N: each of the 53 forwarded signals reaches the service', async () => {
      const out = join(data, 'signals');
      const items = FORWARDED.map((n) => `S${n}=${n}`);
      const container = await start(IMAGE('scratch'), ['--fifo', PIPE, '--', '/app/busybox', 'sh', '/fixtures/signals.sh', '/data/signals', ...items], ['--entrypoint', '/fifo-init']);
      const seen = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []);
      await waitFor('the fixture', () => seen().includes('ready'), 20_000);
      for (const n of FORWARDED) {
        expect((await docker(['kill', '-s', String(n), container])).code, `docker kill -s ${n}`).toBe(0);
        await waitFor(`signal ${n} at the service`, () => seen().includes(`S${n}`), 5_000);
      }
      expect(seen().slice(1).sort()).toEqual(items.map((item) => item.split('=')[0]).sort());
      expect((await docker(['inspect', '-f', '{{.State.Running}}', container])).stdout.trim()).toBe('true');
    }, 120_000);

    it('docker restart: the FIFO survives; while the service is down a writer gets "no reader" at once (send 69, open ENXIO); then it reads again', async () => {
      const inode = statSync(fifo).ino;
      const container = await start(IMAGE('scratch'), gameserver('scratch'));
      await waitLog(container, 'ready');
      expect((await docker(['stop', '-t', '20', container])).code).toBe(0);
      expect(await engine.exitCode(container)).toBe(0);
      const down = await hostSend('say anyone');
      expect(down.code).toBe(69);
      expect(down.ms).toBeLessThan(5_000);
      await expect(writeFifo(fifo, 'say lost\n', 300)).rejects.toMatchObject({ code: 'ENXIO' });
      rmSync(join(data, 'world'));
      expect((await docker(['restart', '-t', '20', container])).code).toBe(0);
      await waitForAsync('the second start', async () => (await lines(container)).filter((line) => line === 'ready').length === 2);
      expect((await hostSend('say back')).code).toBe(0);
      await waitLog(container, 'back');
      expect((await docker(['restart', '-t', '20', container])).code).toBe(0); // a restart while running: stop sequence, then start
      expect(world()).toBe('saved\n');
      await waitForAsync('the third start', async () => (await lines(container)).filter((line) => line === 'ready').length === 3);
      expect((await hostSend('quit')).code).toBe(0); // gameserver's quit: exit 3
      expect(await engine.exitCode(container)).toBe(3);
      expect((await docker(['inspect', '-f', '{{.State.ExitCode}}', container])).stdout.trim()).toBe('3');
      expect(statSync(fifo).isFIFO()).toBe(true);
      expect(statSync(fifo).ino).toBe(inode);
      expect((await lines(container)).filter((line) => /anyone|lost/.test(line))).toEqual([]);
    }, 120_000);
  });

  describe('mistakes explained (exit 125, one line)', () => {
    for (const stage of Object.keys(STAGES) as Stage[]) {
      it(`${stage}: the host path is missing: Docker really makes a directory there; the init exits 125 naming Docker and mkfifo`, async () => {
        const missingPath = join(dir, 'not-yet');
        const container = name();
        const result = await docker(['run', '--name', container, '--network', 'none', '-v', `${missingPath}:${PIPE}`, IMAGE(stage)], 60_000);
        expect(result.code).toBe(125);
        expect(await engine.exitCode(container)).toBe(125); // the container's code, not the CLI's own 125
        expect(statSync(missingPath).isDirectory()).toBe(true);
        const { stderr } = await logs(container);
        expect(stderr.trim().split('\n')).toHaveLength(1);
        expect(stderr).toMatch(/Docker/);
        expect(stderr).toContain('mkfifo');
      });
    }

    it('a regular file mounted by mistake: 125, the file untouched', async () => {
      const file = join(dir, 'file');
      writeFileSync(file, 'not a pipe\n');
      chmodSync(file, 0o666);
      const before = statSync(file);
      const container = name();
      const result = await docker(['run', '--name', container, '--network', 'none', '-v', `${file}:${PIPE}`, IMAGE('distroless')], 60_000);
      expect(result.code).toBe(125);
      expect((await logs(container)).stderr).toMatch(/regular file/);
      expect(readFileSync(file, 'utf8')).toBe('not a pipe\n');
      expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    });

    it('no -v at all (the Dockerfile\'s path, nothing mounted): 125 saying to mkfifo on the host', async () => {
      const container = name();
      const result = await docker(['run', '--name', container, '--network', 'none', IMAGE('scratch')], 60_000);
      expect(result.code).toBe(125);
      expect((await logs(container)).stderr).toContain('mkfifo');
    });

    it('--user 2000:2000 with the FIFO owned by uid 1000 (0600): 125 naming the owner, the mode and the uid it runs as', async () => {
      const container = name();
      const result = await docker(['run', '--name', container, '--network', 'none', '--user', '2000:2000', '-v', `${fifo}:${PIPE}`, IMAGE('scratch')], 60_000);
      expect(result.code).toBe(125);
      const { stderr } = await logs(container);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/permission denied/);
      expect(stderr).toMatch(/uid 1000/);
      expect(stderr).toMatch(/0600/);
      expect(stderr).toMatch(/2000/);
      expect(stderr).not.toMatch(/SELinux|namespace/); // the mode forbids uid 2000: no hint
    });
  });

  describe('where a host FIFO cannot work (no shared kernel): the README\'s FIFO made inside the container', () => {
    for (const stage of ['scratch', 'alpine-sh'] as const) {
      it(`${stage}: --tmpfs /service + FIFO_INIT_CREATE=1: the init makes the FIFO (0600, uid 1000); docker exec … send reaches the service; docker stop is a console stop`, async () => {
        const container = name();
        await engine.must(
          ['run', '-d', '--name', container, '--network', 'none', '--tmpfs', '/service:uid=1000,gid=1000', '-e', 'FIFO_INIT_CREATE=1',
            '-v', `${FIXTURES}:/fixtures:ro`, '-v', `${data}:/data`, IMAGE(stage), ...gameserver(stage)],
          { timeoutMs: 60_000 },
        );
        await waitLog(container, 'ready');
        const shell = stage === 'alpine-sh' ? ['sh'] : ['/app/busybox', 'sh'];
        const made = await docker(['exec', container, ...shell, '-c', `ls -ln ${PIPE}`]);
        expect(made.stdout).toMatch(/^prw------- +1 +1000 +1000 /);
        // No executable in alpine-sh: there the writer inside is a shell.
        const send = stage === 'alpine-sh' ? ['sh', '-c', `echo 'say from inside' > ${PIPE}`] : ['/fifo-init', 'send', '--fifo', PIPE, 'say from inside'];
        expect((await docker(['exec', container, ...send])).code).toBe(0);
        await waitLog(container, 'from inside');
        const stop = await docker(['stop', '-t', '20', container]);
        expect(stop.ms).toBeLessThan(15_000);
        expect(await engine.exitCode(container)).toBe(0);
        expect(world()).toBe('saved\n');
        expect(await lines(container)).toEqual(['ready', 'from inside', 'stopping']);
      }, 60_000);
    }
  });

  describe('docker run --init and -it', () => {
    it('--init: docker-init (tini) is PID 1, fifo-init its child adopts an orphan (subreaper) and reaps it (no zombie in /proc); docker stop is still a console stop', async () => {
      // The orphan (a double-forked sleep) must be re-parented to fifo-init, not to tini, and reaped by it.
      const service = [
        ...STAGES.scratch,
        '-c',
        '(exec sleep 3 &); sleep 0.5; for p in /proc/[0-9]*; do case "$(cat $p/cmdline 2>/dev/null | tr "\\0" " ")" in "sleep 3 ") ' +
          'set -- $(cat $p/stat); echo "orphan=$1"; echo "orphan-parent=$(tr "\\0" " " < /proc/$4/cmdline)";; esac; done; ' +
          'echo "pid1=$(tr "\\0" " " < /proc/1/cmdline)"; exec sh /fixtures/gameserver.sh /data/world',
      ];
      const container = await start(IMAGE('scratch'), service, ['--init']);
      await waitLog(container, 'ready');
      const out = await lines(container);
      expect(out.find((line) => line.startsWith('pid1='))).toMatch(/^pid1=\/sbin\/docker-init -- \/fifo-init /);
      expect(out.find((line) => line.startsWith('orphan-parent='))).toMatch(/^orphan-parent=\/fifo-init /);
      // The orphan's state in the container's /proc: S while it sleeps; once it has exited,
      // no entry at all, or a zombie (Z) that stays if its new parent, fifo-init, does not reap.
      const orphan = Number(out.find((line) => line.startsWith('orphan='))!.slice('orphan='.length));
      expect(orphan).toBeGreaterThan(1);
      const state = async () => (await docker(['exec', container, '/app/busybox', 'sh', '-c', `cat /proc/${orphan}/stat 2>/dev/null`])).stdout.split(') ')[1]?.[0] ?? 'gone';
      expect(await state()).toBe('S');
      await waitForAsync('the orphan to exit', async () => (await state()) !== 'S', 15_000);
      await waitForAsync(`no zombie left by the orphan (state ${await state()})`, async () => (await state()) === 'gone', 3_000);
      const stop = await docker(['stop', '-t', '20', container]);
      expect(stop.ms).toBeLessThan(15_000);
      expect(await engine.exitCode(container)).toBe(0);
      expect(world()).toBe('saved\n');
    }, 60_000);

    it('-it with --stop-command (the image as built): Ctrl-C becomes the console stop: world saved, exit 0', async () => {
      const result = await dockerRunIt(['-v', `${fifo}:${PIPE}`, '-v', `${FIXTURES}:/fixtures:ro`, '-v', `${data}:/data`, IMAGE('scratch'), ...gameserver('scratch')], () => false);
      expect(result.code).toBe(0);
      expect(world()).toBe('saved\n');
      expect(result.output).toContain('stopping');
    }, 60_000);

    it('-it without --stop-command: PROGRAM is its own group and the terminal\'s foreground (job control); Ctrl-C reaches it exactly once', async () => {
      const out = join(data, 'tty');
      const fixture =
        `trap 'echo INT >> "$0"' INT; set -- "$0" $(cat /proc/$$/stat); echo "pid=$2 pgrp=$6 tpgid=$9" > "$1.stat"; ` +
        `while ! grep -q INT "$1" 2>/dev/null; do sleep 0.1; done; sleep 1; exit 0`;
      const stat = `${out}.stat`;
      const result = await dockerRunIt(
        ['-v', `${data}:/data`, '--entrypoint', '/fifo-init', IMAGE('scratch'), '--', '/app/busybox', 'sh', '-c', fixture, '/data/tty'],
        () => existsSync(stat) && readFileSync(stat, 'utf8').includes('\n'),
      );
      const fields = Object.fromEntries(readFileSync(stat, 'utf8').trim().split(' ').map((kv) => kv.split('=')));
      expect(fields.pgrp).toBe(fields.pid);
      expect(fields.tpgid).toBe(fields.pgrp);
      expect(result.code).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe('INT\n');
    }, 60_000);
  });

  describe('the container\'s own stdin, merged with the FIFO (issue 12: docker run -i, docker attach)', () => {
    // Long lines (1.8 KB: two of them do not fit in one pipe write unless each is one write),
    // from two writers at once: a non-atomic relay or writer would cut lines into each other.
    const N = 100;
    const line = (who: string, i: number) => `${who} ${i} ${who[0]!.repeat(1800)}`;
    const many = (who: string) => Array.from({ length: N }, (_, i) => `say ${line(who, i)}\n`).join('');
    /** The service's lines after `ready`: each of both writers' lines exactly once, whole, each writer's in its order. */
    const expectMerged = (out: string[], writers: string[]) => {
      for (const who of writers) expect(out.filter((text) => text.startsWith(`${who} `))).toEqual(Array.from({ length: N }, (_, i) => line(who, i)));
      expect(out.filter((text) => !writers.some((who) => text.startsWith(`${who} `)))).toEqual([]);
    };

    for (const stage of ['scratch', 'alpine-sh'] as const) {
      it(`${stage}: docker run -i: lines piped to the docker client reach the service beside a host FIFO writer, all whole; EOF there ends only the relay; docker stop is a console stop`, async () => {
        const container = name();
        const client = engine.interactive(
          ['run', '-i', '--name', container, '--network', 'none', '--stop-timeout', '65', '-v', `${fifo}:${PIPE}`, '-v', `${FIXTURES}:/fixtures:ro`, '-v', `${data}:/data`, IMAGE(stage), ...gameserver(stage)],
          120_000,
        );
        try {
          await waitFor('the service', () => client.stdout().startsWith('ready\n'), 30_000);
          const host = run(EXE, ['send', '--fifo', fifo, '--timeout', '30s'], { input: many('host'), timeoutMs: 60_000 });
          await client.write(many('stdin'));
          expect((await host).code).toBe(0);
          await waitForAsync('every line at the service', async () => (await lines(container)).length >= 1 + 2 * N, 60_000);
          expectMerged((await lines(container)).slice(1), ['host', 'stdin']);
          client.end(); // EOF on the container's stdin: the relay ends, the service (reading the FIFO) goes on
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          expect((await hostSend('say after EOF')).code).toBe(0);
          await waitLog(container, 'after EOF');
          const stop = await docker(['stop', container], 90_000);
          expect(stop.ms).toBeLessThan(15_000);
          expect((await client.closed).code).toBe(0); // docker run -i ends with the container's code
          expect(await engine.exitCode(container)).toBe(0);
          expect(world()).toBe('saved\n');
          expect((await lines(container)).slice(-2)).toEqual(['after EOF', 'stopping']);
        } finally {
          client.kill();
        }
      }, 150_000);

      it(`${stage}: docker run -i -d, then docker attach --sig-proxy=false as a panel: its lines and a host writer's arrive whole; the panel types \`stop\`: world saved, exit 0`, async () => {
        const container = await start(IMAGE(stage), gameserver(stage), ['-i', '--stop-timeout', '65']);
        await waitLog(container, 'ready');
        const panel = engine.interactive(['attach', '--sig-proxy=false', container], 120_000);
        try {
          const host = run(EXE, ['send', '--fifo', fifo, '--timeout', '30s'], { input: many('host'), timeoutMs: 60_000 });
          await panel.write(many('panel'));
          expect((await host).code).toBe(0);
          await waitForAsync('every line at the service', async () => (await lines(container)).length >= 1 + 2 * N, 60_000);
          expectMerged((await lines(container)).slice(1), ['host', 'panel']);
          await panel.write('stop\n');
          const attached = await panel.closed; // attach ends when the container does, with its code
          expect(attached.timedOut).toBe(false);
          expect(attached.code).toBe(0);
          expect(await engine.exitCode(container)).toBe(0);
          expect(world()).toBe('saved\n');
          expect((await lines(container)).at(-1)).toBe('stopping');
          expect((await logs(container)).stderr).not.toMatch(/SIGTERM/); // no docker stop: the typed `stop` did it
        } finally {
          panel.kill();
        }
      }, 150_000);
    }
  });

  describe('controls: the checks above tell inits apart (fifo-init.sh in alpine-sh, where the README says it differs)', () => {
    it('docker kill -s through fifo-init.sh: HUP (one of its seven) arrives, TRAP (5) does not (PID 1 without a handler: the kernel drops it)', async () => {
      const out = join(data, 'signals');
      const container = await start(IMAGE('alpine-sh'), ['/fifo-init.sh', '--fifo', PIPE, '--', 'sh', '/fixtures/signals.sh', '/data/signals', 'S1=1', 'S5=5'], ['--entrypoint', '/bin/sh']);
      const seen = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []);
      await waitFor('the fixture', () => seen().includes('ready'), 20_000);
      expect((await docker(['kill', '-s', '5', container])).code).toBe(0);
      expect((await docker(['kill', '-s', '1', container])).code).toBe(0);
      await waitFor('HUP at the service', () => seen().includes('S1'), 5_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(seen()).toEqual(['ready', 'S1']);
    }, 60_000);

    it('-it through fifo-init.sh: PROGRAM is not in a group of its own, so not the terminal\'s foreground', async () => {
      const stat = join(data, 'tty.stat');
      const fixture = `set -- "$0" $(cat /proc/$$/stat); echo "pid=$2 pgrp=$6 tpgid=$9" > "$1.stat"; sleep 5`;
      await dockerRunIt(
        ['-v', `${data}:/data`, '-v', `${fifo}:${PIPE}`, '--entrypoint', '/bin/sh', IMAGE('alpine-sh'), '/fifo-init.sh', '--fifo', PIPE, '--', 'sh', '-c', fixture, '/data/tty'],
        () => existsSync(stat) && readFileSync(stat, 'utf8').includes('\n'),
      );
      const fields = Object.fromEntries(readFileSync(stat, 'utf8').trim().split(' ').map((kv) => kv.split('=')));
      expect(fields.pgrp).not.toBe(fields.pid);
      expect(fields.tpgid).not.toBe(fields.pid);
    }, 60_000);
  });

  describe('examples/compose.yaml with docker-compose', () => {
    it('up: the sidecar types `save` into the game; docker-compose stop is a console stop well within stop_grace_period', async () => {
      const compose = parse(readFileSync(join(ROOT, 'examples', 'compose.yaml'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
      const { game, sidecar } = compose.services;
      expect(game && sidecar, 'a game and a sidecar service').toBeTruthy();
      // What must change to run here, and only that: local images, our test
      // service instead of the example's server, no ports and no network
      // (none here), the fixtures and a data dir mounted, saves every second.
      game!.image = IMAGE('distroless');
      game!.command = [...STAGES.distroless, '/fixtures/gameserver.sh', '/data/world'];
      delete game!.ports;
      game!.network_mode = 'none';
      game!.volumes = [...(game!.volumes as string[]), `${FIXTURES}:/fixtures:ro`, `${data}:/data`];
      sidecar!.image = IMAGE('alpine');
      sidecar!.network_mode = 'none';
      sidecar!.environment = { ...(sidecar!.environment as object), SAVE_EVERY: '1' };
      const project = join(dir, 'project');
      mkdirSync(project);
      chmodSync(project, 0o755);
      const file = join(project, 'compose.yaml');
      writeFileSync(file, stringify(compose));
      // The example's bind mount is ./command_pipe, next to the file: the host's FIFO, made before `up`.
      spawnSync('mv', [fifo, join(project, 'command_pipe')]);
      const projectName = `fifoinit${process.pid}`;
      const dc = (args: string[], timeoutMs = 90_000) =>
        run(COMPOSE, ['--ansi', 'never', '-p', projectName, '-f', file, ...args], { timeoutMs, env: { ...engine.env, COMPOSE_INTERACTIVE_NO_CLI: '1' }, cwd: project });
      try {
        const up = await dc(['up', '-d']);
        expect(up.code, up.stderr).toBe(0);
        await waitFor('a save from the sidecar', () => world() === 'saved\n', 20_000);
        const gameId = (await dc(['ps', '-q', 'game'])).stdout.trim();
        const stop = await dc(['stop']);
        expect(stop.code, stop.stderr).toBe(0);
        expect(stop.ms).toBeLessThan(30_000); // stop_grace_period is 65 s
        expect(await engine.exitCode(gameId)).toBe(0);
        const game = await logs(gameId);
        expect(game.stdout.split('\n').filter(Boolean).at(-1)).toBe('stopping');
        expect(game.stderr).toMatch(/received SIGTERM: running the stop sequence/);
      } finally {
        await dc(['down', '-v', '-t', '1']);
      }
    }, 180_000);
  });
});

/** waitFor with an async check. */
async function waitForAsync(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
