/**
 * 14. What a user pulls: each init's executable and the image layer it makes
 * (the executable plus the libraries it loads, as a tar, then compressed as
 * registries store layers), and what fills fifo-init's executable.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EXE, MiB, PINNED_NODE, ROOT, log } from './runner.mjs';
import { failedOr, fmt, ratio, table } from './table.mjs';

/**
 * How a layer is compressed. Docker and containerd write gzip layers at Go's
 * default level (6); `gzip -9` is the most gzip can do; zstd layers
 * (BuildKit's `compression=zstd`) default to level 3 and go up to 19.
 */
const COMPRESSIONS = [
  { id: 'gzip6', name: 'gzip -6 (Docker\'s default)', argv: ['gzip', '-6', '-n', '-c'] },
  { id: 'gzip9', name: 'gzip -9', argv: ['gzip', '-9', '-n', '-c'] },
  { id: 'zstd3', name: 'zstd -3 (BuildKit\'s zstd default)', argv: ['zstd', '-3', '-q', '-c'] },
  { id: 'zstd19', name: 'zstd -19', argv: ['zstd', '-19', '-T2', '-q', '-c'] },
];

/** The file of Debian package `pkg` named `name` in a bin directory (dpkg -L), or undefined. */
function packagedBinary(pkg, name) {
  const result = spawnSync('dpkg', ['-L', pkg], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.split('\n').find((line) => line.endsWith(`/bin/${name}`)) : undefined;
}

/** The libraries `binary` loads (ldd), each at the path the loader looks for it; none for a static binary. */
function libraries(binary) {
  const result = spawnSync('ldd', [binary], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return []; // "not a dynamic executable"
  return result.stdout
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter(Boolean);
}

/** A root filesystem of `binary` at `/at` and its libraries, as build/build.mjs makes dist/rootfs. */
function stage(dir, binary, at, withLibraries = true) {
  rmSync(dir, { recursive: true, force: true });
  const files = [[binary, at], ...(withLibraries ? libraries(binary).map((library) => [library, library]) : [])];
  for (const [from, to] of files) {
    mkdirSync(join(dir, dirname(to)), { recursive: true });
    copyFileSync(from, join(dir, to)); // follows symlinks: the real file at the loader's path
  }
  return dir;
}

/** Bytes `argv` writes for `input`, bounded in time. */
function outputBytes(argv, input, scratch) {
  const fd = openSync(scratch, 'w');
  try {
    const result = spawnSync(argv[0], [...argv.slice(1), input], { stdio: ['ignore', fd, 'pipe'], timeout: 600_000, killSignal: 'SIGKILL' });
    if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status ?? result.signal}: ${String(result.stderr).trim()}`);
  } finally {
    closeSync(fd);
  }
  const bytes = statSync(scratch).size;
  rmSync(scratch, { force: true });
  return bytes;
}

/** The layer of `rootfs`: a tar as `docker save` holds one (sorted, owner 0, no times), and its compressed sizes. */
function layer(rootfs, tmp, compressions) {
  const tar = join(tmp, 'layer.tar');
  execFileSync('tar', ['--create', '--file', tar, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', rootfs, '.'], { timeout: 300_000 });
  const sizes = { tar: statSync(tar).size };
  for (const compression of compressions) sizes[compression.id] = outputBytes(compression.argv, tar, join(tmp, 'layer.out'));
  rmSync(tar, { force: true });
  return sizes;
}

/** Section sizes of an ELF file (readelf -SW): { name: bytes }. */
function sections(file) {
  const text = execFileSync('readelf', ['-SW', file], { encoding: 'utf8', timeout: 30_000 });
  const sizes = {};
  for (const line of text.split('\n')) {
    const match = /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(line);
    if (match) sizes[match[1]] = Number.parseInt(match[2], 16);
  }
  return sizes;
}

/** Bytes of Node's ICU data (the `icudt*_dat` symbol of the unstripped pinned binary), or undefined. */
function icuBytes() {
  const result = spawnSync('nm', ['-S', '--defined-only', PINNED_NODE], { encoding: 'utf8', timeout: 60_000, maxBuffer: 512 * MiB });
  const match = /^[0-9a-f]+ ([0-9a-f]+) \S icudt\d+_dat$/m.exec(result.stdout ?? '');
  return match ? Number.parseInt(match[1], 16) : undefined;
}

/** What fills fifo-init's executable: its ELF sections, ICU's data inside .rodata, and the SEA blob (fifo-init's own code). */
function composition() {
  const s = sections(EXE);
  const icu = icuBytes();
  const parts = [
    ['`.text`: Node\'s machine code (V8, libuv, OpenSSL, ICU code…)', s['.text']],
    ['`.rodata` without ICU\'s data: constants, V8\'s built-in snapshot, Node\'s own JavaScript', icu === undefined ? s['.rodata'] : s['.rodata'] - icu],
    ['ICU\'s data (`icudt*_dat` in `.rodata`): every locale\'s collation, formats, time zones', icu],
    ['`.eh_frame` + `.eh_frame_hdr`: unwind tables (C++ exceptions, stack traces)', (s['.eh_frame'] ?? 0) + (s['.eh_frame_hdr'] ?? 0)],
    ['`.note.node.sea`: fifo-init\'s bundle and its code cache', s['.note.node.sea']],
  ];
  const named = parts.reduce((sum, [, bytes]) => sum + (bytes ?? 0), 0);
  const total = statSync(EXE).size;
  return { total, parts: [...parts, ['everything else (`.data`, relocations, dynamic symbols…)', total - named]] };
}

/**
 * Every layer, fifo-init's first: dist/rootfs as the build leaves it (or the
 * same made from BENCH_EXE); the peers from their Debian packages, each with
 * the libraries it loads (none for the static ones); the bare Node SEA.
 */
export function measureSize(inits, o, tmp) {
  // A quick run compresses with zstd -3 alone (under a second; gzip -6 takes 4 s, gzip -9 and zstd -19 about 40 s for one 116 MiB layer).
  const compressions = o.quick ? COMPRESSIONS.filter((c) => c.id === 'zstd3') : COMPRESSIONS;
  const root = join(tmp, 'size');
  mkdirSync(root, { recursive: true });
  const distRootfs = join(ROOT, 'dist', 'rootfs');
  const bare = inits.find((init) => init.id === 'bare');
  const entries = [
    { id: 'fifo-init', name: 'fifo-init (dist/rootfs)', binary: EXE, rootfs: () => (EXE === join(ROOT, 'dist', 'fifo-init') && existsSync(distRootfs) ? distRootfs : stage(join(root, 'fifo-init'), EXE, '/fifo-init')) },
    ...[
      ['tini-static', 'tini', 'tini-static'],
      ['tini', 'tini', 'tini'],
      ['dumb-init', 'dumb-init', 'dumb-init'],
      ['catatonit', 'catatonit', 'catatonit'],
    ].map(([id, pkg, name]) => {
      const binary = packagedBinary(pkg, name);
      return { id, name: `${name} (Debian ${pkg})`, binary, rootfs: () => stage(join(root, id), binary, binary) };
    }),
    { id: 'bare', name: 'bare Node SEA', binary: bare.real, rootfs: () => stage(join(root, 'bare'), bare.real, '/bare-sea') },
  ];
  const layers = {};
  for (const entry of entries) {
    if (!entry.binary) {
      layers[entry.id] = { name: entry.name, error: 'not installed (dpkg -L finds no such file)' };
      continue;
    }
    log(`size: the layer of ${entry.name}`);
    const rootfs = entry.rootfs();
    const libs = libraries(entry.binary).map((library) => basename(library));
    layers[entry.id] = { name: entry.name, executable: statSync(entry.binary).size, libraries: libs, ...layer(rootfs, root, compressions) };
    if (libs.length && !o.quick) layers[entry.id].alone = layer(stage(join(root, `${entry.id}-alone`), entry.binary, `/${basename(entry.binary)}`, false), root, compressions.slice(0, 1));
    if (rootfs.startsWith(root)) rmSync(rootfs, { recursive: true, force: true });
  }
  rmSync(root, { recursive: true, force: true });
  return { layers, composition: composition() };
}

const mib = (bytes) => (bytes === undefined || Number.isNaN(bytes) ? 'n/a' : `${fmt(bytes / MiB, bytes < 10 * MiB ? 2 : 1)}`);

export function renderSize(r) {
  const out = ['### 14. What a user pulls: the executable and its image layer', ''];
  out.push(
    'Each init as the layer a `FROM scratch` image needs: the executable plus the libraries it loads (`ldd`), each at the path the ' +
      'loader looks for it — for fifo-init exactly `dist/rootfs` as the build leaves it, for the peers the binary from its Debian package ' +
      '(`dpkg -L`) with its libraries (none for the static `tini-static` and `catatonit`). The layer is a tar as an image stores it ' +
      '(`tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0`), compressed as a registry stores it: gzip at level 6 (Docker\'s ' +
      'and containerd\'s default), gzip -9, and zstd at BuildKit\'s default level 3 and at 19. MiB; ratio to `tini-static` in parentheses. ' +
      '"Binary alone" is the executable\'s own layer, without libraries, for an image whose base already has glibc.',
    '',
  );
  if (!r.size || r.size.error) return [...out, ...failedOr(r.size)];
  const size = r.size;
  const reference = size.layers['tini-static'];
  const rel = (value, key) => `${mib(value)}${reference && !reference.error ? ratio(value, reference[key]) : ''}`;
  out.push(
    table(
      ['layer', 'executable', 'libraries in the layer', 'tar', ...COMPRESSIONS.map((c) => c.name), 'binary alone, gzip -6'],
      Object.values(size.layers).map((e) =>
        e.error
          ? [e.name, `failed: ${e.error}`, '', '', '', '', '', '', '']
          : [
              e.name,
              mib(e.executable),
              e.libraries.length ? e.libraries.join(', ') : 'none (static)',
              mib(e.tar),
              ...COMPRESSIONS.map((c) => rel(e[c.id], c.id)),
              e.alone ? mib(e.alone.gzip6) : e.libraries.length ? 'n/a' : 'the same',
            ],
      ),
    ),
    '',
  );
  const { composition: c } = size;
  out.push(
    `What fills fifo-init's ${mib(c.total)} MiB (\`readelf -SW dist/fifo-init\`; ICU's share from the symbol \`icudt*_dat\` of the unstripped Node binary, \`nm -S\`):`,
    '',
    table(['part', 'MiB', 'share'], c.parts.map(([part, bytes]) => [part, mib(bytes), bytes === undefined ? 'n/a' : `${((bytes / c.total) * 100).toFixed(1)} %`])),
    '',
  );
  const icu = c.parts.find(([part]) => part.startsWith('ICU'))?.[1];
  const unwind = c.parts.find(([part]) => part.startsWith('`.eh_frame'))?.[1];
  const blob = c.parts.find(([part]) => part.startsWith('`.note.node.sea'))?.[1];
  const f = size.layers['fifo-init'];
  out.push(
    '**Decision: the executable stays the official Node 26 binary, not made smaller.** All but ' +
      `${blob === undefined ? 'a few hundred KiB' : `${fmt(blob / 1024, 0)} KiB`} of it is Node itself (stripped of debug information by the build, ` +
      '150 → 111 MiB, which changes no byte that runs); what remains is not fifo-init\'s to cut without patching an official binary\'s data or code, and ' +
      'nothing of that was adopted:',
    '',
    '- **No `objcopy` on the finished SEA.** Any `objcopy --remove-section` on the executable `node --build-sea` wrote made it crash ' +
      '(issue 13): objcopy rewrites the file\'s layout and the SEA blob is found through it.',
    `- **No zeroing of ICU's data** (${mib(icu)} MiB). It made the gzip layer 31 % smaller and the whole test suite passed (issue 13), but ` +
      'any use of `Intl` — `toLocaleString`, `Intl.DateTimeFormat`, `String.prototype.localeCompare`, in fifo-init or in Node\'s own ' +
      'JavaScript — then aborts the process. A suite that passes cannot prove that no path reaches it, and PID 1 aborting takes the ' +
      'container with it. Node built with `--with-intl=small-icu` or `none` would be the clean way; npm offers only the official ' +
      'full-ICU builds of Node 26, and no other source of Node is reachable from this project\'s machines.',
    `- **No stripping of the unwind tables** (\`.eh_frame\`, ${mib(unwind)} MiB, before \`--build-sea\`): 1.9 MB less gzip (issue 13), ` +
      'but C++ exceptions (`std::bad_alloc` in V8 or ICU, caught or not) and Node\'s fatal-error stack traces need them; the suite was ' +
      'never run with it.',
    '- **No executable packer** (UPX-like): it would unpack the 111 MiB into anonymous memory at every start, where today the ' +
      'executable\'s file pages are shared, reclaimable page cache that fifo-init even pages out once PROGRAM runs (section 2).',
    '',
    `What a publisher can choose without touching the binary: zstd layers. At level 19 fifo-init's layer is ${mib(f?.zstd19)} MiB instead of ` +
      `${mib(f?.gzip6)} MiB with gzip -6 (\`docker buildx build --output type=image,compression=zstd,compression-level=19,force-compression=true\`; ` +
      'pulling zstd layers needs containerd 1.5 or Docker 23 and later).',
    '',
  );
  return out;
}
