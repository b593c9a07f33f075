import { describe, expect, it } from 'vitest';
import { deviceName, pageOutRanges, parseMaps } from '../../src/memory.js';

/**
 * /proc/PID/maps of dist/fifo-init while PROGRAM runs (2026-12-02, trimmed):
 * the executable's five PT_LOAD segments, RELRO split off the front of the
 * writable one by the loader's mprotect, V8's remapped builtins, a shared
 * library, the heap, a shared mapping of the same file, and the same inode
 * on another device.
 */
const SAMPLE = `00400000-0082e000 r--p 00000000 fe:00 5325457                            /work/dist/fifo-init
0082e000-03489000 r-xp 0042e000 fe:00 5325457                            /work/dist/fifo-init
03489000-072a7000 r--p 03089000 fe:00 5325457                            /work/dist/fifo-init
072a7000-072dc000 r--p 06ea7000 fe:00 5325457                            /work/dist/fifo-init
072dc000-0735a000 rw-p 06edc000 fe:00 5325457                            /work/dist/fifo-init
0735a000-0735b000 r--p 06f5a000 fe:00 5325457                            /work/dist/fifo-init
0735b000-0739c000 rw-p 00000000 00:00 0
0ef5b000-0ef73000 r--p 06f5b000 fe:00 5325457                            /work/dist/fifo-init
2e0b4000-2e2a3000 rw-p 00000000 00:00 0                                  [heap]
7fa0efdc0000-7fa0effd5000 r-xp 01627000 fe:00 5325457                    /work/dist/fifo-init (deleted)
7fa0f0000000-7fa0f0001000 r--s 00000000 fe:00 5325457                    /work/dist/fifo-init
7fa0f1000000-7fa0f1002000 r--p 00000000 08:01 5325457                    /mnt/other/file
7fa0f2a00000-7fa0f2a28000 r--p 00000000 fe:00 1180050                    /usr/lib/x86_64-linux-gnu/libc.so.6
7fa0f2a28000-7fa0f2bbd000 r-xp 00028000 fe:00 1180050                    /usr/lib/x86_64-linux-gnu/libc.so.6
7fa0f2c15000-7fa0f2c19000 r--p 00214000 fe:00 1180050                    /usr/lib/x86_64-linux-gnu/libc.so.6
7fa0f2c19000-7fa0f2c1b000 rw-p 00218000 fe:00 1180050                    /usr/lib/x86_64-linux-gnu/libc.so.6
7ffd5d1c5000-7ffd5d1e6000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;
const EXE = { device: 'fe:00', inode: 5325457 };
const hex = (ranges: Array<[bigint, bigint]>) => ranges.map(([start, end]) => `${start.toString(16)}-${end.toString(16)}`);

describe('memory: which mappings are paged out', () => {
  it('parses every line of /proc/PID/maps, a " (deleted)" path included', () => {
    const mappings = parseMaps(SAMPLE);
    expect(mappings).toHaveLength(18);
    expect(mappings[9]).toMatchObject({ start: 0x7fa0efdc0000n, end: 0x7fa0effd5000n, perms: 'r-xp', device: 'fe:00', inode: 5325457, path: '/work/dist/fifo-init (deleted)' });
    expect(mappings[6]).toMatchObject({ inode: 0, path: '' });
  });

  it("pages out the executable's private read-only mappings, and nothing else", () => {
    expect(hex(pageOutRanges(parseMaps(SAMPLE), EXE))).toEqual(['400000-82e000', '82e000-3489000', '3489000-72a7000', 'ef5b000-ef73000', '7fa0efdc0000-7fa0effd5000']);
  });

  it('never touches RELRO (read-only right before the writable segment), the writable segment, or what touches it', () => {
    const ranges = hex(pageOutRanges(parseMaps(SAMPLE), EXE));
    expect(ranges).not.toContain('72a7000-72dc000'); // RELRO: the loader wrote it
    expect(ranges).not.toContain('72dc000-735a000'); // .data/.bss
    expect(ranges).not.toContain('735a000-735b000'); // read-only, right after the writable segment
    for (const mapping of parseMaps(SAMPLE).filter((m) => ranges.includes(hex([[m.start, m.end]])[0]!))) {
      expect(mapping.perms).toMatch(/^r-[-x]p$/);
    }
  });

  it('never touches shared libraries, shared mappings, anonymous memory, or the same inode on another device', () => {
    const ranges = hex(pageOutRanges(parseMaps(SAMPLE), EXE));
    for (const other of ['7fa0f2a00000-7fa0f2a28000', '7fa0f2a28000-7fa0f2bbd000', '7fa0f0000000-7fa0f0001000', '7fa0f1000000-7fa0f1002000', '2e0b4000-2e2a3000', '7ffd5d1c5000-7ffd5d1e6000']) {
      expect(ranges).not.toContain(other);
    }
    expect(pageOutRanges(parseMaps(SAMPLE), { device: 'fe:00', inode: 0 })).toEqual([]);
  });

  it('names a device as /proc/PID/maps does (major:minor in hex, at least two digits each)', () => {
    const makedev = (major: bigint, minor: bigint) => (minor & 0xffn) | ((major & 0xfffn) << 8n) | ((minor & ~0xffn) << 12n) | ((major & ~0xfffn) << 32n);
    expect(deviceName(makedev(0xfen, 0n))).toBe('fe:00');
    expect(deviceName(makedev(8n, 1n))).toBe('08:01');
    expect(deviceName(makedev(259n, 0x1234n))).toBe('103:1234');
  });
});
