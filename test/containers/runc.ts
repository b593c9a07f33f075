/**
 * Real OCI containers with runc (the runtime under Docker's engine; no
 * engine runs here). A bundle is `runc spec` with terminal off, our process
 * and our bind mounts; every container is deleted in every path.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, waitFor } from '../behaviour/harness.js';

export const WORK = join(ROOT, '.build', 'runc');
const BUSYBOX = '/bin/busybox';

/** Applets the fixtures call, linked to busybox; deliberately no `sh`. */
const SERVICE_APPLETS = ['cat', 'awk', 'sleep', 'echo', 'date', 'ls', 'grep'];

export interface Mount {
  source: string;
  destination: string;
  readonly?: boolean;
}

export interface ContainerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let counter = 0;

/**
 * The distroless/scratch image: dist/rootfs (fifo-init + its ldd closure)
 * plus a static busybox as the service program, no shell at /bin/sh.
 */
export function scratchRootfs(): string {
  const rootfs = join(WORK, 'rootfs-scratch');
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  // Hard links: same filesystem as dist/, no 117 MB copy; the root is mounted read-only.
  expect0(spawnSync('cp', ['-al', join(ROOT, 'dist', 'rootfs'), rootfs]));
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of SERVICE_APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet));
  for (const dir of ['proc', 'dev', 'sys', 'service', 'fixtures', 'data', 'tmp']) mkdirSync(join(rootfs, dir), { recursive: true });
  return rootfs;
}

/** The busybox image: only busybox-static and its applets (with /bin/sh), plus fifo-init.sh. */
export function busyboxRootfs(): string {
  const rootfs = join(WORK, 'rootfs-busybox');
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
  const applets = spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter((name) => name && name !== 'busybox');
  for (const applet of applets) symlinkSync('busybox', join(rootfs, 'bin', applet));
  copyFileSync(join(ROOT, 'fifo-init.sh'), join(rootfs, 'fifo-init.sh'));
  chmodSync(join(rootfs, 'fifo-init.sh'), 0o755);
  for (const dir of ['proc', 'dev', 'sys', 'service', 'fixtures', 'data', 'tmp']) mkdirSync(join(rootfs, dir), { recursive: true });
  return rootfs;
}

function expect0(result: ReturnType<typeof spawnSync>): void {
  if (result.status !== 0) throw new Error(`${String(result.stderr)}`);
}

/** One container: `runc run` in the foreground with piped stdio. */
export class Container {
  readonly id: string;
  readonly bundle: string;
  private readonly child;
  private stdoutText = '';
  private stderrText = '';
  readonly done: Promise<ContainerResult>;

  constructor(rootfs: string, args: string[], mounts: Mount[], options: { timeoutMs?: number; env?: string[] } = {}) {
    counter += 1;
    this.id = `fifo-init-test-${process.pid}-${counter}`;
    this.bundle = join(WORK, this.id);
    rmSync(this.bundle, { recursive: true, force: true });
    mkdirSync(this.bundle, { recursive: true });
    expect0(spawnSync('runc', ['spec', '--bundle', this.bundle]));
    const config = JSON.parse(readFileSync(join(this.bundle, 'config.json'), 'utf8'));
    // A hard-linked copy per container: runc creates mount points inside the
    // root, and a FIFO's file mount point must not meet a directory's later.
    expect0(spawnSync('cp', ['-al', rootfs, join(this.bundle, 'rootfs')]));
    config.root = { path: 'rootfs', readonly: true };
    config.process.terminal = false;
    config.process.args = args;
    config.process.env = ['PATH=/bin', ...(options.env ?? [])];
    config.mounts.push(
      ...mounts.map((mount) => ({
        destination: mount.destination,
        type: 'bind',
        source: mount.source,
        options: ['bind', mount.readonly ? 'ro' : 'rw'],
      })),
    );
    writeFileSync(join(this.bundle, 'config.json'), JSON.stringify(config, null, 2));
    this.child = spawn('runc', ['run', '--bundle', this.bundle, this.id], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk) => (this.stdoutText += chunk));
    this.child.stderr.on('data', (chunk) => (this.stderrText += chunk));
    const timer = setTimeout(() => this.destroy(), options.timeoutMs ?? 30_000);
    this.done = new Promise((resolve) => {
      this.child.on('close', (code) => {
        clearTimeout(timer);
        this.destroy();
        resolve({ code, stdout: this.stdoutText, stderr: this.stderrText });
      });
    });
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** `runc kill ID SIGNAL`: what `docker stop` / `docker kill` do. */
  kill(signal: string): void {
    spawnSync('runc', ['kill', this.id, signal], { timeout: 10_000 });
  }

  async waitForOutput(text: string, timeoutMs = 15_000): Promise<void> {
    await waitFor(`"${text}" from container ${this.id}`, () => this.stdoutText.includes(text) || this.stderrText.includes(text), timeoutMs);
  }

  /** `runc delete -f`: idempotent, used in every path. */
  destroy(): void {
    spawnSync('runc', ['delete', '-f', this.id], { timeout: 10_000, stdio: 'ignore' });
    if (existsSync(this.bundle)) rmSync(this.bundle, { recursive: true, force: true });
  }
}
