import { describe, expect, it } from 'vitest';
import { describeThrown, errnoName, guardWith, SysError } from '../../src/errors.js';

describe('errnoName', () => {
  it('names 11 EAGAIN, the first of its names (not EWOULDBLOCK), so a pids limit is a resource error', () => {
    expect(errnoName(11)).toBe('EAGAIN');
    expect(new SysError('exec x', 11).code).toBe('EAGAIN');
  });
  it('names ENOENT and falls back to E<number>', () => {
    expect(errnoName(2)).toBe('ENOENT');
    expect(errnoName(9999)).toBe('E9999');
  });
});

describe('guardWith (SPEC "Supervision": no internal failure after the spawn ends the init)', () => {
  it('hands what a wrapped callback throws to the reporter, with the duty\'s name, and returns normally', () => {
    const reported: [string, unknown][] = [];
    const guard = guardWith((what, error) => reported.push([what, error]));
    const failure = new Error('boom');
    const wrapped = guard('the stop sequence', (_signal: number) => {
      throw failure;
    });
    expect(() => wrapped(15)).not.toThrow();
    expect(reported).toEqual([['the stop sequence', failure]]);
  });
  it('passes the arguments through and reports nothing when the callback succeeds', () => {
    const reported: unknown[] = [];
    const seen: unknown[] = [];
    const wrapped = guardWith((_what, error) => reported.push(error))('the reaper', (a: number, b: string) => void seen.push(a, b));
    wrapped(1, 'x');
    wrapped(2, 'y');
    expect(seen).toEqual([1, 'x', 2, 'y']);
    expect(reported).toEqual([]);
  });
  it('describes anything thrown, Error or not', () => {
    expect(describeThrown(new TypeError('bad status'))).toBe('bad status');
    expect(describeThrown('a string')).toBe('a string');
    expect(describeThrown(undefined)).toBe('undefined');
  });
});
