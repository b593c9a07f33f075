/**
 * vitest globalSetup: one 0755 directory for the whole run, where
 * runnableByAnyone (harness.ts) puts the executable and the script when the
 * checkout is not reachable by every uid; removed after the run by vitest's
 * main process, which outlives the workers (their exit handlers may not run).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'fifo-init-anyone-'));
  chmodSync(dir, 0o755);
  process.env.FIFO_INIT_ANYONE_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
