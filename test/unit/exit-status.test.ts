import { describe, expect, it } from 'vitest';
import { decodeWaitStatus, describeTermination, exitCodeFor, isTermination, type Termination } from '../../src/exit-status.js';

/** Wait statuses built as the kernel builds them (glibc <bits/waitstatus.h>). */
const exited = (code: number) => (code & 0xff) << 8;
const signaled = (signal: number, core = false) => signal | (core ? 0x80 : 0);
const stopped = (signal: number) => (signal << 8) | 0x7f;
/** WIFCONTINUED: the status word is exactly 0xffff. */
const CONTINUED = 0xffff;

describe('decodeWaitStatus', () => {
  it('decodes a normal exit', () => {
    expect(decodeWaitStatus(3 << 8)).toEqual({ kind: 'exited', code: 3 });
  });
  it('decodes a signal death with core dump', () => {
    expect(decodeWaitStatus(11 | 0x80)).toEqual({ kind: 'signaled', signal: 11, coreDumped: true });
  });

  it('decodes exit 0 and exit 255, the ends of the range', () => {
    expect(decodeWaitStatus(exited(0))).toEqual({ kind: 'exited', code: 0 });
    expect(decodeWaitStatus(exited(255))).toEqual({ kind: 'exited', code: 255 });
    expect(decodeWaitStatus(exited(128))).toEqual({ kind: 'exited', code: 128 });
  });

  it('decodes a signal death without core dump', () => {
    expect(decodeWaitStatus(signaled(9))).toEqual({ kind: 'signaled', signal: 9, coreDumped: false });
    expect(decodeWaitStatus(signaled(15))).toEqual({ kind: 'signaled', signal: 15, coreDumped: false });
  });

  it('decodes the lowest and highest signal numbers', () => {
    expect(decodeWaitStatus(signaled(1))).toEqual({ kind: 'signaled', signal: 1, coreDumped: false });
    expect(decodeWaitStatus(signaled(64, true))).toEqual({ kind: 'signaled', signal: 64, coreDumped: true });
  });

  it('ignores bits above the exit code byte', () => {
    expect(decodeWaitStatus(0x10000 | exited(7))).toEqual({ kind: 'exited', code: 7 });
  });

  it('decodes a stopped status (a ptrace stop) as a stop, not a termination', () => {
    expect(decodeWaitStatus(stopped(19))).toEqual({ kind: 'stopped', signal: 19 });
    expect(decodeWaitStatus(stopped(5))).toEqual({ kind: 'stopped', signal: 5 });
    expect(isTermination(decodeWaitStatus(stopped(1)))).toBe(false);
  });

  it('decodes a continued status as neither', () => {
    expect(decodeWaitStatus(CONTINUED)).toEqual({ kind: 'continued' });
    expect(isTermination(decodeWaitStatus(CONTINUED))).toBe(false);
    expect(isTermination(decodeWaitStatus(exited(0)))).toBe(true);
    expect(isTermination(decodeWaitStatus(signaled(9)))).toBe(true);
  });
});

describe('exitCodeFor', () => {
  it('maps signal N to 128+N and remaps with -e', () => {
    expect(exitCodeFor({ kind: 'signaled', signal: 15, coreDumped: false })).toBe(143);
    expect(exitCodeFor({ kind: 'exited', code: 143 }, new Set([143]))).toBe(0);
  });

  it("passes PROGRAM's own exit code through", () => {
    expect(exitCodeFor({ kind: 'exited', code: 0 })).toBe(0);
    expect(exitCodeFor({ kind: 'exited', code: 3 })).toBe(3);
    expect(exitCodeFor({ kind: 'exited', code: 255 })).toBe(255);
  });

  it('is 128+N for any signal, core dump or not', () => {
    expect(exitCodeFor({ kind: 'signaled', signal: 9, coreDumped: false })).toBe(137);
    expect(exitCodeFor({ kind: 'signaled', signal: 11, coreDumped: true })).toBe(139);
    expect(exitCodeFor({ kind: 'signaled', signal: 1, coreDumped: false })).toBe(129);
  });

  it('remaps only the codes listed', () => {
    const remap = new Set([3, 5]);
    expect(exitCodeFor({ kind: 'exited', code: 3 }, remap)).toBe(0);
    expect(exitCodeFor({ kind: 'exited', code: 5 }, remap)).toBe(0);
    expect(exitCodeFor({ kind: 'exited', code: 4 }, remap)).toBe(4);
    expect(exitCodeFor({ kind: 'exited', code: 0 }, remap)).toBe(0);
  });

  it('remaps a signal death by its 128+N code, not by N', () => {
    const term: Termination = { kind: 'signaled', signal: 15, coreDumped: false };
    expect(exitCodeFor(term, new Set([15]))).toBe(143);
    expect(exitCodeFor(term, new Set([143]))).toBe(0);
  });

  it('composes with decodeWaitStatus', () => {
    expect(exitCodeFor(decodeWaitStatus(exited(42)) as Termination)).toBe(42);
    expect(exitCodeFor(decodeWaitStatus(signaled(9)) as Termination)).toBe(137);
    expect(exitCodeFor(decodeWaitStatus(signaled(6, true)) as Termination, new Set([134]))).toBe(0);
  });
});

describe('describeTermination', () => {
  it('names the exit code', () => {
    const text = describeTermination({ kind: 'exited', code: 3 });
    expect(text).toMatch(/exit/);
    expect(text).toMatch(/\b3\b/);
  });

  it('gives the signal number when no namer is passed', () => {
    const text = describeTermination({ kind: 'signaled', signal: 9, coreDumped: false });
    expect(text).toMatch(/\b9\b/);
    expect(text).not.toMatch(/core/);
  });

  it('uses the namer for the signal', () => {
    const seen: number[] = [];
    const text = describeTermination({ kind: 'signaled', signal: 15, coreDumped: false }, (n) => {
      seen.push(n);
      return 'SIGTERM';
    });
    expect(seen).toEqual([15]);
    expect(text).toContain('SIGTERM');
  });

  it('says when a core was dumped', () => {
    expect(describeTermination({ kind: 'signaled', signal: 11, coreDumped: true })).toMatch(/core/);
  });

  it('does not call the namer for a normal exit', () => {
    const text = describeTermination({ kind: 'exited', code: 0 }, () => {
      throw new Error('namer called');
    });
    expect(text).toMatch(/\b0\b/);
  });
});
