import { describe, expect, it } from 'vitest';
import { formatMode, parseDuration, parseExitCode, parseMode, parseSize } from '../../src/units.js';

/** setTimeout's ceiling, the largest duration and size the parsers accept. */
const INT32_MAX = 2 ** 31 - 1;

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['0.25s', 250],
    ['0', 0],
    ['0ms', 0],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('reads a bare number as seconds, as docker stop -t', () => {
    expect(parseDuration('10')).toBe(10_000);
    expect(parseDuration('1.5')).toBe(1500);
  });

  it('ignores surrounding whitespace', () => {
    expect(parseDuration(' 5s ')).toBe(5000);
    expect(parseDuration('\t250ms\n')).toBe(250);
  });

  it('rounds fractions of a millisecond to whole milliseconds', () => {
    expect(parseDuration('1.4ms')).toBe(1);
    expect(parseDuration('1.6ms')).toBe(2);
  });

  it('accepts up to 2^31-1 ms and refuses one more', () => {
    expect(parseDuration(`${INT32_MAX}ms`)).toBe(INT32_MAX);
    expect(parseDuration(`${INT32_MAX + 1}ms`)).toBeUndefined();
    expect(parseDuration('596h')).toBe(596 * 3_600_000);
    expect(parseDuration('597h')).toBeUndefined();
    expect(parseDuration('9'.repeat(400))).toBeUndefined();
  });

  it.each(['', ' ', 's', 'ms', '-1', '-1s', '+1s', '1d', '1 s', '1S', '1MS', '.5s', '5.s', '1e3', '1_000ms', 'ten', '5sec', '5s5', '0x10', 'Infinity', 'NaN'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('parseSize', () => {
  it.each([
    ['65536', 65_536],
    ['1', 1],
    ['64k', 65_536],
    ['64K', 65_536],
    ['64kb', 65_536],
    ['64KiB', 65_536],
    ['1M', 1_048_576],
    ['1m', 1_048_576],
    ['1MiB', 1_048_576],
    ['1g', 1_073_741_824],
    ['1G', 1_073_741_824],
    [' 4k ', 4096],
  ])('reads %j as %d bytes (binary units)', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('accepts up to 2^31-1 bytes and refuses more', () => {
    expect(parseSize(String(INT32_MAX))).toBe(INT32_MAX);
    expect(parseSize(String(INT32_MAX + 1))).toBeUndefined();
    expect(parseSize('2047m')).toBe(2047 * 1024 ** 2);
    expect(parseSize('2048m')).toBeUndefined();
    expect(parseSize('2g')).toBeUndefined();
  });

  it.each(['0', '0k', '', 'k', '-1', '-64k', '1.5M', '64 k', '64t', '64kk', '1e6', '0x1000', 'big'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});

describe('parseMode', () => {
  it.each([
    ['600', 0o600],
    ['0600', 0o600],
    ['0660', 0o660],
    ['644', 0o644],
    ['0777', 0o777],
    ['000', 0],
    ['0060', 0o60],
    [' 0640 ', 0o640],
  ])('reads %j as octal', (text, mode) => {
    expect(parseMode(text)).toBe(mode);
  });

  it.each(['', '6', '60', '00600', '1777', '4755', '0o600', '0x180', '800', '0680', '-600', 'rw-------', '6 00'])('refuses %j', (text) => {
    expect(parseMode(text)).toBeUndefined();
  });
});

describe('parseExitCode', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['3', 3],
    ['143', 143],
    ['255', 255],
    ['007', 7],
    [' 42 ', 42],
  ])('reads %j as %d', (text, code) => {
    expect(parseExitCode(text)).toBe(code);
  });

  it.each(['256', '999', '1000', '-1', '', ' ', '1.0', '3a', 'x', '0x10', '1e2'])('refuses %j', (text) => {
    expect(parseExitCode(text)).toBeUndefined();
  });
});

describe('formatMode', () => {
  it('writes four octal digits with a leading 0', () => {
    expect(formatMode(0o600)).toBe('0600');
    expect(formatMode(0o660)).toBe('0660');
    expect(formatMode(0o777)).toBe('0777');
    expect(formatMode(0o7)).toBe('0007');
    expect(formatMode(0)).toBe('0000');
  });

  it('keeps only the permission bits (file type and setuid bits dropped)', () => {
    expect(formatMode(0o10644)).toBe('0644'); // S_IFIFO | 0644, as stat() reports a FIFO
    expect(formatMode(0o4755)).toBe('0755');
  });

  it('round-trips with parseMode', () => {
    for (const mode of [0, 0o600, 0o640, 0o666, 0o777]) expect(parseMode(formatMode(mode))).toBe(mode);
  });
});
