/** 12. `fifo-init send`: lines per second from stdin, and one line per process, beside the shell. */
import { spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, openSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXE, PROGRAM_SH, WORK, launch, makeFifo, median, msSince, now, stop } from './runner.mjs';
import { failedOr, fmt, table } from './table.mjs';

export async function measureSend(o, tmp) {
  const fifo = makeFifo(tmp, 'send.fifo');
  const fd = openSync(fifo, fsc.O_RDWR);
  const reader = launch(PROGRAM_SH[0], PROGRAM_SH.slice(1), { stdio: [fd, 'ignore', 'pipe'] }); // drains the FIFO
  closeSync(fd);
  const lines = join(tmp, 'lines.txt');
  writeFileSync(lines, Array.from({ length: o.sendLines }, (_, i) => `say line ${String(i).padStart(7, '0')} of the bench\n`).join(''));
  const timeStdin = (command, args) => {
    const runs = [];
    for (let i = 0; i < Math.max(1, Math.min(3, o.repeats)); i++) {
      const input = openSync(lines, 'r');
      const t0 = now();
      const result = spawnSync(command, args, { stdio: [input, 'ignore', 'pipe'], timeout: 120_000, killSignal: 'SIGKILL' });
      const ms = msSince(t0);
      closeSync(input);
      if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}: ${String(result.stderr).trim()}`);
      runs.push(ms);
    }
    const ms = median(runs);
    return { ms, linesPerSecond: (o.sendLines * 1000) / ms, runs };
  };
  try {
    const stdin = {
      fifoInit: timeStdin(EXE, ['send', '--fifo', fifo]),
      cat: timeStdin('sh', ['-c', 'exec cat > "$0"', fifo]),
    };
    const json = join(WORK, `hyperfine-send.${process.pid}.json`);
    const commands = [`${EXE} send --fifo ${fifo} hello`, `sh -c 'echo hello > ${fifo}'`];
    const result = spawnSync('hyperfine', ['-N', '--style', 'basic', '--warmup', '3', '--runs', String(o.startups), '--export-json', json, ...commands], { stdio: 'ignore', timeout: 600_000, killSignal: 'SIGKILL' });
    if (result.status !== 0) throw new Error(`hyperfine (send) exited ${result.status ?? result.signal}`);
    const [send, shell] = JSON.parse(readFileSync(json, 'utf8')).results.map((e) => median(e.times.map((t) => t * 1000)));
    rmSync(json, { force: true });
    return { stdin, perProcess: { fifoInit: { ms: send, linesPerSecond: 1000 / send }, shell: { ms: shell, linesPerSecond: 1000 / shell } } };
  } finally {
    await stop(reader);
    unlinkSync(fifo);
  }
}

export function renderSend(r, o) {
  return [
    '### 12. `fifo-init send`: lines per second',
    '',
    `Into a FIFO drained by \`cat > /dev/null\`: ${fmt(o.sendLines, 0)} lines of 29 bytes from stdin (median of up to 3 runs; ` +
      'each line one `write()`), and one line per process (hyperfine, ' + `${o.startups} runs; lines/s = 1 / median time). ` +
      'Beside the shell: `cat < LINES > FIFO` (which writes whole buffers, not lines) and `sh -c \'echo hello > FIFO\'`. No init has a `send`: no ratio to tini.',
    '',
    ...failedOr(r.send, (send) => [
      table(
        ['writer', 'lines per second', 'time'],
        [
          [`fifo-init send < ${fmt(o.sendLines, 0)} lines`, fmt(send.stdin.fifoInit.linesPerSecond, 0), `${fmt(send.stdin.fifoInit.ms, 1)} ms`],
          [`cat < ${fmt(o.sendLines, 0)} lines > FIFO (not line by line)`, fmt(send.stdin.cat.linesPerSecond, 0), `${fmt(send.stdin.cat.ms, 1)} ms`],
          ['fifo-init send TEXT, one process per line', fmt(send.perProcess.fifoInit.linesPerSecond, 1), `${fmt(send.perProcess.fifoInit.ms, 2)} ms per process`],
          ["sh -c 'echo TEXT > FIFO', one process per line", fmt(send.perProcess.shell.linesPerSecond, 1), `${fmt(send.perProcess.shell.ms, 2)} ms per process`],
        ],
      ),
      '',
    ]),
  ];
}
