/**
 * 11. Start-up with a large environment and argv: section 1's hyperfine run
 * (startup.mjs) with a 10,000-variable environment and 4,000 arguments.
 */
import { measureStartup } from './startup.mjs';
import { failedOr, fmt, table, withTini } from './table.mjs';

export const VARIABLES = 10_000;
export const ARGS = 4_000;

/** The environment and argv, and their sizes (r.bigStartup). */
export function bigInput() {
  const env = Object.fromEntries(Array.from({ length: VARIABLES }, (_, i) => [`BENCH_VARIABLE_${String(i).padStart(5, '0')}`, 'x'.repeat(16)]));
  const args = Array.from({ length: ARGS }, (_, i) => `argument-${String(i).padStart(6, '0')}`);
  const sizes = {
    variables: VARIABLES,
    args: ARGS,
    envBytes: Object.entries(env).reduce((sum, [k, v]) => sum + k.length + v.length + 2, 0),
    argBytes: args.reduce((sum, a) => sum + a.length + 1, 0),
  };
  return { env, args, sizes };
}

/** Page cache as left by the runs before; hyperfine's environment holds the variables, so every command inherits them. */
export const measureBigStartup = (inits, o, big) => measureStartup(inits, o, false, big);

export function renderEnvironment(r) {
  const bs = r.bigStartup ?? {};
  return [
    '### 11. Start-up with a large environment and argv',
    '',
    `As section 1 (page cache as left by the runs before), with a ${fmt(bs.variables ?? 0, 0)}-variable environment ` +
      `(${fmt((bs.envBytes ?? 0) / 1024, 0)} KiB, set in hyperfine's environment, so every command inherits it) and PROGRAM given ` +
      `${fmt(bs.args ?? 0, 0)} arguments (${fmt((bs.argBytes ?? 0) / 1024, 0)} KiB): \`unshare ... INIT -- /bin/true ARG...\`. ` +
      'fifo-init reads both as bytes from /proc and builds PROGRAM\'s argv and envp itself.',
    '',
    ...failedOr(r.startupBig, (big) => [
      table(
        ['command', 'median (ms)', 'p90 (ms)', 'vs the same init in section 1', 'runs'],
        Object.entries(big)
          .filter(([key]) => key !== 'cachedBefore')
          .map(([id, e]) => [e.name, withTini(e.median, big.tini?.median, 2), fmt(e.p90, 2), r.startup?.[id]?.median ? `+${fmt(e.median - r.startup[id].median, 2)} ms` : 'n/a', String(e.runs)]),
      ),
      '',
    ]),
  ];
}
