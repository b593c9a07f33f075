import { describe, expect, it } from 'vitest';
import { errnoName, SysError } from '../../src/errors.js';

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
