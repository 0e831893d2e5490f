/** Percentiles, ratios and their formatting, shared by the benchmarks. Pure: no clock, no I/O. */

/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value with at least p % of the
 * values at or below it. NaN for no values, so that an empty sample never reads as 0 ms.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export type Latency = { samples: number; p50: number; p95: number };

/** p50 and p95 of latencies in any order. */
export function latency(values: readonly number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  return { samples: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

/** `after / before`; NaN unless both are positive finite numbers (a ratio to 0 ms or to nothing is no result). */
export function ratio(after: number, before: number): number {
  if (!(Number.isFinite(after) && Number.isFinite(before)) || after <= 0 || before <= 0) return Number.NaN;
  return after / before;
}

/** A ratio against an upper bound: met, missed, or no result (which is never met). */
export function withinTarget(value: number, max: number): boolean {
  return Number.isFinite(value) && value <= max;
}

/** `1.23×`; `—` when there is no result. */
export function formatRatio(value: number, digits = 2): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)}×` : "—";
}

/** `4.20 ms`; `—` when there is no result. */
export function formatMs(value: number, digits = 2): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)} ms` : "—";
}

/** A Markdown table; cells are written as given. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}
