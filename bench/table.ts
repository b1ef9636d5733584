/** Renders rows as a text table with aligned columns: text left, numbers right. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) =>
    rows.every((r) => /^[-+]?[\d.,]+\s*[%x×]?$|^n\/a$|^-$/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        return numeric[i] ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Fixed decimals; `n/a` for non-finite values. */
export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** Ratio like `12.3x`; `n/a` when the denominator is not positive. */
export function ratio(numerator: number, denominator: number, digits = 1): string {
  if (!(denominator > 0) || !Number.isFinite(numerator)) return 'n/a';
  return `${(numerator / denominator).toFixed(digits)}x`;
}
