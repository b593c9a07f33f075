/**
 * A private Docker engine for the tests: Debian's dockerd (docker.io) started
 * as root with its own socket, pid file, data root, exec root (where it runs
 * its own managed containerd) and cgroup parent, all under one temporary
 * directory, with no network for containers (--bridge=none, --iptables=false)
 * and the vfs storage driver. It never touches another dockerd on the
 * machine: everything it owns is named by that directory.
 *
 * Stopping it is idempotent and runs in every path: the test file's afterAll,
 * this process's exit and fatal signals, and at the next start for any engine
 * whose owner process is gone (a killed test run).
 *
 * No registry is reachable here, so every base image is made locally
 * (`docker import` of a rootfs) under the name Dockerfile.example uses.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmdirSync,
  statSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DIST, ROOT } from '../behaviour/harness.js';

/** Debian's CLI from docker.io, matched to its dockerd (another `docker` may come first on PATH). */
export const DOCKER = '/usr/bin/docker';
export const DOCKERD = '/usr/sbin/dockerd';
export const COMPOSE = '/usr/bin/docker-compose';
/** The dist/ whose images are built (the harness's: FIFO_INIT_TEST_DIST points it at another build). */
export { DIST };
const PREFIX = 'fifo-init-docker-';
const BUSYBOX = '/bin/busybox';
const MUSL_LOADER = '/usr/lib/x86_64-linux-musl/libc.so';

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string | Buffer;
  env?: Record<string, string>;
  cwd?: string;
}

/** Runs a command with a hard time bound (SIGKILL), collecting its output. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.on('error', (error) => {
      stderr += String(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** A command whose stdin the test writes while it runs (`docker run -i`, `docker attach`). */
export interface Interactive {
  /** Writes to its stdin, waiting while the pipe is full. */
  write(text: string): Promise<void>;
  /** Closes its stdin (EOF). */
  end(): void;
  stdout(): string;
  /** Its exit, once it has ended or been killed at the time bound. */
  closed: Promise<Result>;
  kill(): void;
}

/** Starts a command with its stdin a pipe the test writes; SIGKILLed after timeoutMs. */
export function interactive(command: string, args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Interactive {
  const started = Date.now();
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  child.stdin!.on('error', () => {}); // EPIPE once it has ended: its exit says what happened
  const kill = () => child.kill('SIGKILL');
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs ?? 60_000);
  const closed = new Promise<Result>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
  return {
    write: (text) => new Promise((resolve, reject) => child.stdin!.write(text, (error) => (error ? reject(error) : resolve()))),
    end: () => child.stdin!.end(),
    stdout: () => stdout,
    closed,
    kill,
  };
}

