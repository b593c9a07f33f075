import { describe, expect, it } from 'vitest';
import { PIPE_BUF } from '../../src/cli.js';
import { InitError, SEND_EXIT } from '../../src/errors.js';
import { encodeLine, readLines, type Read } from '../../src/send.js';

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

describe('encodeLine: one TEXT is one command', () => {
  it.each(['a\nb', 'a\rb', 'stop\r', '\n', '\r\n'])('refuses %j with exit code 65', (text) => {
    expect((thrown(() => encodeLine(text)) as InitError).exitCode).toBe(SEND_EXIT.DATAERR);
  });

  it('writes an escaped invalid byte back as that one byte', () => {
    expect([...encodeLine('\udcff\udcfe')]).toEqual([0xff, 0xfe, 0x0a]);
    expect(encodeLine('\udcff'.repeat(4095)).length).toBe(4096);
  });
});

/** A Read that hands out `input` in pieces of at most `piece` bytes. */
function reader(input: Buffer, piece = 7): Read {
  let at = 0;
  return (buffer) => {
    const n = Math.min(piece, buffer.length, input.length - at);
    input.copy(buffer, 0, at, at + n);
    at += n;
    return n;
  };
}

const lines = (input: Buffer | string, piece?: number) => [...readLines(reader(Buffer.from(input), piece))].map((line) => line.toString('latin1'));

describe('readLines', () => {
  it('splits on LF and on CRLF; a lone CR stays in the line', () => {
    expect(lines('a\nb\r\nc\rd\n')).toEqual(['a\n', 'b\n', 'c\rd\n']);
  });

  it('sends a last line without a newline, and nothing for an empty input', () => {
    expect(lines('a\nlast')).toEqual(['a\n', 'last\n']);
    expect(lines('')).toEqual([]);
    expect(lines('\n\n')).toEqual(['\n', '\n']);
  });

  it('keeps invalid UTF-8 byte for byte', () => {
    const got = [...readLines(reader(Buffer.from([0xff, 0xc3, 0x28, 0x0a])))];
    expect(got.map((line) => [...line])).toEqual([[0xff, 0xc3, 0x28, 0x0a]]);
  });

  it('is the same whatever the read sizes (a CRLF split across reads too)', () => {
    const input = `one\r\n${'x'.repeat(5000).slice(0, 4095)}\r\nthree\rfour\nend`;
    const expected = lines(input, 1 << 20);
    for (const piece of [1, 2, 3, 5, 4096, 4097]) expect(lines(input, piece)).toEqual(expected);
    expect(expected).toEqual(['one\n', `${'x'.repeat(4095)}\n`, 'three\rfour\n', 'end\n']);
  });

  it('accepts 4095 bytes plus a newline (or plus CRLF), and refuses 4096 with 65', () => {
    expect(lines(`${'a'.repeat(4095)}\n`)[0]).toHaveLength(4096);
    expect(lines(`${'a'.repeat(4095)}\r\n`)[0]).toHaveLength(4096);
    expect(lines('a'.repeat(4095))[0]).toHaveLength(4096);
    for (const input of [`${'a'.repeat(4096)}\n`, 'a'.repeat(4096), `${'a'.repeat(4095)}\r`, `${'a'.repeat(4096)}\r\n`]) {
      expect((thrown(() => lines(input)) as InitError).exitCode).toBe(65);
    }
  });

  it('yields the lines before an over-long one, then stops reading at once', () => {
    let reads = 0;
    const endless: Read = (buffer) => {
      reads += 1;
      if (reads === 1) {
        buffer.write('ok\n', 'latin1');
        return 3;
      }
      buffer.fill(0x78);
      return buffer.length;
    };
    const seen: string[] = [];
    const error = thrown(() => {
      for (const line of readLines(endless)) seen.push(line.toString());
    });
    expect(seen).toEqual(['ok\n']);
    expect((error as InitError).exitCode).toBe(65);
    expect(reads).toBe(2);
  });

  it('turns a read error into exit code 74', () => {
    const failing: Read = () => {
      throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
    };
    const error = thrown(() => [...readLines(failing)]) as InitError;
    expect(error.exitCode).toBe(74);
    expect(error.exitCode).toBe(SEND_EXIT.IOERR);
    expect(error.message).toContain('directory');
  });
});
