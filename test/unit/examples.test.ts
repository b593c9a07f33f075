/**
 * The example manifests (examples/kubernetes/pod.yaml, examples/compose.yaml)
 * must agree with themselves and with fifo-init: the FIFO the service is
 * given is the one the sidecar writes, through the same volume; the command
 * lines parse with the real CLI parser; the orchestrator's grace period
 * outlasts fifo-init's stop escalation (stop command, wait, SIGTERM, wait).
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type InitOptions, parseCommandLine, type SendOptions } from '../../src/cli.js';
import { parseDuration } from '../../src/units.js';

const EXAMPLES = new URL('../../examples/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, EXAMPLES), 'utf8');

interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
}
interface Container {
  name: string;
  command?: string[];
  args?: string[];
  volumeMounts?: VolumeMount[];
}
interface Pod {
  kind: string;
  metadata: { name: string };
  spec: {
    terminationGracePeriodSeconds?: number;
    volumes?: { name: string; emptyDir?: unknown }[];
    containers: Container[];
  };
}
interface ComposeService {
  entrypoint?: string[];
  command?: string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  stop_grace_period?: unknown;
  init?: unknown;
}

/** An init command line (argv without the executable); throws what the real parser throws. */
function parseInit(args: string[]): InitOptions {
  const parsed = parseCommandLine(args, {});
  if (parsed.command !== 'init') throw new Error(`expected an init command line, got '${parsed.command}': ${args.join(' ')}`);
  return parsed;
}

function parseSend(args: string[]): SendOptions {
  const parsed = parseCommandLine(['send', ...args], {});
  if (parsed.command !== 'send') throw new Error(`expected a send command line, got '${parsed.command}': ${args.join(' ')}`);
  return parsed;
}

/** The words of `argv` that are fifo-init's options (PROGRAM and its arguments cut off). */
function optionWords(argv: string[], options: InitOptions): string[] {
  return argv.slice(0, argv.length - options.program.length);
}

/** The text given to `--stop-timeout` among fifo-init's own option words, converted with parseDuration. */
function stopTimeoutMs(argv: string[], options: InitOptions): number {
  const words = optionWords(argv, options);
  let text: string | undefined;
  words.forEach((word, i) => {
    if (word === '--stop-timeout') text = words[i + 1];
    else if (word.startsWith('--stop-timeout=')) text = word.slice('--stop-timeout='.length);
  });
  expect(text, '--stop-timeout must be given explicitly').toBeDefined();
  const ms = parseDuration(text!);
  expect(ms, `--stop-timeout ${text}`).toBeDefined();
  expect(ms).toBe(options.stopTimeoutMs);
  return ms!;
}

