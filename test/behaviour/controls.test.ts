/**
 * Negative controls: the suite's checks must be able to fail. Each runs a
 * check from init.test.ts against something known to be broken.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, linesOf, procStatus, startInit, tempDir, waitFor, type Running } from './harness.js';

describe('negative controls', () => {
  let dir: string;
  let cleanup: () => void;
  const running: Running[] = [];
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => {
    for (const run of running.splice(0)) run.kill();
    cleanup();
  });

  it('the zombie check sees zombies under a PID 1 that never reaps', async () => {
    const out = join(dir, 'report');
    // PID 1 becomes `sleep` (exec), which never calls wait(): orphans stay zombies.
    const run = startInit({ name: 'sleep as PID 1', command: [], skips: {} }, [
      'dash',
      '-c',
      `dash "${join(FIXTURES, 'orphans.sh')}" 5 0.2 > "$0" & exec tail -f /dev/null`,
      out,
    ]);
    running.push(run);
    const report = await waitFor('the report', () => linesOf(out)[0], 20_000);
    expect(report).toBe('zombies=5');
  }, 30_000);

  it.runIf(spawnSync('which', ['tini']).status === 0)('the idle check sees tini waking once a second', async () => {
    const run = startInit({ name: 'tini', command: ['tini'], skips: {} }, ['--', 'sleep', '30']);
    running.push(run);
    const pid = await run.initPid();
    const switches = () => readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => sum + Number(procStatus(Number(tid)).voluntary_ctxt_switches), 0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const before = switches();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(switches() - before).toBeGreaterThanOrEqual(2);
  });
});
