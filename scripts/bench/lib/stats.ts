// Small statistics and table helpers shared by the benchmark scripts.

/** Nearest-rank percentile (q in 0..1) of an unsorted list; NaN when empty. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Median (lower middle for even counts, as the peers' scripts do); NaN when empty. */
export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return NaN;
  const s = Float64Array.from(v).sort();
  return s[Math.floor((s.length - 1) / 2)]!;
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A Markdown table; cells are right-aligned except the first `left` columns. */
export function markdownTable(head: string[], rows: string[][], left = 1): string {
  const align = head.map((_, i) => (i < left ? '---' : '---:'));
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
