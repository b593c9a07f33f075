/**
 * The release files build/build.mjs writes flat in dist/, as a release page
 * carries them: each executable under Docker's TARGETARCH name and under
 * `uname -m`'s (fifo-init-amd64 = fifo-init-x86_64, fifo-init-arm64 =
 * fifo-init-aarch64), the rootfs layer as a tarball per architecture,
 * fifo-init.sh, and one SHA256SUMS over exactly these. The arm64 files are
 * checked when the build made them (SHA256SUMS lists them; `--no-arm64`
 * does not). The tarballs are unpacked alone into a directory and run there
 * with chroot(2): nothing of the host can fill a gap in the closure.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST, ROOT, tempDir } from './harness.js';

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const SUMS = join(DIST, 'SHA256SUMS');
const listed = existsSync(SUMS) ? readFileSync(SUMS, 'utf8').split('\n').filter(Boolean).map((line) => line.slice(line.indexOf('  ') + 2)) : [];
const withArm64 = listed.includes('fifo-init-arm64');
const QEMU = spawnSync('sh', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' }).stdout.trim();
const root = process.getuid?.() === 0;

/** `tar -tv` of a tarball: one entry per line, as tar prints it. */
function entries(tarball: string): { mode: string; owner: string; date: string; name: string }[] {
  const out = spawnSync('tar', ['--numeric-owner', '--full-time', '-tvzf', tarball], { encoding: 'utf8', maxBuffer: 1 << 20 });
  expect(out.status, out.stderr).toBe(0);
  return out.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [mode, owner, , day, time, ...name] = line.split(/\s+/);
      return { mode: mode!, owner: owner!, date: `${day} ${time}`, name: name.join(' ') };
    });
}

