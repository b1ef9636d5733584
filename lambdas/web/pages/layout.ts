import { html, type SafeHtml } from './html.ts';

export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  /** Show the navigation bar (signed-in pages). @default true */
  readonly nav?: boolean;
  /** Which nav entry is current. */
  readonly current?: 'now' | 'prices' | 'history' | 'controls';
  /** Reload the page every this many seconds (the Now page). */
  readonly refreshS?: number;
  /** Load uPlot and the chart script (chart pages only, to keep the Now page light). */
  readonly charts?: boolean;
}

const NAV = [
  ['now', '/', 'Now'],
  ['prices', '/prices', 'Prices'],
  ['history', '/history', 'History'],
  ['controls', '/controls', 'Controls'],
] as const;

/** The HTML shell: mobile viewport, own stylesheet, no inline script or style. */
export function page(options: PageOptions): string {
  const nav =
    options.nav === false
      ? ''
      : html`<nav>${NAV.map(
          ([id, href, label]) =>
            html`<a href="${href}"${id === options.current ? html` aria-current="page"` : ''}>${label}</a>`,
        )}</nav>`;
  const refresh = options.refreshS ? html`<meta http-equiv="refresh" content="${options.refreshS}">` : '';
  const charts = options.charts
    ? html`<link rel="stylesheet" href="/static/uplot.css"><script src="/static/uplot.js" defer></script><script src="/static/charts.js" defer></script>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${refresh}<title>${options.title} · stopwatt</title>
<link rel="stylesheet" href="/static/app.css">${charts}
</head><body>${nav}<main>${options.body}</main></body></html>`.value;
}
