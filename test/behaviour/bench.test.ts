/**
 * Smoke test of scripts/bench.mjs: a run with tiny counts completes and its
 * report has a row for every init and every measurement. The figures are
 * never asserted: timing on a shared 2-core machine would make this flaky.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './harness.js';

const INITS = ['fifo-init', 'tini', 'dumb-init', 'catatonit', 'bare Node SEA'];
/** Rows of the summary table (prefixes; some end with the counts used). */
const MEASUREMENTS = [
  'start-up median (ms)',
  'start-up p90 (ms)',
  'start-up median, executables read sequentially first (ms)',
  'VmRSS (MiB)',
  'RssAnon (MiB)',
  'RssFile (MiB)',
  'VmRSS, executable read sequentially first (MiB)',
  'executable size (MiB)',
  'image layer, gzip -6 (MiB)',
  'image layer, zstd -19 (MiB)',
  'idle wake-ups in',
  'signal forwarding p50 at 1000/s (µs)',
  'signal forwarding p99 at 1000/s (µs)',
  'signal forwarding p50 at 1/s (µs)',
  'signal forwarding p99 at 1/s (µs)',
  'VmRSS right after 20 signals (MiB)',
  'RssAnon right after 20 signals (MiB)',
  'VmRSS 1.0 s after the 20 signals (MiB)',
  '20 orphans reaped (ms)',
  'FIFO throughput (MiB/s)',
  'init CPU time during the 8 MiB transfer (ms)',
  'FIFO throughput, all on one CPU (MiB/s)',
  'FIFO throughput, 16 writers (MiB/s)',
  'FIFO throughput, 64 writers (MiB/s)',
  'start-up median, 10,000-variable environment and 4,000-argument argv (ms)',
  'VmRSS after ',
  'RssAnon after ',
  'idle wake-ups in ',
];
/** Detail sections that hold one row per init. */
const SECTIONS = ['### 1. Start-up', '### 2. Memory', '### 3. Idle wake-ups', '### 4. Signal forwarding', '### 5. Reaping orphans', '### 9. Memory around a burst', '### 11. Start-up with a large environment'];

/** The first cell of every table row under `heading`, up to the next heading of that level or above. */
function rowsUnder(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(heading);
  if (start < 0) return [];
  const rest = markdown.slice(start + heading.length);
  const end = rest.search(/\n#{2,3} /);
  return (end < 0 ? rest : rest.slice(0, end))
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .map((line) => line.split(' | ')[0]!.slice(2).trim());
}

describe('scripts/bench.mjs', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('a quick run completes and reports every init and every measurement (figures not checked)', async () => {
    const out = join(dir, 'BENCHMARKS.md');
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'node'),
      [join(ROOT, 'scripts', 'bench.mjs'), '--quick', '--out', out, '--startups', '3', '--signals', '20', '--slow-signals', '2', '--orphans', '20', '--throughput-mib', '8', '--idle-seconds', '1', '--long-idle-seconds', '2', '--send-lines', '1000'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), 80_000); // the bench kills what it started on SIGTERM
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);

    expect(code, output).toBe(0); // 0: every measurement ran (a failed one is listed and exits 1)
    expect(existsSync(out)).toBe(true);
    const markdown = readFileSync(out, 'utf8');
    expect(markdown).not.toContain('## Failures');

    const summary = rowsUnder(markdown, '## Summary');
    expect(markdown).toMatch(new RegExp(`\\| measurement \\| ${INITS.join(' \\| ')} \\| no init \\|`));
    for (const measurement of MEASUREMENTS) expect(summary.some((row) => row.startsWith(measurement)), measurement).toBe(true);
    for (const section of SECTIONS) {
      const rows = rowsUnder(markdown, section);
      for (const init of INITS) expect(rows, `${section}: ${init}`).toContain(init);
    }
    const throughput = rowsUnder(markdown, '### 6. FIFO throughput'); // both tables: unpinned and on one CPU
    for (const setup of ['fifo-init --fifo', 'tini <> FIFO', 'dumb-init <> FIFO', 'catatonit <> FIFO', 'no init (cat <> FIFO)', 'relay (cat FIFO \\| cat)']) {
      expect(throughput.filter((row) => row === setup), setup).toHaveLength(2);
    }
    expect(rowsUnder(markdown, '### 7. `--exec`')).toContain('`/proc/PID/exe`');
    // How cost grows: both paces for every init, no signal lost; 16 and 64 writers; send; the long idle, fifo-init in both page-cache states.
    const paced = rowsUnder(markdown, '### 8. Signal forwarding at 1 and at 1000');
    for (const pace of ['1/s', '1000/s']) expect(paced.filter((row) => row === pace)).toHaveLength(INITS.length + 1);
    expect(markdown).toMatch(/\| 1000\/s \| fifo-init \| [\d,.]+ \| [^|]+ \| [^|]+ \| [^|]+ \| 20 \| 0 \|/);
    expect(rowsUnder(markdown, '### 10. FIFO throughput with 1, 16 and 64 writers')).toContain('fifo-init --fifo');
    expect(rowsUnder(markdown, '### 12. `fifo-init send`')).toContain('fifo-init send < 1,000 lines');
    const idle = rowsUnder(markdown, '### 13. Resident memory after');
    for (const init of ['fifo-init', 'tini', 'dumb-init', 'catatonit', 'fifo-init, executable read sequentially first']) expect(idle, init).toContain(init);
    // What a user pulls: a layer for fifo-init and every peer, tini-static beside the dynamic tini.
    const layers = rowsUnder(markdown, '### 14. What a user pulls');
    for (const layer of ['fifo-init (dist/rootfs)', 'tini-static (Debian tini)', 'tini (Debian tini)', 'dumb-init (Debian dumb-init)', 'catatonit (Debian catatonit)', 'bare Node SEA']) {
      expect(layers, layer).toContain(layer);
    }
    // Issue 13's targets, each marked, and every missed one explained.
    const targets = rowsUnder(markdown, '## Targets');
    expect(targets.length).toBeGreaterThanOrEqual(10);
    const missed = (markdown.match(/\| \*\*missed\*\* \|/g) ?? []).length;
    const explained = markdown.slice(markdown.indexOf('## Where a target is missed')).split('\n## ')[0]!.split('\n').filter((line) => line.startsWith('- **')).length;
    expect(explained).toBe(missed);
    for (const heading of ['## Machine', '## Versions', '## Rerun']) expect(markdown).toContain(heading);
  }, 90_000);
});
