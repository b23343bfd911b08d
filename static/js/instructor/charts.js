// Chart.js set-up shared by the scenario page and the debrief: the outcome space (every
// package, the Pareto frontier, both BATNAs, compromise and Nash points) and projector-sized
// defaults. Chart.js is the vendored UMD build (global `Chart`).

/* global Chart */

import { chartDefaults, inLegend, legendLabels, outcomeSpace, SYMBOLS } from "../shared/charts.js";

export const INK = "#1b2433";
export const MUTED = "#5b6576";
export const GRID = "rgba(27, 36, 51, 0.10)";

/** An axis title in the charts' one style. */
export const axisTitle = (text) => ({ display: true, text, font: { size: 16, weight: "bold" } });

export function setDefaults() {
  chartDefaults(Chart, {
    family: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    size: 15, // the projector
    color: INK,
  });
  Chart.defaults.plugins.legend.labels.usePointStyle = true;
  Chart.defaults.plugins.legend.labels.padding = 16;
  Chart.defaults.plugins.tooltip.titleFont = { size: 15, weight: "bold" };
  Chart.defaults.plugins.tooltip.bodyFont = { size: 15 };
  Chart.defaults.plugins.tooltip.padding = 10;
}

// The outcome space's points and axis ranges (static/js/shared/charts.js); the server's
// analysis calls the frontier `pareto`.
const pointsOf = (space) => outcomeSpace({ ...space, frontier: space.pareto }, 0, { pad: 0.02 });

/** The axis ranges {x0, x1, y0, y1} of the outcome space (cloud, frontier and BATNAs). */
export function bounds(space) {
  return pointsOf(space).bounds;
}

// legend order: what happened first (agreements, a path), then the map it is drawn on
const RANKS = { agreement: 1, offers: 5, agreed: 6, path: 7, frontier: 10, batna: 11, compromise: 13, nash: 14, cloud: 20 };
const rank = (ds) => RANKS[ds._kind] ?? 15;

// The datasets of the outcome space (drawn behind everything else: high `order`).
export function spaceDatasets(space, roles) {
  const s = pointsOf(space);
  const sets = [
    {
      label: "Possible packages",
      data: s.cloud,
      pointStyle: SYMBOLS.cloud.pointStyle,
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
      data: s.frontier,
      borderColor: INK,
      backgroundColor: INK,
      borderWidth: 2.5,
      pointRadius: 3,
      pointStyle: SYMBOLS.cloud.pointStyle,
      tension: 0,
      fill: false,
      order: 40,
      _kind: "frontier",
    },
    {
      label: `${roles[0].name}'s BATNA`,
      type: "line",
      data: s.batnaLines.x,
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
      data: s.batnaLines.y,
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
  if (s.compromise) {
    sets.push({
      label: "Compromise (middle options)",
      data: [s.compromise],
      pointStyle: SYMBOLS.compromise.pointStyle,
      pointRadius: 12,
      pointHoverRadius: 14,
      borderWidth: 3.5,
      borderColor: "#8A6D00",
      backgroundColor: "#8A6D00",
      order: 5,
      _kind: "compromise",
    });
  }
  if (s.nash) {
    sets.push({
      label: "Nash bargaining solution",
      data: [s.nash],
      pointStyle: SYMBOLS.nash.pointStyle,
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
          generateLabels: legendLabels,
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
