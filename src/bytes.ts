/**
 * Bytes in are bytes out (SPEC "What must hold everywhere"). Arguments,
 * environment values and paths are byte strings on Linux, and Node decodes
 * them as UTF-8, turning every invalid byte into U+FFFD for good. fifo-init
 * instead decodes them the way Python's `os.fsdecode` does ("surrogateescape"):
 * valid UTF-8 becomes ordinary text, so messages read naturally, and each
 * byte that is not valid UTF-8 becomes the lone surrogate U+DC80+byte, which no
 * valid UTF-8 ever produces. `toBytes` reverses it exactly.
 * Pure: no process is touched here.
 * See: PEP 383 (surrogateescape); RFC 3629 (which sequences are valid).
 */

import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xdc00;

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function validSequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  let length: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [length, min] = [2, 0x80];
  else if (b0 >= 0xe0 && b0 <= 0xef) [length, min] = [3, 0x800];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [length, min] = [4, 0x10000];
  else return 0;
  if (i + length > bytes.length) return 0;
  let code = b0 & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k]!;
    if ((b & 0xc0) !== 0x80) return 0;
    code = (code << 6) | (b & 0x3f);
  }
  // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not valid UTF-8.
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

/** Bytes -> string, losslessly: invalid bytes become U+DC80..U+DCFF. */
export function fromBytes(bytes: Uint8Array): string {
  // Fast path (native; the executable runs --jitless, so a byte loop is slow): nothing to escape.
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  let out = '';
  let start = 0; // start of the current run of valid UTF-8
  let i = 0;
  const flush = (end: number) => {
    if (end > start) out += Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
  };
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    flush(i);
    out += String.fromCharCode(ESCAPE_BASE + bytes[i]!);
    i += 1;
    start = i;
  }
  flush(i);
  return out;
}

/** String -> the exact bytes it came from (`fromBytes` reversed); other text is UTF-8. */
export function toBytes(text: string): Buffer {
  // Fast path (the regexp engine, not a loop of ours): no code unit an escape could be.
  if (!/[\udc80-\udcff]/.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xdc80 || unit > 0xdcff) continue;
    // A low surrogate after a high one is half of a real character, not an escape.
    const previous = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (previous >= 0xd800 && previous <= 0xdbff) continue;
    parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.of(unit - ESCAPE_BASE));
    start = i + 1;
  }
  if (parts.length === 0) return Buffer.from(text, 'utf8');
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** The string as a NUL-terminated C string, for libc calls that take a path or an argument. */
export function cString(text: string): Buffer {
  return Buffer.concat([toBytes(text), Buffer.of(0)]);
}

/** Byte length of a string decoded by `fromBytes` (what a write() of it will cost). */
export function byteLength(text: string): number {
  return toBytes(text).length;
}

/**
 * A value made safe for one log line: control characters (C0, DEL, C1) and
 * escaped bytes are written `\xNN`, a backslash `\\`, so no input can start a
 * new line or forge a `fifo-init:` line, and the raw bytes stay readable.
 */
export function escapeForLog(text: string): string {
  return text.replace(/[\\\x00-\x1f\x7f-\x9f\udc80-\udcff]/g, (ch) => {
    if (ch === '\\') return '\\\\';
    const code = ch.charCodeAt(0);
    const byte = code >= 0xdc80 ? code - ESCAPE_BASE : code;
    return `\\x${byte.toString(16).padStart(2, '0')}`;
  });
}

/** NUL-separated byte strings (as /proc/self/cmdline and /proc/self/environ are), decoded by `fromBytes`. */
export function splitNul(bytes: Uint8Array): string[] {
  const values: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    values.push(fromBytes(bytes.subarray(start, i)));
    start = i + 1;
  }
  if (start < bytes.length) values.push(fromBytes(bytes.subarray(start)));
  return values;
}
