import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseRewrite } from '../../src/cli.js';
import { rewriteSignal } from '../../src/signals.js';

const { SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH } = constants.signals;

describe('rewriteSignal', () => {
  it('passes a signal through unchanged without rewrites', () => {
    expect(rewriteSignal(SIGTERM, new Map())).toBe(SIGTERM);
    expect(rewriteSignal(SIGHUP, new Map())).toBe(SIGHUP);
  });

  it('rewrites FROM to TO', () => {
    expect(rewriteSignal(SIGTERM, new Map([[SIGTERM, SIGUSR1]]))).toBe(SIGUSR1);
  });

  it('returns 0 (drop) for a signal rewritten to 0', () => {
    expect(rewriteSignal(SIGWINCH, new Map([[SIGWINCH, 0]]))).toBe(0);
  });

  it('leaves signals that are not rewritten alone', () => {
    const rewrite = new Map([
      [SIGTERM, SIGUSR1],
      [SIGHUP, 0],
    ]);
    expect(rewriteSignal(SIGINT, rewrite)).toBe(SIGINT);
    expect(rewriteSignal(SIGUSR2, rewrite)).toBe(SIGUSR2);
  });

  it('rewrites once, not transitively', () => {
    const rewrite = new Map([
      [SIGTERM, SIGUSR1],
      [SIGUSR1, SIGUSR2],
    ]);
    expect(rewriteSignal(SIGTERM, rewrite)).toBe(SIGUSR1);
    expect(rewriteSignal(SIGUSR1, rewrite)).toBe(SIGUSR2);
  });

  it('can swap two signals', () => {
    const rewrite = new Map([
      [SIGUSR1, SIGUSR2],
      [SIGUSR2, SIGUSR1],
    ]);
    expect(rewriteSignal(SIGUSR1, rewrite)).toBe(SIGUSR2);
    expect(rewriteSignal(SIGUSR2, rewrite)).toBe(SIGUSR1);
  });

  it('applies a map built from --rewrite words', () => {
    const rewrite = new Map(['TERM:USR1', 'HUP:DROP'].map(parseRewrite));
    expect(rewriteSignal(SIGTERM, rewrite)).toBe(SIGUSR1);
    expect(rewriteSignal(SIGHUP, rewrite)).toBe(0);
    expect(rewriteSignal(SIGINT, rewrite)).toBe(SIGINT);
  });
});
