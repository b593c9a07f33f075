/** 7. `--exec`: after the hand-over, PID 1 of the namespace is PROGRAM itself and nothing of fifo-init stays. */
import { setTimeout as sleep } from 'node:timers/promises';
import { childrenOf, comm, kib, procStatus, readlinkSafe, readText } from './proc.mjs';
import { EXE, SLEEP, failure, makeFifo, startNamespace, stop, waitFor } from './runner.mjs';
import { failedOr, fmt, table } from './table.mjs';

export async function measureExec(tmp) {
  const fifo = makeFifo(tmp, 'exec.fifo');
  const { child, initPid } = await startNamespace([EXE, '--exec', '--fifo', fifo, '--', SLEEP, '1000000']);
  try {
    await waitFor('PID 1 to become sleep', () => comm(initPid) === 'sleep');
    await sleep(200);
    const status = procStatus(initPid);
    return {
      pid1Exe: readlinkSafe(`/proc/${initPid}/exe`),
      pid1Comm: comm(initPid),
      nsPid: /^NSpid:\s*\d+\s+(\d+)/m.exec(readText(`/proc/${initPid}/status`) ?? '')?.[1],
      threads: Number(status.Threads),
      vmRss: kib(status.VmRSS),
      rssAnon: kib(status.RssAnon),
      stdin: readlinkSafe(`/proc/${initPid}/fd/0`),
      fifo,
      others: childrenOf(initPid).map((pid) => `${pid} ${comm(pid)}`),
      fifoInitLeft: childrenOf(initPid).some((pid) => readlinkSafe(`/proc/${pid}/exe`) === EXE) || readlinkSafe(`/proc/${initPid}/exe`) === EXE,
    };
  } catch (error) {
    throw new Error(failure(child, error));
  } finally {
    await stop(child);
  }
}

export function renderExec(r) {
  const normal = r.resident?.['fifo-init'];
  return [
    '### 7. `--exec`: nothing of fifo-init stays',
    '',
    '`unshare --pid --fork --mount-proc --kill-child fifo-init --exec --fifo FIFO -- /bin/sleep 1000000`, then PID 1 of the ' +
      'namespace (unshare\'s child) read from the host, beside PID 1 of the default mode (from section 2).',
    '',
    ...failedOr(r.exec, (ex) => [
      table(
        ['PID 1 of the namespace', 'fifo-init (default)', 'fifo-init --exec'],
        [
          ['`/proc/PID/exe`', `\`${normal?.pid1Exe ?? 'n/a'}\``, `\`${ex.pid1Exe}\``],
          ['`comm`', `\`${normal?.pid1Comm ?? 'n/a'}\``, `\`${ex.pid1Comm}\``],
          ['pid inside the namespace', '1', ex.nsPid ?? 'n/a'],
          ['threads', normal ? String(normal.threads) : 'n/a', String(ex.threads)],
          ['VmRSS (MiB)', normal ? fmt(normal.vmRss / 1024) : 'n/a', fmt(ex.vmRss / 1024, 2)],
          ['RssAnon (MiB)', normal ? fmt(normal.rssAnon / 1024) : 'n/a', fmt(ex.rssAnon / 1024, 2)],
          ['fd 0', '(PROGRAM\'s)', `\`${ex.stdin}\`${ex.stdin === ex.fifo ? ' (the FIFO)' : ''}`],
          ['other processes in the namespace', '`sleep`', ex.others.length ? ex.others.join(', ') : 'none'],
        ],
      ),
      '',
    ]),
  ];
}
