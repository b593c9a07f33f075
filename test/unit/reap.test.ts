import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SysError } from '../../src/errors.js';
import { Reaper, reapAll } from '../../src/reap.js';
import { WNOHANG } from '../../src/sys/libc.js';

type Step = [number, number] | Error;

/** A fake waitpid that plays `steps` in order and records its calls. */
function fakeWait(steps: Step[]) {
  const calls: [number, number][] = [];
  const wait = (pid: number, options: number): [number, number] => {
    calls.push([pid, options]);
    if (calls.length > steps.length) throw new Error(`wait called ${calls.length} times, only ${steps.length} steps`);
    const step = steps[calls.length - 1]!;
    if (step instanceof Error) throw step;
    return step;
  };
  return { wait, calls };
}

/** An error shaped like a Node system error. */
const codeError = (code: string) => Object.assign(new Error(code), { code });

describe('reapAll', () => {
  it('returns nothing when no child is ready', () => {
    const { wait, calls } = fakeWait([[0, 0]]);
    expect(reapAll(wait)).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('waits for any child without blocking', () => {
    const { wait, calls } = fakeWait([[0, 0]]);
    reapAll(wait);
    expect(calls[0]).toEqual([-1, WNOHANG]);
    expect(WNOHANG).toBe(1);
  });

  it('loops until wait returns 0, keeping every pid and status in order', () => {
    const { wait, calls } = fakeWait([[101, 0], [102, 3 << 8], [103, 9], [0, 0]]);
    expect(reapAll(wait)).toEqual([
      { pid: 101, status: 0 },
      { pid: 102, status: 3 << 8 },
      { pid: 103, status: 9 },
    ]);
    expect(calls).toHaveLength(4);
    expect(calls.every(([pid, options]) => pid === -1 && options === WNOHANG)).toBe(true);
  });

  it('stops on ECHILD (no children at all) and keeps what it reaped', () => {
    const { wait, calls } = fakeWait([[101, 0], codeError('ECHILD')]);
    expect(reapAll(wait)).toEqual([{ pid: 101, status: 0 }]);
    expect(calls).toHaveLength(2);
  });

  it('stops on a SysError whose code is ECHILD', () => {
    const { wait } = fakeWait([new SysError('waitpid', constants.errno.ECHILD)]);
    expect(reapAll(wait)).toEqual([]);
  });

  it('retries after EINTR', () => {
    const { wait, calls } = fakeWait([codeError('EINTR'), [101, 0], codeError('EINTR'), codeError('EINTR'), [102, 0], [0, 0]]);
    expect(reapAll(wait)).toEqual([
      { pid: 101, status: 0 },
      { pid: 102, status: 0 },
    ]);
    expect(calls).toHaveLength(6);
  });

  it('retries after a SysError EINTR', () => {
    const { wait } = fakeWait([new SysError('waitpid', constants.errno.EINTR), [7, 0], [0, 0]]);
    expect(reapAll(wait)).toEqual([{ pid: 7, status: 0 }]);
  });

  it('rethrows any other error, the same object', () => {
    const error = codeError('EINVAL');
    const { wait } = fakeWait([[101, 0], error]);
    expect(() => reapAll(wait)).toThrow(error);
  });

  it('rethrows an error without a code', () => {
    const error = new Error('boom');
    const { wait } = fakeWait([error]);
    expect(() => reapAll(wait)).toThrow(error);
  });

  it('stops on a negative pid as on 0', () => {
    const { wait, calls } = fakeWait([[101, 0], [-1, 0]]);
    expect(reapAll(wait)).toEqual([{ pid: 101, status: 0 }]);
    expect(calls).toHaveLength(2);
  });
});

describe('Reaper', () => {
  const silent = { level: 0, error() {}, warn() {}, notice() {}, info() {}, debug() {} };
  it('a stopped main child is no exit: it is detached with its signal (SIGTRAP withheld) and supervision goes on', () => {
    const detached: [number, number][] = [];
    const { wait } = fakeWait([[50, (10 << 8) | 0x7f], [50, (5 << 8) | 0x7f], [0, 0], [50, 7 << 8], [0, 0]]);
    const reaper = new Reaper(silent, false, wait, (pid, signal) => detached.push([pid, signal]));
    expect(reaper.pass(50)).toBeUndefined();
    expect(detached).toEqual([[50, 10], [50, 0]]);
    expect(reaper.pass(50)).toEqual({ kind: 'exited', code: 7 });
  });
  it('a continued status is ignored; another child\'s exit is not the main one', () => {
    const { wait } = fakeWait([[50, 0xffff], [51, 3 << 8], [0, 0]]);
    const reaper = new Reaper(silent, false, wait, () => {
      throw new Error('no stop here');
    });
    expect(reaper.pass(50)).toBeUndefined();
  });
});
