import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/relay.js';
import { stopSequenceBudgetMs } from '../../src/stop.js';

const split = (chunks: (string | Buffer)[]) => {
  const lines: string[] = [];
  let tooLong = 0;
  const splitter = new LineSplitter((line) => lines.push(line.toString('latin1')), () => (tooLong += 1));
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  splitter.end();
  return { lines, tooLong };
};

describe('LineSplitter (the stdin relay)', () => {
  it('splits on LF, joins lines across chunks, keeps every line end as one LF', () => {
    expect(split(['say a\nsa', 'y b\n', '\nsay c\n']).lines).toEqual(['say a\n', 'say b\n', '\n', 'say c\n']);
  });
  it('CRLF ends a line like LF; a lone CR is an ordinary byte', () => {
    expect(split(['a\r\nb\rc\n', 'd\r', '\n']).lines).toEqual(['a\n', 'b\rc\n', 'd\n']);
  });
  it('keeps bytes exactly, invalid UTF-8 included', () => {
    expect(split([Buffer.from([0x66, 0xff, 0x0a])]).lines).toEqual(['f\xff\n']);
  });
  it('a last line without a newline is still a line at EOF', () => {
    expect(split(['a\nlast']).lines).toEqual(['a\n', 'last\n']);
  });
  it('a line of 4095 bytes passes (4096 with its LF); 4096 bytes is refused whole, then the next line passes', () => {
    const ok = 'x'.repeat(4095);
    expect(split([`${ok}\n`]).lines).toEqual([`${ok}\n`]);
    expect(split([`${ok}\r\n`]).lines).toEqual([`${ok}\n`]);
    const { lines, tooLong } = split([`${'y'.repeat(4096)}\nnext\n`]);
    expect(lines).toEqual(['next\n']);
    expect(tooLong).toBe(1);
  });
  it('an over-long line spread over many chunks is refused once and never split', () => {
    const { lines, tooLong } = split([...Array.from({ length: 10 }, () => 'z'.repeat(1000)), '\nok\n']);
    expect(lines).toEqual(['ok\n']);
    expect(tooLong).toBe(1);
  });
});

describe('stopSequenceBudgetMs', () => {
  it('adds the pauses and twice the stop timeout: what Docker\'s and Kubernetes\' grace must exceed', () => {
    expect(stopSequenceBudgetMs([{ kind: 'command', text: 'say bye' }, { kind: 'wait', ms: 30_000 }, { kind: 'command', text: 'stop' }], 10_000)).toBe(50_000);
    expect(stopSequenceBudgetMs([], 10_000)).toBe(20_000);
  });
});
