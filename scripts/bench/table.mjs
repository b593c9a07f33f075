/** How figures are written in docs/BENCHMARKS.md: numbers, ratios, Markdown tables. */

export function fmt(value, digits = 1) {
  if (value === undefined || value === null || Number.isNaN(value)) return 'n/a';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(digits);
}

/** " (1.23×)": `value` against `reference`; "" when either is missing. */
export function ratio(value, reference) {
  if (typeof value !== 'number' || typeof reference !== 'number' || Number.isNaN(value) || Number.isNaN(reference)) return '';
  if (reference === 0) return value === 0 ? ' (=)' : '';
  const r = value / reference;
  return ` (${r >= 100 ? Math.round(r) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×)`;
}

/** A figure with its ratio to tini's; a text (e.g. "failed") as it is. */
export const withTini = (value, tiniValue, digits) => (typeof value === 'number' ? `${fmt(value, digits)}${typeof tiniValue === 'number' ? ratio(value, tiniValue) : ''}` : (value ?? 'n/a'));

/** KiB as MiB, with two decimals below 10 MiB so that a small init does not read 0.0. */
export const mibOf = (kibValue) => fmt(kibValue / 1024, kibValue < 10 * 1024 ? 2 : 1);

const cell = (text) => String(text).replace(/\|/g, '\\|');
export const table = (header, rows) =>
  [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');

/** "Failed: …" when a measurement failed or did not run, else the lines `render` makes of its result. */
export const failedOr = (result, render) => (!result || result.error ? [`Failed: ${result?.error ?? 'not run'}`, ''] : render(result));

