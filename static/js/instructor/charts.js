// Chart.js set-up shared by the scenario page and the debrief: the outcome space (every
// package, the Pareto frontier, both BATNAs, compromise and Nash points) and projector-sized
// defaults. Chart.js is the vendored UMD build (global `Chart`).

/* global Chart */

export const INK = "#1b2433";
export const MUTED = "#5b6576";
export const GRID = "rgba(27, 36, 51, 0.10)";

/** An axis title in the charts' one style. */
export const axisTitle = (text) => ({ display: true, text, font: { size: 16, weight: "bold" } });

/** Legend filter: datasets marked `_legend: false` stay out of the legend. */
export const inLegend = (item, data) => data.datasets[item.datasetIndex]._legend !== false;

export function setDefaults() {
  Chart.defaults.font.family =
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  Chart.defaults.font.size = 15;
  Chart.defaults.color = INK;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.usePointStyle = true;
  Chart.defaults.plugins.legend.labels.padding = 16;
  Chart.defaults.plugins.tooltip.titleFont = { size: 15, weight: "bold" };
  Chart.defaults.plugins.tooltip.bodyFont = { size: 15 };
  Chart.defaults.plugins.tooltip.padding = 10;
}

// [lo, hi] with a little room, out to the next round number, so the end ticks read well.
export function niceRange(lo, hi) {
  const d = (hi - lo) * 0.03 || 1;
  const raw = (hi - lo + 2 * d) / 8;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  return [Math.floor((lo - d) / step) * step, Math.ceil((hi + d) / step) * step];
}

// Min and max of both axes with a little room, from the cloud, frontier and BATNAs.
export function bounds(space, extra = []) {
  const xs = [];
  const ys = [];
  for (const p of space.cloud.concat(space.pareto, extra)) {
    xs.push(p[0]);
    ys.push(p[1]);
  }
  xs.push(space.batnas[0]);
  ys.push(space.batnas[1]);
  const [x0, x1] = niceRange(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = niceRange(Math.min(...ys), Math.max(...ys));
  return { x0, x1, y0, y1 };
}

const xy = (p) => ({ x: p[0], y: p[1] });

// legend order: what happened first (agreements, a path), then the map it is drawn on
const RANKS = { agreement: 1, offers: 5, agreed: 6, path: 7, frontier: 10, batna: 11, compromise: 13, nash: 14, cloud: 20 };
const rank = (ds) => RANKS[ds._kind] ?? 15;

// The datasets of the outcome space (drawn behind everything else: high `order`).
export function spaceDatasets(space, roles, b) {
  const sets = [
    {
      label: "Possible packages",
      data: space.cloud.map(xy),
      pointRadius: 2.5,
      pointHoverRadius: 3,
      backgroundColor: "rgba(91, 101, 118, 0.28)",
      borderColor: "rgba(91, 101, 118, 0)",
      order: 50,
      _kind: "cloud",
    },
    {
      label: "Pareto frontier",
      type: "line",
      data: space.pareto.map(xy),
      borderColor: INK,
      backgroundColor: INK,
      borderWidth: 2.5,
      pointRadius: 3,
      pointStyle: "circle",
      tension: 0,
      fill: false,
      order: 40,
      _kind: "frontier",
    },
    {
      label: `${roles[0].name}'s BATNA`,
      type: "line",
      data: [
        { x: space.batnas[0], y: b.y0 },
        { x: space.batnas[0], y: b.y1 },
      ],
      borderColor: "#7A2E8E",
      backgroundColor: "#7A2E8E",
      borderDash: [8, 6],
      borderWidth: 2,
      pointRadius: 0,
      pointStyle: "line",
      order: 45,
      _kind: "batna",
    },
    {
      label: `${roles[1].name}'s BATNA`,
      type: "line",
      data: [
        { x: b.x0, y: space.batnas[1] },
        { x: b.x1, y: space.batnas[1] },
      ],
      borderColor: "#2E6F8E",
      backgroundColor: "#2E6F8E",
      borderDash: [3, 5],
      borderWidth: 2,
      pointRadius: 0,
      pointStyle: "line",
      order: 45,
      _kind: "batna",
    },
  ];
  if (space.compromise) {
    sets.push({
      label: "Compromise (middle options)",
      data: [xy(space.compromise)],
      pointStyle: "star",
      pointRadius: 13,
      pointHoverRadius: 15,
      borderWidth: 2.5,
      borderColor: "#8A6D00",
      backgroundColor: "rgba(214, 170, 0, 0.35)",
      order: 5,
      _kind: "compromise",
    });
  }
  if (space.nash) {
    sets.push({
      label: "Nash bargaining solution",
      data: [xy(space.nash)],
      pointStyle: "crossRot",
      pointRadius: 11,
      pointHoverRadius: 13,
      borderWidth: 3,
      borderColor: "#B3261E",
      backgroundColor: "#B3261E",
      order: 5,
      _kind: "nash",
    });
  }
  return sets;
}

export function spaceOptions(roles, b, extra = {}) {
  return {
    responsive: true,
    parsing: false,
    normalized: true,
    interaction: { mode: "nearest", intersect: true },
    scales: {
      x: {
        type: "linear",
        min: b.x0,
        max: b.x1,
        title: axisTitle(`${roles[0].name}'s points`),
        grid: { color: GRID },
      },
      y: {
        type: "linear",
        min: b.y0,
        max: b.y1,
        title: axisTitle(`${roles[1].name}'s points`),
        grid: { color: GRID },
      },
    },
    plugins: {
      legend: {
        position: "bottom",
        labels: {
          filter: inLegend,
          sort: (a, b, data) => rank(data.datasets[a.datasetIndex]) - rank(data.datasets[b.datasetIndex]),
        },
      },
      tooltip: {
        callbacks: {
          label: (ctx) => {
            const ds = ctx.dataset;
            const p = ctx.raw;
            const fmt = new Intl.NumberFormat();
            const where = `${roles[0].name} ${fmt.format(p.x)}, ${roles[1].name} ${fmt.format(p.y)}`;
            if (ds._kind === "batna") return ds.label;
            return (p.label ? p.label + ": " : ds.label + ": ") + where;
          },
        },
      },
    },
    ...extra,
  };
}