/** The paths the loader lists for an executable (ldd's format: `name => /path (0x...)` or `/path (0x...)`). */
function closure(command: string[]): string[] {
  const out = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
  expect(out.status, out.stderr).toBe(0);
  return out.stdout
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

const same = (a: string, b: string) => spawnSync('cmp', ['-s', a, b]).status === 0;

/** Unpacks a tarball alone into a fresh directory and runs `command` chrooted there; returns stdout. */
function inChroot(tarball: string, command: string[], extra: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const { dir, cleanup } = tempDir();
  try {
    const unpacked = spawnSync('tar', ['-xzf', tarball, '-C', dir]);
    expect(unpacked.status, String(unpacked.stderr)).toBe(0);
    for (const [from, to] of Object.entries(extra)) copyFileSync(from, join(dir, to));
    const result = spawnSync('chroot', [dir, ...command], { encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    cleanup();
  }
}

const ARCHES = [
  { arch: 'amd64', uname: 'x86_64', exe: join(DIST, 'fifo-init'), built: true },
  { arch: 'arm64', uname: 'aarch64', exe: join(DIST, 'fifo-init-arm64'), built: withArm64 },
] as const;

describe('release files in dist/', () => {
  it(`names: each executable as TARGETARCH and as uname -m, a rootfs tarball per architecture, fifo-init.sh; SHA256SUMS lists exactly these${withArm64 ? '' : ' (amd64 only: a --no-arm64 build)'}`, () => {
    const expected = ARCHES.filter((a) => a.built).flatMap((a) => [`fifo-init-${a.arch}`, `fifo-init-${a.uname}`, `fifo-init-rootfs-${a.arch}.tar.gz`]);
    expected.push('fifo-init.sh');
    expect([...listed].sort()).toEqual([...expected].sort());
    for (const name of expected) expect(existsSync(join(DIST, name)), name).toBe(true);
  });

  it('cd dist && sha256sum -c --strict SHA256SUMS verifies every file', () => {
    const check = spawnSync('sha256sum', ['-c', '--strict', 'SHA256SUMS'], { cwd: DIST, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout.trim().split('\n')).toHaveLength(listed.length);
  });

  for (const { arch, uname, exe, built } of ARCHES) {
    it.skipIf(!built)(`fifo-init-${arch} and fifo-init-${uname} are the same bytes as ${exe.slice(DIST.length + 1)}${built ? '' : ' [skipped: a --no-arm64 build]'}`, () => {
      expect(same(join(DIST, `fifo-init-${arch}`), exe)).toBe(true);
      expect(same(join(DIST, `fifo-init-${uname}`), exe)).toBe(true);
    });
  }

  it('fifo-init.sh is the repository\'s fifo-init.sh', () => {
    expect(same(join(DIST, 'fifo-init.sh'), join(ROOT, 'fifo-init.sh'))).toBe(true);
  });

  it('fifo-init-rootfs-amd64.tar.gz holds fifo-init and exactly its ldd closure, owner 0/0, mtime 0, sorted; fifo-init is dist/fifo-init', () => {
    const tarball = join(DIST, 'fifo-init-rootfs-amd64.tar.gz');
    const list = entries(tarball);
    const files = list.filter((entry) => !entry.mode.startsWith('d')).map((entry) => entry.name);
    const libraries = closure(['ldd', join(DIST, 'fifo-init')]);
    expect(libraries).toContain('/lib64/ld-linux-x86-64.so.2');
    expect([...files].sort()).toEqual(['fifo-init', ...libraries.map((path) => path.slice(1))].sort());
    expect(list.map((entry) => entry.name)).toEqual(list.map((entry) => entry.name).sort());
    for (const entry of list) {
      expect(entry.owner, entry.name).toBe('0/0');
      expect(entry.date, entry.name).toMatch(/^1970-01-01 00:00:00/);
      expect(entry.mode, entry.name).toMatch(/^[-d]rw[-x]r-[-x]r-[-x]$/);
    }
    expect(list.find((entry) => entry.name === 'fifo-init')!.mode).toBe('-rwxr-xr-x');
    const inside = spawnSync('sh', ['-c', 'tar -xzOf "$0" fifo-init | cmp -s - "$1"', tarball, join(DIST, 'fifo-init')]);
    expect(inside.status).toBe(0);
  });

  it.skipIf(!root)(`fifo-init-rootfs-amd64.tar.gz unpacked alone runs in a chroot: /fifo-init --version${root ? '' : ' [skipped: chroot needs root]'}`, () => {
    const result = inChroot(join(DIST, 'fifo-init-rootfs-amd64.tar.gz'), ['/fifo-init', '--version']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(`fifo-init ${version}`);
  });

  const arm64Skip = !withArm64 ? 'a --no-arm64 build' : !QEMU ? 'no qemu-aarch64-static (Debian qemu-user-static)' : !root ? 'chroot needs root' : undefined;
  it.skipIf(arm64Skip !== undefined)(
    `fifo-init-rootfs-arm64.tar.gz holds fifo-init and the arm64 loader's closure; unpacked alone it runs in a chroot under qemu-aarch64-static${arm64Skip ? ` [skipped: ${arm64Skip}]` : ''}`,
    () => {
      const tarball = join(DIST, 'fifo-init-rootfs-arm64.tar.gz');
      const list = entries(tarball);
      const files = list.filter((entry) => !entry.mode.startsWith('d')).map((entry) => entry.name);
      const libraries = closure([QEMU, '/lib/ld-linux-aarch64.so.1', '--list', join(DIST, 'fifo-init-arm64')]);
      expect(libraries).toContain('/lib/ld-linux-aarch64.so.1');
      expect([...files].sort()).toEqual(['fifo-init', ...libraries.map((path) => path.slice(1))].sort());
      for (const entry of list) expect(`${entry.owner} ${entry.date}`, entry.name).toMatch(/^0\/0 1970-01-01 00:00:00/);
      // qemu-user is static: inside the chroot the loader and every library can only come from the tarball.
      const result = inChroot(tarball, ['/qemu-aarch64-static', '/fifo-init', '--version'], { [QEMU]: 'qemu-aarch64-static' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe(`fifo-init ${version}`);
    },
    90_000,
  );
});

describe('README: the release check line and the image tag', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  for (const sha256sum of ['coreutils', 'busybox'] as const) {
    it(`the README's \`grep … | sha256sum -c -\` line verifies the executable named by this machine's uname -m (${sha256sum} sha256sum)`, () => {
      const line = readme.split('\n').find((text) => text.includes('| sha256sum -c -'));
      expect(line, 'a check line in the README').toBeDefined();
      const { dir, cleanup } = tempDir();
      try {
        // busybox: a sha256sum -> busybox link first on PATH (its applet answers to that name).
        if (sha256sum === 'busybox') symlinkSync('/bin/busybox', join(dir, 'sha256sum'));
        const check = spawnSync('sh', ['-c', `arch=$(uname -m); ${line!.replace(/#.*$/, '')}`], {
          cwd: DIST,
          encoding: 'utf8',
          env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
        });
        expect(check.status, check.stderr).toBe(0);
        expect(check.stdout.trim()).toBe(`fifo-init-${spawnSync('uname', ['-m'], { encoding: 'utf8' }).stdout.trim()}: OK`);
      } finally {
        cleanup();
      }
    });
  }

  it('every fifo-init:X.Y.Z the README names is package.json\'s version', () => {
    const tags = [...readme.matchAll(/fifo-init:(\d+\.\d+\.\d+)/g)].map((match) => match[1]);
    expect(tags.length).toBeGreaterThan(0);
    expect(new Set(tags)).toEqual(new Set([version]));
  });
});
