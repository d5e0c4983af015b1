// The four live charts (uPlot, served from node_modules by the gateway): each
// draws columns of /admin/history and says in words what it shows now.
import uPlot from './vendor/uPlot.esm.js';

const HEIGHT = 170;

const CHARTS = [
  { id: 'requests', title: 'Requests per second', series: [{ key: 'requestsPerSecond', label: 'req/s', stroke: '#1f77b4', fill: 'rgba(31,119,180,0.12)' }], caption: (h) => `now ${fmt(last(h.requestsPerSecond))}/s, peak ${fmt(max(h.requestsPerSecond))}/s` },
  {
    id: 'latency',
    title: 'Latency (ms)',
    // A second without requests has no latency (a gap, not a 0); dots keep a lone second visible.
    series: [
      { key: 'p50Ms', label: 'p50', stroke: '#2ca02c', dots: true },
      { key: 'p99Ms', label: 'p99', stroke: '#d62728', dots: true },
    ],
    caption: (h) => (lastValue(h.p50Ms) === null ? 'no requests yet' : `last p50 ${fmt(lastValue(h.p50Ms))} ms, p99 ${fmt(lastValue(h.p99Ms))} ms`),
  },
  {
    id: 'wakes',
    title: 'Wakes',
    series: [
      { key: 'wakesReady', label: 'ready', stroke: '#9467bd' },
      { key: 'wakesFailed', label: 'failed', stroke: '#ff7f0e' },
    ],
    caption: (h) => `${sum(h.wakesReady)} ready, ${sum(h.wakesFailed)} failed in 5 min`,
  },
  {
    id: 'errors',
    title: '4xx / 5xx per second',
    series: [
      { key: 'status4xx', label: '4xx', stroke: '#bcbd22' },
      { key: 'status5xx', label: '5xx', stroke: '#d62728' },
    ],
    caption: (h) => `${sum(h.status4xx)} 4xx, ${sum(h.status5xx)} 5xx in 5 min`,
  },
];

const last = (values) => values[values.length - 1] ?? 0;
const lastValue = (values) => [...values].reverse().find((v) => v !== null) ?? null;
const max = (values) => values.reduce((m, v) => (v !== null && v > m ? v : m), 0);
const sum = (values) => values.reduce((s, v) => s + (v ?? 0), 0);
const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

function figureFor(chart) {
  const figure = document.createElement('figure');
  figure.id = `chart-${chart.id}`;
  const caption = document.createElement('figcaption');
  const title = document.createElement('strong');
  title.textContent = chart.title;
  const now = document.createElement('span');
  now.className = 'now';
  caption.append(title, ' ', now);
  const plot = document.createElement('div');
  plot.className = 'plot';
  figure.append(caption, plot);
  return { figure, now, plot };
}

export function createCharts(container) {
  const built = CHARTS.map((chart) => {
    const { figure, now, plot } = figureFor(chart);
    container.append(figure);
    const options = {
      width: Math.max(200, plot.clientWidth),
      height: HEIGHT,
      scales: { x: { time: true }, y: { range: (_u, _min, hi) => [0, Math.max(1, hi * 1.1)] } },
      series: [{}, ...chart.series.map((s) => ({ label: s.label, stroke: s.stroke, fill: s.fill, width: 1.5, spanGaps: false, points: { show: s.dots === true, size: 4, fill: s.stroke } }))],
      axes: [{}, { size: 44 }],
      legend: { live: true },
    };
    const plotted = new uPlot(options, [[], ...chart.series.map(() => [])], plot);
    new ResizeObserver(() => plotted.setSize({ width: Math.max(200, plot.clientWidth), height: HEIGHT })).observe(plot);
    return { chart, now, plotted };
  });
  return {
    update(history) {
      for (const { chart, now, plotted } of built) {
        plotted.setData([history.t, ...chart.series.map((s) => history[s.key])]);
        now.textContent = chart.caption(history);
      }
    },
  };
}
