import { describe, expect, it } from 'vitest';
import { PIPE_BUF } from '../../src/cli.js';
import { InitError, SEND_EXIT } from '../../src/errors.js';
import { encodeLine } from '../../src/send.js';

/** Runs fn, expecting it to throw; returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('encodeLine', () => {
  it('appends one newline', () => {
    expect(encodeLine('reload config').toString()).toBe('reload config\n');
  });

  it('encodes an empty line as a lone newline', () => {
    expect([...encodeLine('')]).toEqual([0x0a]);
  });

  it('encodes as UTF-8', () => {
    expect([...encodeLine('é')]).toEqual([0xc3, 0xa9, 0x0a]);
  });

  it('accepts 4095 bytes plus the newline: exactly PIPE_BUF', () => {
    expect(PIPE_BUF).toBe(4096);
    const line = encodeLine('a'.repeat(4095));
    expect(line.length).toBe(4096);
    expect(line.at(-1)).toBe(0x0a);
    expect(line.subarray(0, 4095).every((byte) => byte === 0x61)).toBe(true);
  });

  it('refuses 4096 bytes plus the newline with exit code 65', () => {
    const error = thrown(() => encodeLine('a'.repeat(4096)));
    expect(error).toBeInstanceOf(InitError);
    expect((error as InitError).exitCode).toBe(65);
    expect((error as InitError).exitCode).toBe(SEND_EXIT.DATAERR);
  });

  it('refuses a far longer line too', () => {
    expect((thrown(() => encodeLine('x'.repeat(100_000))) as InitError).exitCode).toBe(65);
  });

  it('counts multibyte characters in bytes, not in characters', () => {
    // '€' is 3 bytes in UTF-8: 1365 of them are 4095 bytes, 1366 are 4098.
    expect(encodeLine('€'.repeat(1365)).length).toBe(4096);
    expect((thrown(() => encodeLine('€'.repeat(1366))) as InitError).exitCode).toBe(65);
    // 2048 two-byte characters: 2048 characters, but 4097 bytes with the newline.
    expect((thrown(() => encodeLine('é'.repeat(2048))) as InitError).exitCode).toBe(65);
    expect(encodeLine('é'.repeat(2047) + 'a').length).toBe(4096);
  });

  it('counts a 4-byte character (an emoji, 2 UTF-16 units) as 4 bytes', () => {
    expect(encodeLine('😀'.repeat(1023) + 'abc').length).toBe(4096);
    expect((thrown(() => encodeLine('😀'.repeat(1024))) as InitError).exitCode).toBe(65);
  });
});
