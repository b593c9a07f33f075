/**
 * Node's own start-up acts on variables that belong to PROGRAM (SPEC "What
 * must hold everywhere"). The SEA's execArgv stops what a flag can stop
 * (build/build.mjs); this module, imported first by main.ts, undoes what
 * Node set up from the environment before the bundle ran, so the init does
 * and writes the same whatever PROGRAM's environment holds. PROGRAM still
 * gets every variable unchanged: its environment is the bytes of
 * /proc/self/environ (main.ts), not what Node left in process.env.
 * See: README "Node's own environment".
 */
import './node-debug-off.js';
import { closeSync, readFileSync } from 'node:fs';
import * as libc from './sys/libc.js';

/** NODE_CHANNEL_FD as we were started with it (Node deletes it from process.env), or undefined. */
function startingChannelFd(): number | undefined {
  try {
    const entry = readFileSync('/proc/self/environ', 'latin1')
      .split('\0')
      .find((line) => line.startsWith('NODE_CHANNEL_FD='));
    const value = entry?.slice('NODE_CHANNEL_FD='.length);
    return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * With NODE_CHANNEL_FD naming a socket, Node made that descriptor its IPC
 * channel (as for a child_process.fork() child) and would read PROGRAM's
 * messages from it, or abort on the first read when it is not a socket.
 * Close Node's channel but keep the descriptor: it is the caller's, for
 * PROGRAM (--preserve-fds). The event loop has not run yet, so nothing has
 * been read from it.
 * See: Node lib/internal/process/pre_execution.js setupChildProcessIpcChannel.
 */
function detachIpcChannel(): void {
  if (!('channel' in process) || !process.channel || !process.disconnect) return;
  const fd = startingChannelFd();
  const copy = fd === undefined ? undefined : libc.duplicate(fd);
  process.disconnect();
  if (fd === undefined || copy === undefined) return;
  libc.dup2(copy, fd);
  libc.setCloseOnExec(fd, true);
  closeSync(copy);
}

/** Variables that make Node write files from its native at-exit hooks (V8 coverage JSON, the compile cache). */
const WRITES_AT_EXIT = ['NODE_V8_COVERAGE', 'NODE_COMPILE_CACHE'];

/**
 * Node's exit path runs at-exit hooks that write NODE_V8_COVERAGE's coverage
 * JSON (and would persist a compile cache) wherever PROGRAM's variable
 * points. When one is set, the init ends with _exit(2) instead; first it
 * does what those hooks would that matters here: put back O_NONBLOCK on fds
 * 0-2 as it was at start (Node's ResetStdio). Every write of the init is
 * synchronous, so nothing is left to flush.
 * See: Node src/inspector_profiler.cc (EndStartedProfilers at exit), src/node.cc ResetStdio.
 */
function skipNodeExitHooks(): void {
  if (!WRITES_AT_EXIT.some((name) => process.env[name])) return;
  const startingNonBlocking = [0, 1, 2].map((fd) => libc.isNonBlocking(fd));
  (process as unknown as { reallyExit: (code?: number) => void }).reallyExit = (code) => {
    startingNonBlocking.forEach((was, fd) => {
      if (was === undefined || libc.isNonBlocking(fd) === was) return;
      try {
        libc.setNonBlocking(fd, was);
      } catch {
        // Closed meanwhile: nothing to put back.
      }
    });
    libc.exitNow(code ?? 0);
  };
}

// Best effort: a failure here leaves Node's own behaviour, it must not stop the init.
for (const step of [detachIpcChannel, skipNodeExitHooks]) {
  try {
    step();
  } catch {
    // as before this module
  }
}