const GO_UNITS_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Compose duration (`65s`, `1m5s`, `1m30s`, `500ms`: Go's time.ParseDuration
 * format, which units.ts's parseDuration does not cover) in milliseconds.
 */
function composeDurationMs(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^(?:\d+(?:\.\d+)?(?:ns|us|ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)) ms += Number(value) * GO_UNITS_MS[unit!]!;
  return ms;
}

/** True when `path` is strictly inside directory `dir`. */
function isUnder(path: string, dir: string): boolean {
  const base = dir === '/' ? '/' : `${dir.replace(/\/+$/, '')}/`;
  return path.startsWith(base) && path.length > base.length;
}

/** The mount a path is seen through: the deepest mountPath that contains it. */
function mountHolding(container: Container, path: string): VolumeMount | undefined {
  return (container.volumeMounts ?? [])
    .filter((mount) => isUnder(path, mount.mountPath))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

function expectCleanAbsolute(path: string | undefined): asserts path is string {
  expect(path).toBeDefined();
  expect(posix.isAbsolute(path!), `${path} must be absolute`).toBe(true);
  expect(posix.normalize(path!), `${path} must be normalized`).toBe(path);
}

describe('composeDurationMs (the test helper for stop_grace_period)', () => {
  it('reads Go-style durations and rejects anything else', () => {
    expect(composeDurationMs('65s')).toBe(65_000);
    expect(composeDurationMs('1m5s')).toBe(65_000);
    expect(composeDurationMs('1m30s')).toBe(90_000);
    expect(composeDurationMs('500ms')).toBe(500);
    expect(composeDurationMs('1h')).toBe(3_600_000);
    expect(composeDurationMs('1.5s')).toBe(1500);
    for (const bad of ['', '65', 65, '1 m', 's', '5x', '1m5', undefined]) expect(composeDurationMs(bad), String(bad)).toBeUndefined();
  });
});

describe('examples/kubernetes/pod.yaml', () => {
  const text = read('kubernetes/pod.yaml');
  const pod = parse(text) as Pod;
  const container = (name: string): Container => {
    const found = pod.spec.containers.find((c) => c.name === name);
    if (!found) throw new Error(`no container named '${name}' in pod.yaml`);
    return found;
  };
  const service = container('service');
  const sidecar = container('sidecar');
  const serviceArgv = [...(service.command ?? []), ...(service.args ?? [])];
  const sidecarArgv = [...(sidecar.command ?? []), ...(sidecar.args ?? [])];

  /** The service container's fifo-init options. */
  const init = (): InitOptions => {
    expect(serviceArgv[0], 'the service container runs fifo-init as its entrypoint').toMatch(/(^|\/)fifo-init$/);
    return parseInit(serviceArgv.slice(1));
  };

  /** The words of the sidecar's `fifo-init send ...`, and where they start in its argv. */
  const sendWords = (): { at: number; args: string[] } => {
    const starts = sidecarArgv.flatMap((word, i) => (/(^|\/)fifo-init$/.test(word) && sidecarArgv[i + 1] === 'send' ? [i] : []));
    expect(starts, 'exactly one `fifo-init send` in the sidecar').toHaveLength(1);
    return { at: starts[0]!, args: sidecarArgv.slice(starts[0]! + 2) };
  };

  it('is one Pod with a service and a sidecar container', () => {
    expect(pod.kind).toBe('Pod');
    expect(pod.spec.containers.map((c) => c.name).sort()).toEqual(['service', 'sidecar']);
  });

  it("the service's command line parses with the real CLI parser, with a FIFO and a PROGRAM", () => {
    const options = init();
    expectCleanAbsolute(options.fifo);
    expect(options.program.length).toBeGreaterThan(0);
    expect(options.exec, '--exec leaves nothing to write the stop command').toBe(false);
  });

  it('the service creates the FIFO (--create): no host can mkfifo inside an emptyDir', () => {
    const options = init();
    expect(options.createMode, '--create').toBeDefined();
    // The sidecar writes as another uid: it needs the group bits, which it
    // gets through the pod's fsGroup (the emptyDir's setgid group).
    const uid = (c: Container) => (c as { securityContext?: { runAsUser?: number } }).securityContext?.runAsUser;
    if (uid(sidecar) !== uid(service)) {
      expect(options.createMode! & 0o060, 'group read/write in the --create mode').toBe(0o060);
      expect((pod.spec as { securityContext?: { fsGroup?: number } }).securityContext?.fsGroup, 'fsGroup').toBeDefined();
    }
  });

  it('the service turns SIGTERM into a console command (--stop-command)', () => {
    expect(init().stopCommands.length).toBeGreaterThan(0);
  });

  it('terminationGracePeriodSeconds outlasts 2 x --stop-timeout', () => {
    const options = init();
    const timeoutMs = stopTimeoutMs(serviceArgv.slice(1), options);
    const grace = pod.spec.terminationGracePeriodSeconds;
    expect(Number.isInteger(grace), 'terminationGracePeriodSeconds is set').toBe(true);
    expect(2 * timeoutMs).toBeLessThan(grace! * 1000);
  });

  it("the sidecar's send parses with the real CLI parser and writes the service's FIFO", () => {
    const send = parseSend(sendWords().args);
    expect(send.fifo).toBe(init().fifo);
    // Without TEXT, send reads lines from stdin, which a sidecar does not have.
    expect(send.lines?.length ?? 0, 'send is given the text to write').toBeGreaterThan(0);
  });

  it("the sidecar's send words are what its shell loop runs (\"$@\" of sh -c)", () => {
    // fifo-init -- /bin/sh -c SCRIPT $0 fifo-init send ...: "$@" is exactly the send command.
    const c = sidecarArgv.indexOf('-c');
    expect(c, 'the sidecar runs sh -c').toBeGreaterThan(0);
    expect(sidecarArgv[c + 1]).toContain('"$@"');
    expect(sendWords().at, 'the send words start at $1').toBe(c + 3);
    // Its own init (a plain one) parses too.
    expect(sidecarArgv[0]).toMatch(/(^|\/)fifo-init$/);
    expect(parseInit(sidecarArgv.slice(1)).program[0]).toBe(sidecarArgv[c - 1]);
  });

  it('both containers see the FIFO through the same emptyDir volume', () => {
    const fifo = init().fifo!;
    const sendFifo = parseSend(sendWords().args).fifo;
    const serviceMount = mountHolding(service, fifo);
    const sidecarMount = mountHolding(sidecar, sendFifo);
    expect(serviceMount, `a volume mounted above ${fifo} in the service`).toBeDefined();
    expect(sidecarMount, `a volume mounted above ${sendFifo} in the sidecar`).toBeDefined();
    expect(sidecarMount!.name, 'the same volume in both containers').toBe(serviceMount!.name);
    expect(sidecarMount!.subPath).toBe(serviceMount!.subPath);
    expect(posix.relative(sidecarMount!.mountPath, sendFifo), 'the same place in the volume').toBe(
      posix.relative(serviceMount!.mountPath, fifo),
    );
    const volume = (pod.spec.volumes ?? []).find((v) => v.name === serviceMount!.name);
    expect(volume, `volume '${serviceMount!.name}' is declared`).toBeDefined();
    expect(volume!.emptyDir, `volume '${volume!.name}' is an emptyDir`).toBeDefined();
  });

  it('the kubectl exec commands in README.md and pod.yaml name this pod, container and FIFO', () => {
    const texts = [read('kubernetes/README.md'), text];
    for (const doc of texts) {
      const commands = [...doc.matchAll(/kubectl exec (\S+) -c (\S+) -- (\S+) send --fifo (\S+)/g)];
      expect(commands.length).toBeGreaterThan(0);
      for (const [, podName, containerName, executable, fifo] of commands) {
        expect(podName).toBe(pod.metadata.name);
        expect(containerName).toBe(service.name);
        expect(executable).toBe(serviceArgv[0]);
        expect(fifo).toBe(init().fifo);
      }
    }
  });
});

describe('examples/compose.yaml', () => {
  const text = read('compose.yaml');
  const compose = parse(text) as { services: Record<string, ComposeService> };
  const users = Object.entries(compose.services).filter(([, s]) => /(^|\/)fifo-init$/.test(s.entrypoint?.[0] ?? ''));
  const [name, service] = users[0] ?? ['', {} as ComposeService];
  const argv = [...(service.entrypoint ?? []), ...(service.command ?? [])];
  const init = (): InitOptions => parseInit(argv.slice(1));

  /** [source, target] of each bind mount (short `SRC:DST[:MODE]` or long syntax). */
  const binds = (): [string, string][] =>
    (service.volumes ?? []).flatMap((v): [string, string][] => {
      if (typeof v === 'string') {
        const [source, target] = v.split(':');
        return source && target && /^[./~]/.test(source) ? [[source, target]] : [];
      }
      return v.type === 'bind' && v.source && v.target ? [[v.source, v.target]] : [];
    });

  it('has one service with fifo-init as its entrypoint, not under Docker\'s own init', () => {
    expect(users).toHaveLength(1);
    // `init: true` would make docker-init PID 1 and fifo-init its child.
    expect(service.init === true).toBe(false);
  });

  it('its command line parses with the real CLI parser, with a FIFO, a PROGRAM and --stop-command', () => {
    const options = init();
    expectCleanAbsolute(options.fifo);
    expect(options.program.length).toBeGreaterThan(0);
    expect(options.stopCommands.length).toBeGreaterThan(0);
  });

  it("the host's FIFO is bind-mounted exactly at the --fifo path", () => {
    const fifo = init().fifo;
    const matching = binds().filter(([, target]) => target === fifo);
    expect(matching, `a bind mount with target ${fifo}`).toHaveLength(1);
  });

  it('stop_grace_period outlasts 2 x --stop-timeout', () => {
    const options = init();
    const timeoutMs = stopTimeoutMs(argv.slice(1), options);
    const grace = composeDurationMs(service.stop_grace_period);
    expect(grace, `stop_grace_period ${String(service.stop_grace_period)}`).toBeDefined();
    expect(2 * timeoutMs).toBeLessThan(grace!);
  });

  it('the comments mkfifo and send to the bind mount source, and exec into this service', () => {
    const fifo = init().fifo;
    const [source] = binds().find(([, target]) => target === fifo) ?? [];
    expect(source).toBeDefined();
    expect(text).toContain(`mkfifo -m 0600 ${source}\n`);
    const sends = [...text.matchAll(/# +fifo-init send --fifo (\S+)/g)].map((m) => m[1]);
    expect(sends.length).toBeGreaterThan(0);
    for (const path of sends) expect(path).toBe(source);
    const execs = [...text.matchAll(/docker compose exec (\S+) (\S+) send --fifo (\S+)/g)];
    for (const [, serviceName, executable, path] of execs) {
      expect(serviceName).toBe(name);
      expect(executable).toBe(argv[0]);
      expect(path).toBe(fifo);
    }
  });
});
