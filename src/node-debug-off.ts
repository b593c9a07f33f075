/**
 * NODE_DEBUG belongs to PROGRAM, but Node reads it before any of our code
 * runs and then writes a line into the init's stderr for each built-in
 * module the bundle loads and each timer it arms ("MODULE 7: load built-in
 * module fs"). That output goes through process.stderr, which the init never
 * uses (log.ts writes fd 2 directly), so with NODE_DEBUG set process.stderr
 * becomes a sink. Merely creating the real stream would also be wrong: for a
 * pipe, libuv sets O_NONBLOCK on the file description PROGRAM shares as its stderr.
 * No imports: this must run before the bundle's first require (node-env.ts
 * imports it first, and main.ts imports node-env.ts first).
 * See: Node lib/internal/util/debuglog.js; README "Node's own environment".
 */
if (process.env.NODE_DEBUG) {
  const sink = { write: () => true, isTTY: false };
  Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get: () => sink });
}

export {};
