import { describe, expect, it } from 'vitest';
import { modeAllows, permissionMessage, type Opener } from '../../src/fifo.js';

const user = (uid: number, gid: number, groups: number[] = []): Opener => ({ uid, gid, groups, dacOverride: false });
const fifo = (uid: number, gid: number, mode: number) => ({ uid, gid, mode: 0o10000 | mode });
const RW = 6;

describe('modeAllows: the owner/group/other bits as the kernel reads them', () => {
  it('the owner class alone when the uid matches (owner 0600: yes; owner 0066: no, though group and other may)', () => {
    expect(modeAllows(fifo(1000, 1000, 0o600), user(1000, 1000), RW)).toBe(true);
    expect(modeAllows(fifo(1000, 1000, 0o066), user(1000, 1000), RW)).toBe(false);
  });

  it('the group class for the file\'s gid as our gid or a supplementary group', () => {
    expect(modeAllows(fifo(0, 50, 0o660), user(1000, 50), RW)).toBe(true);
    expect(modeAllows(fifo(0, 50, 0o660), user(1000, 1000, [50]), RW)).toBe(true);
    expect(modeAllows(fifo(0, 50, 0o606), user(1000, 50), RW)).toBe(false); // group class, not other
  });

  it('other for anyone else; read and write both needed', () => {
    expect(modeAllows(fifo(0, 0, 0o666), user(1000, 1000), RW)).toBe(true);
    expect(modeAllows(fifo(0, 0, 0o664), user(1000, 1000), RW)).toBe(false);
    expect(modeAllows(fifo(0, 0, 0o664), user(1000, 1000), 4)).toBe(true);
  });

  it('CAP_DAC_OVERRIDE waives the mode; root without it is checked like anyone', () => {
    expect(modeAllows(fifo(1000, 1000, 0o600), { ...user(0, 0), dacOverride: true }, RW)).toBe(true);
    expect(modeAllows(fifo(1000, 1000, 0o600), user(0, 0), RW)).toBe(false);
  });
});

describe('permissionMessage: one line; the SELinux / user-namespace hint only when the mode allows us', () => {
  const message = (stats: ReturnType<typeof fifo> | undefined, who: Opener) => permissionMessage('/service/command_pipe', stats, 'reading and writing', who, `uid ${who.uid} gid ${who.gid}`);

  it('the mode forbids (owner 1000, 0600; we are 2000): owner, mode and who we are; chown/chmod; no SELinux hint', () => {
    const text = message(fifo(1000, 1000, 0o600), user(2000, 2000));
    expect(text).toMatch(/^permission denied opening \/service\/command_pipe for reading and writing: it is owned by uid 1000 gid 1000 with mode 0600 and fifo-init runs as uid 2000 gid 2000; chown or chmod/);
    expect(text).not.toMatch(/SELinux|:z|namespace/);
    expect(text).not.toContain('\n');
  });

  it('the mode allows (owner 1000, 0600; we are 1000): the hint names :z/:Z and the user namespace, on the same line', () => {
    const text = message(fifo(1000, 1000, 0o600), user(1000, 1000));
    expect(text).toContain('owned by uid 1000 gid 1000 with mode 0600 and fifo-init runs as uid 1000 gid 1000, which that mode allows');
    expect(text).toMatch(/SELinux label \(add :z or :Z to the -v bind mount\)/);
    expect(text).toMatch(/user namespace \(uid 1000 here may be another uid on the host/);
    expect(text).not.toMatch(/chown or chmod/);
    expect(text).not.toContain('\n');
  });

  it('root with CAP_DAC_OVERRIDE refused (a host owner unmapped in a user namespace shows as 65534): the hint, naming the capability', () => {
    const text = message(fifo(65534, 65534, 0o600), { ...user(0, 0), dacOverride: true });
    expect(text).toMatch(/CAP_DAC_OVERRIDE/);
    expect(text).toMatch(/user namespace/);
    expect(text).toMatch(/SELinux/);
  });

  it('root without CAP_DAC_OVERRIDE (--cap-drop) and a mode that forbids: no hint', () => {
    expect(message(fifo(1000, 1000, 0o600), user(0, 0))).not.toMatch(/SELinux/);
  });

  it('no stats (a directory on the way cannot be searched): no hint', () => {
    const text = permissionMessage('/service/command_pipe', undefined, 'checking', user(1000, 1000), 'uid 1000 gid 1000');
    expect(text).toMatch(/in a directory we cannot search/);
    expect(text).not.toMatch(/SELinux/);
  });
});
