import { describe, expect, it } from 'vitest';
import { byteLength, cString, escapeForLog, fromBytes, splitNul, toBytes } from '../../src/bytes.js';

const roundTrip = (bytes: number[]) => [...toBytes(fromBytes(Buffer.from(bytes)))];

describe('bytes: lossless decoding (surrogateescape)', () => {
  it('valid UTF-8 decodes to ordinary text', () => {
    expect(fromBytes(Buffer.from('héllo wörld ✓ 😀', 'utf8'))).toBe('héllo wörld ✓ 😀');
  });
  it('every single byte 0x00-0xff survives a round trip', () => {
    for (let b = 0; b < 256; b++) expect(roundTrip([b])).toEqual([b]);
  });
  it('invalid sequences survive exactly: lone continuation, truncated, overlong, surrogate, past U+10FFFF', () => {
    for (const bytes of [[0x80], [0xc3], [0xe2, 0x9c], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x66, 0xff, 0x6f]]) {
      expect(roundTrip(bytes)).toEqual(bytes);
      expect(fromBytes(Buffer.from(bytes))).not.toContain('\ufffd');
    }
  });
  it('random byte strings survive a round trip', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let n = 0; n < 500; n++) {
      const bytes = Array.from({ length: 1 + (n % 40) }, next);
      expect(roundTrip(bytes)).toEqual(bytes);
    }
  });
  it('a real U+DC80..U+DCFF pair half is not mistaken for an escape', () => {
    const text = '\ud83d\ude00'; // one emoji = a surrogate pair
    expect(toBytes(text)).toEqual(Buffer.from(text, 'utf8'));
  });
  it('byteLength counts the original bytes, cString adds one NUL', () => {
    const text = fromBytes(Buffer.from([0x61, 0xff, 0xe2, 0x9c, 0x93]));
    expect(byteLength(text)).toBe(5);
    expect([...cString(text)]).toEqual([0x61, 0xff, 0xe2, 0x9c, 0x93, 0]);
  });
  it('splitNul splits /proc-style NUL-separated lists', () => {
    expect(splitNul(Buffer.from('a\0b c\0\0d\0'))).toEqual(['a', 'b c', '', 'd']);
    expect(splitNul(Buffer.from('x'))).toEqual(['x']);
  });
});

describe('bytes: escapeForLog', () => {
  it('escapes newlines, CR, ESC, DEL, C1 and backslashes, keeps printable text', () => {
    expect(escapeForLog('a\nfifo-init: forged')).toBe('a\\x0afifo-init: forged');
    expect(escapeForLog('\r\x1b[31m\x7f\u0085\\ é')).toBe('\\x0d\\x1b[31m\\x7f\\x85\\\\ é');
  });
  it('shows an invalid byte as \\xNN', () => {
    expect(escapeForLog(fromBytes(Buffer.from([0x2f, 0xff])))).toBe('/\\xff');
  });
});
