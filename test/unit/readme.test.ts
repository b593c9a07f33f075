import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INIT_OPTIONS, parseCommandLine, USAGE, type InitOptions } from '../../src/cli.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of the README's option table: option column -> env column. */
function optionRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of README.split('\n')) {
    const cells = line.split(' | ');
    if (!line.startsWith('| `') || cells.length < 3) continue;
    for (const name of cells[0]!.matchAll(/--([a-z-]+)/g)) rows.set(name[1]!, cells[1]!);
  }
  return rows;
}

describe('README: one table of options and their environment twins (issue 12.5)', () => {
  const rows = optionRows();
  const behaviour = Object.keys(INIT_OPTIONS).filter((name) => !['help', 'version'].includes(name));
  it.each(behaviour)('--%s is in the table with a FIFO_INIT_* variable', (name) => {
    expect(rows.get(name), `README row for --${name}`).toMatch(/FIFO_INIT_[A-Z_]+/);
  });
  it.each(behaviour)('--%s and its variable are in --help', (name) => {
    const variable = /FIFO_INIT_[A-Z_]+/.exec(rows.get(name) ?? '')?.[0];
    expect(USAGE).toMatch(new RegExp(`--${name}\\b`));
    expect(USAGE, `--help names ${variable}`).toContain(variable);
  });
  it.each(behaviour)('the variable named for --%s really acts', (name) => {
    const variable = /FIFO_INIT_[A-Z_]+/.exec(rows.get(name) ?? '')![0];
    const base = ['prog'];
    const withFifo: Record<string, string> = { FIFO_INIT_FIFO: '/p' };
    // A value each variable accepts; the parsed options must differ from the defaults.
    const sample: Record<string, string> = {
      FIFO_INIT_FIFO: '/q', FIFO_INIT_CREATE: '0640', FIFO_INIT_LOCK_TIMEOUT: '1s', FIFO_INIT_PIPE_SIZE: '64k', FIFO_INIT_EXEC: '1',
      FIFO_INIT_SUBREAPER: '1', FIFO_INIT_KILL_PROCESS_GROUP: '1', FIFO_INIT_PDEATH_SIGNAL: 'HUP', FIFO_INIT_EXPECT_EXIT: '3',
      FIFO_INIT_PRESERVE_FDS: '2', FIFO_INIT_REWRITE: 'TERM:USR1', FIFO_INIT_STOP_COMMAND: 'stop', FIFO_INIT_STOP_TIMEOUT: '3s',
      FIFO_INIT_STOP_SEQUENCE: 'command say bye\nwait 1s\ncommand stop', FIFO_INIT_STARTUP_COMMAND: 'say hi', FIFO_INIT_STARTUP_FILE: '/boot',
      FIFO_INIT_SIGNAL_COMMAND: 'USR1:save', FIFO_INIT_RELAY_STDIN: '0', FIFO_INIT_LEFTOVER_GRACE: '2s', FIFO_INIT_WARN_REAP: '1',
      FIFO_INIT_VERBOSITY: '3', FIFO_INIT_NOFILE_SOFT: '1024',
    };
    expect(sample[variable], `a sample value for ${variable}`).toBeDefined();
    const plain = parseCommandLine(base, withFifo) as InitOptions;
    const set = parseCommandLine(base, { ...withFifo, [variable]: sample[variable]! }) as InitOptions;
    expect(JSON.stringify(set, (_, v) => (v instanceof Map || v instanceof Set ? [...v] : v))).not.toBe(
      JSON.stringify(plain, (_, v) => (v instanceof Map || v instanceof Set ? [...v] : v)),
    );
  });
});
