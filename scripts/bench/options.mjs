/**
 * The bench's command line (node:util parseArgs); every option also has an
 * environment variable, and the command line wins.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_OUT } from './runner.mjs';

/** The options of a run; prints the usage and exits for --help. */
export function options() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      quick: { type: 'boolean' },
      startups: { type: 'string' },
      signals: { type: 'string' },
      orphans: { type: 'string' },
      'throughput-mib': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'slow-signals': { type: 'string' },
      'long-idle-seconds': { type: 'string' },
      'send-lines': { type: 'string' },
      rerender: { type: 'boolean' },
      repeats: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(
      'usage: node scripts/bench.mjs [--quick] [--out FILE] [--startups N] [--signals N] [--slow-signals N]\n' +
        '                            [--orphans N[,N...]] [--throughput-mib N] [--idle-seconds N]\n' +
        '                            [--long-idle-seconds N] [--send-lines N] [--repeats N] [--rerender]\n' +
        'env: BENCH_OUT BENCH_QUICK=1 BENCH_STARTUPS BENCH_SIGNALS BENCH_SLOW_SIGNALS BENCH_ORPHANS\n' +
        '     BENCH_THROUGHPUT_MIB BENCH_IDLE_SECONDS BENCH_LONG_IDLE_SECONDS BENCH_SEND_LINES BENCH_REPEATS\n' +
        '     (the command line wins)\n' +
        'defaults: 50 start-ups, 1000 signals at 1000/s and 60 at 1/s, 100,1000,10000 orphans, 1024 MiB,\n' +
        '  10 s idle, 600 s long idle, 100000 send lines, 5 repeats (reaping, throughput);\n' +
        '--quick: 3 start-ups, 20 + 2 signals, 20 orphans, 8 MiB, 1 s idle, 2 s long idle, 1000 lines, 1 repeat\n' +
        '--rerender: docs/BENCHMARKS.md (or --out) again from the last run\'s raw results, measuring nothing\n',
    );
    process.exit(0);
  }
  const env = process.env;
  const flag = (value) => value !== undefined && !['', '0', 'false', 'no', 'off'].includes(value.toLowerCase());
  const quick = values.quick ?? flag(env.BENCH_QUICK);
  const full = { startups: 50, signals: 1000, slowSignals: 60, orphans: [100, 1000, 10000], throughputMiB: 1024, idleSeconds: 10, longIdleSeconds: 600, sendLines: 100_000, repeats: 5 };
  const small = { startups: 3, signals: 20, slowSignals: 2, orphans: [20], throughputMiB: 8, idleSeconds: 1, longIdleSeconds: 2, sendLines: 1000, repeats: 1 };
  const base = quick ? small : full;
  const count = (name, cli, envName, min) => {
    const text = cli ?? env[envName];
    if (text === undefined || text === '') return base[name];
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new Error(`bench: ${name} must be a number >= ${min}, not ${JSON.stringify(text)}`);
    return value;
  };
  return {
    quick,
    rerender: values.rerender ?? false,
    out: resolve(values.out ?? env.BENCH_OUT ?? DEFAULT_OUT),
    startups: Math.round(count('startups', values.startups, 'BENCH_STARTUPS', 2)),
    signals: Math.round(count('signals', values.signals, 'BENCH_SIGNALS', 1)),
    orphans: (() => {
      const text = values.orphans ?? env.BENCH_ORPHANS;
      if (text === undefined || text === '') return base.orphans;
      const list = text.split(',').map(Number);
      if (!list.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`bench: orphans must be counts >= 1, comma-separated, not ${JSON.stringify(text)}`);
      return list;
    })(),
    slowSignals: Math.round(count('slowSignals', values['slow-signals'], 'BENCH_SLOW_SIGNALS', 1)),
    longIdleSeconds: count('longIdleSeconds', values['long-idle-seconds'], 'BENCH_LONG_IDLE_SECONDS', 1),
    sendLines: Math.round(count('sendLines', values['send-lines'], 'BENCH_SEND_LINES', 1)),
    throughputMiB: Math.round(count('throughputMiB', values['throughput-mib'], 'BENCH_THROUGHPUT_MIB', 1)),
    idleSeconds: count('idleSeconds', values['idle-seconds'], 'BENCH_IDLE_SECONDS', 0.1),
    repeats: Math.round(count('repeats', values.repeats, 'BENCH_REPEATS', 1)),
    full,
  };
}
