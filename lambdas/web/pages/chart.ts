import { html, jsonData, type SafeHtml } from './html.ts';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** Series on the same scale share an axis; the first two scales get one each. */
  readonly scale: string;
  readonly color: string;
  readonly step?: boolean;
  readonly points?: boolean;
  readonly dash?: readonly number[];
}

export interface ChartSpec {
  readonly x: readonly Date[];
  readonly series: readonly ChartSeries[];
  readonly units: Readonly<Record<string, string>>;
  readonly timezone: string;
}

/** A chart container plus its data block; `charts.js` draws it. Without JavaScript: `fallback`. */
export function chart(id: string, spec: ChartSpec, fallback: SafeHtml | string): SafeHtml {
  const data = { ...spec, target: id, x: spec.x.map((d) => Math.round(d.getTime() / 1000)) };
  return html`<div class="chart" id="${id}">${fallback}</div>${jsonData(`${id}-data`, data, 'chart-data')}`;
}