/** Why the engine cannot be used here, or undefined when it can. */
export function dockerMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'dockerd needs root';
  for (const path of [DOCKERD, DOCKER, '/usr/bin/containerd', '/usr/sbin/runc']) {
    if (!existsSync(path)) return `${path} is missing (Debian's docker.io; scripts/setup.sh installs it)`;
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/PID/stat: with the pid, names one process for ever (pids are reused). */
function startTime(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function processes(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** Every cgroup directory (any controller) below our --cgroup-parent, deepest first. */
function cgroupDirs(parent: string): string[] {
  const dirs: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) walk(join(dir, entry.name));
    dirs.push(dir);
  };
  for (const controller of readdirSync('/sys/fs/cgroup')) walk(join('/sys/fs/cgroup', controller, parent));
  return dirs;
}

/**
 * Stops everything one engine directory owns, whatever state it is in:
 * containers (SIGKILL to every process in its cgroups, so no stop sequence is
 * waited for), dockerd and its containerd and shims (every process whose
 * command line names the directory), mounts below it, its cgroups, the
 * directory. Never touches a process that does not name the directory.
 */
export function destroyEngine(dir: string): void {
  const parent = dir.split('/').pop()!;
  const pidsIn = () =>
    cgroupDirs(parent).flatMap((cg) => {
      try {
        return readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  const owned = () => processes().filter((pid) => pid !== process.pid && cmdline(pid).includes(dir));
  const killAll = (pids: () => number[]) => {
    for (let round = 0; round < 20; round++) {
      const victims = [...new Set(pids())];
      if (victims.length === 0) return;
      for (const pid of victims) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      spawnSync('sleep', ['0.1']);
    }
  };
  // 1. The containers, by cgroup: SIGKILL, so no stop sequence is waited for.
  killAll(pidsIn);
  // 2. dockerd by its pid file, gently: it stops and reaps its containerd (no zombie left behind).
  const daemon = Number(existsSync(join(dir, 'docker.pid')) ? readFileSync(join(dir, 'docker.pid'), 'utf8') : NaN);
  if (daemon > 0 && cmdline(daemon).includes(dir)) {
    try {
      process.kill(daemon, 'SIGTERM');
    } catch {
      // gone
    }
    for (let i = 0; i < 100 && owned().length > 0; i++) spawnSync('sleep', ['0.1']);
  }
  // 3. Whatever still names the directory (a dockerd that would not stop, containerd, shims).
  killAll(() => [...pidsIn(), ...owned()]);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .reverse();
  for (const point of mounts) spawnSync('umount', ['-l', point], { stdio: 'ignore', timeout: 10_000 });
  for (const cg of cgroupDirs(parent)) {
    try {
      rmdirSync(cg);
    } catch {
      spawnSync('rmdir', [cg], { stdio: 'ignore' });
    }
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Removes engines left by test runs that are gone (their owner process no longer exists). */
export function sweepStaleEngines(): string[] {
  const swept: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner: { pid: number; start: string } | undefined;
    try {
      owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8'));
    } catch {
      // Half-made (its owner writes owner.json right after mkdtemp, before starting anything), or being made now.
      if (Date.now() - statSync(dir).mtimeMs < 60_000) continue;
      owner = undefined;
    }
    if (owner && alive(owner.pid) && startTime(owner.pid) === owner.start) continue;
    destroyEngine(dir);
    swept.push(dir);
  }
  return swept;
}

export class Engine {
  readonly dir: string;
  readonly host: string;
  readonly env: Record<string, string>;
  private stopped = false;
  private readonly onExit = () => this.stop();

  private constructor(dir: string) {
    this.dir = dir;
    this.host = `unix://${join(dir, 'docker.sock')}`;
    // DOCKER_BUILDKIT=0: the classic builder; BuildKit would try to pull a frontend or
    // base images. DOCKER_CONFIG: no user configuration (credential helpers) is read.
    this.env = { DOCKER_HOST: this.host, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0', DOCKER_CONFIG: join(dir, 'config') };
  }

  /** Starts a private dockerd and waits (at most 60 s) until it answers. */
  static async start(): Promise<Engine> {
    sweepStaleEngines();
    const dir = mkdtempSync(join(tmpdir(), PREFIX));
    writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, start: startTime(process.pid) }));
    const engine = new Engine(dir);
    process.on('exit', engine.onExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, engine.onExit);
    mkdirSync(join(dir, 'config'));
    const args = [
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--host=${engine.host}`,
      `--pidfile=${join(dir, 'docker.pid')}`,
      `--cgroup-parent=/${dir.split('/').pop()}`,
      '--storage-driver=vfs',
      '--bridge=none',
      '--iptables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--ip6tables=false',
    ];
    const log = join(dir, 'dockerd.log');
    // Niced (CPU and I/O): vfs copies 120 MB per layer and per container, and
    // the other test files, running beside this one, have timing bounds.
    const daemon = spawn('sh', ['-c', `exec nice -n 10 ionice -c 2 -n 7 "$0" "$@" >"${log}" 2>&1`, DOCKERD, ...args], { stdio: 'ignore', detached: true });
    daemon.unref();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const version = await engine.docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
      if (version.code === 0) break;
      if (Date.now() > deadline || daemon.exitCode !== null) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-15) : [];
        engine.stop();
        throw new Error(`dockerd did not start: ${tail.at(-1) ?? version.stderr.trim()}\n${tail.join('\n')}`);
      }
      await sleep(250);
    }
    return engine;
  }

  docker(args: string[], options: RunOptions = {}): Promise<Result> {
    return run(DOCKER, args, { ...options, env: { ...this.env, ...options.env } });
  }

  /** `docker ARGS` with a stdin the test writes (`run -i`, `attach`). */
  interactive(args: string[], timeoutMs = 60_000): Interactive {
    return interactive(DOCKER, args, { timeoutMs, env: this.env });
  }

  /** `docker ARGS`, throwing with its stderr unless it exits 0. */
  async must(args: string[], options: RunOptions = {}): Promise<string> {
    const result = await this.docker(args, options);
    if (result.code !== 0) throw new Error(`docker ${args.join(' ')}: exit ${result.code}${result.timedOut ? ' (timed out)' : ''}: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** `docker import` of a directory as NAME (a stand-in for a base image no registry can give here). */
  async importRootfs(rootfs: string, name: string): Promise<void> {
    const tar = join(this.dir, `${name.replace(/[^\w.-]/g, '_')}.tar`);
    const made = spawnSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', tar, '.'], { timeout: 60_000 });
    if (made.status !== 0) throw new Error(`tar ${rootfs}: ${made.stderr}`);
    await this.must(['import', tar, name], { timeoutMs: 60_000 });
    rmSync(tar);
  }

  /** The container's exit code once it has stopped (waits at most timeoutMs). */
  async exitCode(container: string, timeoutMs = 30_000): Promise<number> {
    const waited = await this.docker(['wait', container], { timeoutMs });
    if (waited.code !== 0) throw new Error(`docker wait ${container}: ${waited.timedOut ? 'timed out' : waited.stderr}`);
    return Number(waited.stdout.trim());
  }

  /** The file names (not directories) in every layer of IMAGE, from `docker save`, sorted. */
  async imageFiles(image: string): Promise<string[]> {
    const saved = join(this.dir, `save-${image.replace(/[^\w.-]/g, '_')}.tar`);
    await this.must(['save', '-o', saved, image], { timeoutMs: 120_000 });
    try {
      const tarOut = (args: string[]) => {
        const out = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 16 << 20, timeout: 60_000 });
        if (out.status !== 0) throw new Error(`tar ${args.join(' ')}: ${out.stderr}`);
        return out.stdout;
      };
      const [manifest] = JSON.parse(tarOut(['-xOf', saved, 'manifest.json'])) as { Layers: string[] }[];
      const files = manifest!.Layers.flatMap((layer) =>
        spawnSync('sh', ['-c', 'tar -xOf "$0" "$1" | tar -tv', saved, layer], { encoding: 'utf8', maxBuffer: 16 << 20, timeout: 60_000 })
          .stdout.split('\n')
          .filter((line) => line && !line.startsWith('d'))
          .map((line) => line.split(/\s+/).slice(5).join(' ').replace(/^\.\//, '')),
      );
      return files.sort();
    } finally {
      rmSync(saved, { force: true });
    }
  }

  async logs(container: string): Promise<{ stdout: string; stderr: string }> {
    const result = await this.docker(['logs', container], { timeoutMs: 15_000 });
    return { stdout: result.stdout, stderr: result.stderr };
  }

  /** Kill and remove every container (never waits for a stop sequence). */
  async removeAllContainers(): Promise<void> {
    const ids = (await this.docker(['ps', '-aq'], { timeoutMs: 15_000 })).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await this.docker(['rm', '-f', '-v', ...ids], { timeoutMs: 60_000 });
  }

  /** Disk used by the engine's data root, in MB. */
  diskMB(): number {
    const du = spawnSync('du', ['-sm', join(this.dir, 'data')], { encoding: 'utf8', timeout: 60_000 });
    return Number(du.stdout.split('\t')[0]);
  }

  /** Stops the engine and everything it runs, removes its directory. Idempotent, synchronous (usable on exit). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    process.off('exit', this.onExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, this.onExit);
    // A graceful dockerd stop would wait each container's stop timeout:
    // destroyEngine kills the containers first, then dockerd and containerd.
    destroyEngine(this.dir);
  }
}

function busyboxTree(rootfs: string, applets = true): void {
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
  if (!applets) return;
  const names = spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).stdout.split('\n');
  for (const name of names) if (name && name !== 'busybox') symlinkSync('busybox', join(rootfs, 'bin', name));
}

function etc(rootfs: string, passwd: string): void {
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  mkdirSync(join(rootfs, 'tmp'), { recursive: true, mode: 0o1777 });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  writeFileSync(join(rootfs, 'etc', 'passwd'), passwd);
}

/**
 * The base images Dockerfile.example names, made locally (no registry here):
 * - busybox:stable-musl: busybox-static and its applets (Debian's busybox
 *   is static, not musl; the stage only copies it);
 * - alpine:3.20: musl's loader from Debian's musl package at alpine's path
 *   (/lib/ld-musl-x86_64.so.1), busybox-static with its applets as /bin/sh
 *   and the rest, and `console`, a C console service linked against musl
 *   (dynamically) when musl-gcc is there: a real musl program beside the glibc
 *   that COPY dist/rootfs/ adds;
 * - gcr.io/distroless/cc-debian12: glibc and libstdc++ (the executable's ldd
 *   closure from dist/rootfs, without the executable), /etc/passwd, /tmp.
 * Returns what was made and how, for the test output.
 */
export async function importBaseImages(engine: Engine): Promise<string[]> {
  const work = join(engine.dir, 'rootfs');
  const made: string[] = [];

  const busybox = join(work, 'busybox');
  busyboxTree(busybox);
  etc(busybox, 'root:x:0:0:root:/root:/bin/sh\n');
  await engine.importRootfs(busybox, 'busybox:stable-musl');
  made.push('busybox:stable-musl = busybox-static + applets');

  const alpine = join(work, 'alpine');
  busyboxTree(alpine);
  etc(alpine, 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n');
  mkdirSync(join(alpine, 'lib'));
  copyFileSync(MUSL_LOADER, join(alpine, 'lib', 'ld-musl-x86_64.so.1'));
  chmodSync(join(alpine, 'lib', 'ld-musl-x86_64.so.1'), 0o755);
  symlinkSync('ld-musl-x86_64.so.1', join(alpine, 'lib', 'libc.musl-x86_64.so.1'));
  writeFileSync(join(alpine, 'etc', 'alpine-release'), '3.20.0 (a stand-in made by test/containers/docker.ts)\n');
  const consoleMade = spawnSync('musl-gcc', ['-O2', '-o', join(alpine, 'bin', 'console'), join(ROOT, 'test', 'containers', 'console.c')], { encoding: 'utf8', timeout: 60_000 });
  if (consoleMade.status !== 0) throw new Error(`musl-gcc console.c: ${consoleMade.stderr || consoleMade.error}`);
  await engine.importRootfs(alpine, 'alpine:3.20');
  made.push('alpine:3.20 = musl loader (Debian musl) + busybox-static + /bin/console (musl-gcc, dynamic)');

  const distroless = join(work, 'distroless');
  mkdirSync(distroless);
  for (const dir of ['lib', 'lib64']) spawnSync('cp', ['-a', join(DIST, 'rootfs', dir), distroless]);
  etc(distroless, 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
  await engine.importRootfs(distroless, 'gcr.io/distroless/cc-debian12');
  made.push('gcr.io/distroless/cc-debian12 = the glibc closure of dist/fifo-init (no executable, no shell)');

  rmSync(work, { recursive: true, force: true });
  return made;
}

/**
 * A build context holding exactly what Dockerfile.example's prebuilt stages
 * COPY (dist/rootfs, dist/fifo-init.sh), hard-linked, so the context sent to
 * dockerd is not the whole repository. `dockerfile` replaces the file's text
 * (for the tests that show a broken variant fails).
 */
export function buildContext(engine: Engine, dockerfile?: string): string {
  const context = mkdtempSync(join(engine.dir, 'context-'));
  mkdirSync(join(context, 'dist'));
  const copied = spawnSync('cp', ['-al', join(DIST, 'rootfs'), join(context, 'dist', 'rootfs')]);
  if (copied.status !== 0) {
    // another filesystem: copy
    spawnSync('cp', ['-a', join(DIST, 'rootfs'), join(context, 'dist', 'rootfs')]);
  }
  try {
    linkSync(join(DIST, 'fifo-init.sh'), join(context, 'dist', 'fifo-init.sh'));
  } catch {
    copyFileSync(join(DIST, 'fifo-init.sh'), join(context, 'dist', 'fifo-init.sh'));
  }
  writeFileSync(join(context, 'Dockerfile.example'), dockerfile ?? readFileSync(join(ROOT, 'Dockerfile.example'), 'utf8'));
  return context;
}
