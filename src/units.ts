/**
 * Parsers for the values users type: durations, byte sizes, octal modes,
 * exit codes. Pure; each returns undefined for a bad value so the caller
 * can say which option was wrong.
 */

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest delay a timer honours: libuv and Node take 2^31-1 ms (about
 * 24.8 days); a longer setTimeout fires after 1 ms instead. Every duration
 * the init waits is at most this, and each wait is one timer of its own.
 * See: Node's timers docs (TimeoutOverflowWarning).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** How the maximum is named in usage errors. */
export const MAX_DURATION_TEXT = `${MAX_TIMER_MS}ms (about 596 hours)`;

/** `500ms`, `30s`, `2m`, `1.5h`; a bare number is seconds (as `docker stop -t`). Returns milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!);
  return Number.isFinite(ms) && ms <= MAX_TIMER_MS ? ms : undefined;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `65536`, `64k`, `1M` (binary units, as F_SETPIPE_SZ counts pages of 4 KiB). Returns bytes. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+)([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!;
  return bytes > 0 && bytes <= 2 ** 31 - 1 ? bytes : undefined;
}

/** An octal permission mode, `600` or `0660`; at most 0777 (no setuid/sticky on a FIFO). */
export function parseMode(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^0?[0-7]{3}$/.test(trimmed)) return undefined;
  return parseInt(trimmed, 8);
}

/** An exit code 0-255. */
export function parseExitCode(text: string): number | undefined {
  if (!/^\d{1,3}$/.test(text.trim())) return undefined;
  const code = Number(text);
  return code <= 255 ? code : undefined;
}

/** `0600` for 0o600. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
