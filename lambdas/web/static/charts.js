// Draws each chart described by a <script type="application/json" class="chart-data"> block
// (data, not code: the page itself has no inline script). Shape: { target, x: [unix s],
// series: [{ label, values, scale, color, step?, points? }] }.
(() => {
  const width = (el) => Math.max(280, el.clientWidth);
  const seriesOf = (s) => ({
    label: s.label,
    scale: s.scale,
    stroke: s.color,
    width: s.points ? 0 : 2,
    paths: s.step ? uPlot.paths.stepped({ align: 1 }) : s.points ? () => null : undefined,
    points: s.points ? { show: true, size: 9, fill: s.color } : { show: false },
    dash: s.dash,
    spanGaps: false,
  });
  const axisOf = (scale, side, label) => ({ scale, side, label, size: 44, grid: { show: side === 3 } });
  for (const block of document.querySelectorAll('script.chart-data')) {
    const spec = JSON.parse(block.textContent);
    const el = document.getElementById(spec.target);
    if (!el || typeof uPlot === 'undefined') continue;
    el.textContent = '';
    const scales = [...new Set(spec.series.map((s) => s.scale))];
    const opts = {
      width: width(el),
      height: 240,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), spec.timezone),
      series: [{}, ...spec.series.map(seriesOf)],
      axes: [{}, ...scales.slice(0, 2).map((sc, i) => axisOf(sc, i === 0 ? 3 : 1, spec.units[sc] || ''))],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    };
    const plot = new uPlot(opts, [spec.x, ...spec.series.map((s) => s.values)], el);
    window.addEventListener('resize', () => plot.setSize({ width: width(el), height: 240 }));
  }
})();
