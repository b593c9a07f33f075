/**
 * Variables Node reads for itself at start-up belong to PROGRAM (SPEC "What
 * must hold everywhere", issue 10.9): none may change what the init does or
 * writes, and PROGRAM still receives each one unchanged. One test per
 * variable that changed the init before the fix (README "Node's own
 * environment" lists every variable checked, harmless ones included).
 */
import { closeSync, existsSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInit, tempDir } from './harness.js';
import { executable } from './implementations.js';

/** PROGRAM prints the variable as it received it (or <unset>) and exits 3. */
const reportVariable = (name: string) => ['--', 'sh', '-c', `printf '%s\\n' "\${${name}-<unset>}"; exit 3`];

describe("fifo-init: Node's own environment variables are PROGRAM's", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  it('NODE_V8_COVERAGE=dir: the init writes no coverage file there; PROGRAM sees the variable', async () => {
    const coverage = join(dir, 'coverage');
    const result = await runInit(executable, reportVariable('NODE_V8_COVERAGE'), { env: { NODE_V8_COVERAGE: coverage } });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toBe(`${coverage}\n`);
    expect(existsSync(coverage) ? readdirSync(coverage) : []).toEqual([]);
  });

  it('NODE_COMPILE_CACHE=dir: nothing is written into it (Node makes only its empty version directory, README); PROGRAM sees the variable', async () => {
    const cache = join(dir, 'compile-cache');
    const result = await runInit(executable, reportVariable('NODE_COMPILE_CACHE'), { env: { NODE_COMPILE_CACHE: cache } });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toBe(`${cache}\n`);
    const files = existsSync(cache) ? readdirSync(cache, { recursive: true, withFileTypes: true }).filter((entry) => !entry.isDirectory()) : [];
    expect(files.map((entry) => join(entry.parentPath, entry.name))).toEqual([]);
  });

  it('OPENSSL_CONF naming a broken file: the init works normally; PROGRAM sees the variable', async () => {
    const broken = join(dir, 'openssl.cnf');
    writeFileSync(broken, 'this is [[[ not a configuration\n');
    const result = await runInit(executable, reportVariable('OPENSSL_CONF'), { env: { OPENSSL_CONF: broken } });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${broken}\n`);
  });

  it('NODE_USE_ENV_PROXY=1 with a bad HTTP_PROXY: the init works normally; PROGRAM sees both', async () => {
    const result = await runInit(executable, ['--', 'sh', '-c', 'printf "%s %s\\n" "$NODE_USE_ENV_PROXY" "$HTTP_PROXY"; exit 3'], {
      env: { NODE_USE_ENV_PROXY: '1', HTTP_PROXY: 'not a url' },
    });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('1 not a url\n');
  });

  it('NODE_DEBUG=module,timer: nothing of Node\'s debug output in the init\'s stderr; PROGRAM sees the variable', async () => {
    const result = await runInit(executable, ['--', 'sh', '-c', 'sleep 0.2; printf "%s\\n" "$NODE_DEBUG"; exit 3'], {
      env: { NODE_DEBUG: 'module,timer,fs,child_process,net' },
    });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('module,timer,fs,child_process,net\n');
  });

  it('NODE_CHANNEL_FD naming a descriptor that is no socket: the init does not abort; PROGRAM\'s exit code stands', async () => {
    const devNull = openSync('/dev/null', 'r');
    try {
      const result = await runInit(executable, reportVariable('NODE_CHANNEL_FD'), { env: { NODE_CHANNEL_FD: '3' }, extraFds: { 3: devNull } });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stdout).toBe('3\n');
    } finally {
      closeSync(devNull);
    }
  });

  it('NODE_CHANNEL_FD naming a socket (a Node parent\'s IPC channel): the init does not read it; a message sent on it reaches PROGRAM', async () => {
    // A socket pair made in the namespace (a socket of this test process would be read by this process):
    // one end is fd 3 of the init, the other gets one message and is closed.
    const withChannel = [
      'perl',
      '-MSocket',
      '-MPOSIX=dup2',
      '-e',
      'socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die "socketpair: $!"; ' +
        'syswrite($a, qq({"cmd":"hello"}\n)) or die "write: $!"; close $a; ' +
        'dup2(fileno($b), 3) or die "dup2: $!"; exec { $ARGV[0] } @ARGV or die "exec: $!"',
    ];
    const result = await runInit(
      executable,
      // PROGRAM reads only after the init's event loop has run for a while.
      ['--preserve-fds', '1', '--', 'sh', '-c', 'sleep 0.5; head -n 1 <&3; printf "%s\\n" "$NODE_CHANNEL_FD"'],
      { env: { NODE_CHANNEL_FD: '3' }, prefix: withChannel, timeoutMs: 10_000 },
    );
    expect(result.timedOut, 'PROGRAM never got the message').toBe(false);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"cmd":"hello"}\n3\n');
  });
});
