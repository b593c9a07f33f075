/**
 * Issue 13: the init gives memory back once PROGRAM runs and after each
 * burst of work (src/memory.ts). What that must not change: every signal
 * still reaches PROGRAM, orphans are still reaped, PROGRAM's exit code is
 * still the init's. Memory figures are the bench's (docs/BENCHMARKS.md),
 * never asserted here. The give-back is seen through its debug line (-vvv),
 * used only to know when it has happened.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES, linesOf, startInit, tempDir, waitFor, type Running } from './harness.js';
import { executable } from './implementations.js';

const GAVE_BACK = /gave back memory/g;

describe('memory given back (fifo-init)', () => {
  let dir: string;
  let cleanup: () => void;
  const running: Running[] = [];
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => {
    for (const run of running.splice(0)) run.kill();
    cleanup();
  });

  it('after paging out its executable, and again after a burst, every signal is forwarded, orphans are reaped and PROGRAM\'s exit code is kept', async () => {
    const out = join(dir, 'signals');
    const forwards = { USR1: 10, USR2: 12, HUP: 1, WINCH: 28, URG: 23, ALRM: 14 };
    // PROGRAM records each signal; on SIGINT it makes 20 orphans, reports the zombies left, and exits 7.
    const program = ['dash', '-c', `trap 'dash "${join(FIXTURES, 'orphans.sh')}" 20 >> "$0.orphans"; exit 7' INT; set -- "$0" "$@"; . "${join(FIXTURES, 'signals.sh')}"`];
    const run = startInit(executable, ['-vvv', '--', ...program, out, ...Object.entries(forwards).map(([name, number]) => `${name}=${number}`)], { timeoutMs: 60_000 });
    running.push(run);
    const gaveBack = () => run.output().stderr.match(GAVE_BACK)?.length ?? 0;
    await waitFor('the fixture', () => linesOf(out).includes('ready'));
    await waitFor('the first give-back (PROGRAM runs)', () => gaveBack() >= 1, 10_000);

    const sendAll = async (round: number) => {
      for (const [name, number] of Object.entries(forwards)) {
        await run.signal(number);
        await waitFor(`${name} to reach PROGRAM (round ${round})`, () => linesOf(out).filter((line) => line === name).length === round, 5_000);
      }
    };
    await sendAll(1);
    // The burst is over: one more give-back follows, armed by the work, not by a clock.
    await waitFor('the give-back after the burst', () => gaveBack() >= 2, 15_000);
    await sendAll(2);
    expect(linesOf(out).slice(1).sort()).toEqual([...Object.keys(forwards), ...Object.keys(forwards)].sort());

    await run.signal(2); // SIGINT: orphans, then exit 7
    const result = await run.done;
    expect(linesOf(`${out}.orphans`)).toEqual(['zombies=0']);
    expect(result.code).toBe(7);
  }, 60_000);
});
