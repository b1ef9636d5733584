const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** Resamples `values` to `width` points (taking the last value of each bucket). */
export function resample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const index = Math.min(values.length - 1, Math.floor(((i + 1) * values.length) / width) - 1);
    out.push(values[Math.max(0, index)] ?? 0);
  }
  return out;
}

/**
 * A column chart `height` rows tall using eighth blocks, with the max on the first row's label.
 * Returns lines (top first). Negative values are drawn as zero.
 */
export function columnChart(
  values: readonly number[],
  options: { height?: number; width?: number; label: string; unit: string },
): string[] {
  const height = options.height ?? 6;
  const series = resample(values, options.width ?? 60);
  const max = Math.max(0, ...series);
  const lines: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    let line = '';
    for (const value of series) {
      const level = max > 0 ? (Math.max(0, value) / max) * height * 8 : 0;
      const fill = Math.max(0, Math.min(8, Math.round(level - row * 8)));
      line += BLOCKS[fill] ?? ' ';
    }
    const axis =
      row === height - 1 ? `${max.toFixed(2)} ${options.unit}` : row === 0 ? `0 ${options.unit}` : '';
    lines.push(`${axis.padStart(12)} │${line}`);
  }
  lines.unshift(`${options.label}`);
  return lines;
}
