// Measures the window after exec in which a SIGTERM sent to a PID 1 init is
// lost (no handler yet: PID 1 ignores it), for fifo-init and for tini, in the
// same run. PROGRAM sleeps 3 s: a SIGTERM that reaches it ends the run at
// once (143); a lost one lets it run the full 3 s (0).
// Usage: node scripts/signal-window.mjs [--out docs/SIGNAL-WINDOW.md]
// Figures depend on the machine's load: read them as a range, not a constant.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exe = process.env.FIFO_INIT_TEST_EXE ?? join(root, 'dist', 'fifo-init');
const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : undefined;
const DELAYS_MS = [0, 5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 80];
const TRIES = 6;

/** One run: SIGTERM to the init `delay` ms after unshare is started; true when it was lost. */
function lost(command, delay) {
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...command, '--', 'sleep', '3'], { stdio: 'ignore' });
    const started = process.hrtime.bigint();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const send = () => {
      // The init is unshare's child (PID 1 inside); signal it from outside by its host pid.
      import('node:fs').then(({ readFileSync }) => {
        try {
          const pid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
          if (pid) process.kill(pid, 'SIGTERM');
        } catch {
          // not forked yet: counts as sent before any handler
        }
      });
    };
    setTimeout(send, delay);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(Number(process.hrtime.bigint() - started) / 1e6 > 2_500);
    });
  });
}

const implementations = [
  ['fifo-init', [exe]],
  // FIFO_INIT_BEFORE_EXE: an older build, for a before/after row.
  ...(process.env.FIFO_INIT_BEFORE_EXE ? [['fifo-init (before)', [process.env.FIFO_INIT_BEFORE_EXE]]] : []),
  ['tini', ['tini']],
];
const rows = [];
for (const [name, command] of implementations) {
  const cells = [];
  for (const delay of DELAYS_MS) {
    let count = 0;
    for (let i = 0; i < TRIES; i++) if (await lost(command, delay)) count += 1;
    cells.push(count);
    process.stderr.write(`${name} ${delay} ms: lost ${count}/${TRIES}\n`);
  }
  const safe = DELAYS_MS.find((_, i) => cells.slice(i).every((c) => c === 0));
  rows.push({ name, cells, safe });
}

const table = [
  `| init | ${DELAYS_MS.map((d) => `${d} ms`).join(' | ')} | never lost from |`,
  `|---|${DELAYS_MS.map(() => '---').join('|')}|---|`,
  ...rows.map((r) => `| ${r.name} | ${r.cells.map((c) => `${c}/${TRIES}`).join(' | ')} | ${r.safe === undefined ? 'not within 80 ms' : `${r.safe} ms`} |`),
].join('\n');
const text = `# Start-up signal window (PID 1)

Written by \`node scripts/signal-window.mjs --out docs/SIGNAL-WINDOW.md\` on ${new Date().toISOString().slice(0, 10)}.
A SIGTERM is sent to the init (PID 1 of a new PID namespace) the given time
after \`unshare\` is started; a cell counts the runs, of ${TRIES}, in which it was
lost (PROGRAM, \`sleep 3\`, ran to its end). Before an init has a handler,
the kernel drops any signal sent to a PID 1 (PLATFORM.md). fifo-init installs
its handlers before it parses its options; what remains is Node's own boot,
before any JavaScript runs, which no init written in JavaScript can cover.
Times include \`unshare\`'s own fork and exec, on a 2-CPU shared machine.

${table}
`;
if (out) writeFileSync(join(root, out), text);
process.stdout.write(text);
