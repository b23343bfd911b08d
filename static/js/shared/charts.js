// Chart data shared by the student's debrief (play/charts.js) and the instructor's scenario and
// debrief pages (instructor/charts.js): the outcome space as points, its axis ranges, the
// legend filter and the charts' common defaults. Pure (no DOM; Chart.js is passed in), so
// Node's tests import it as it is; each screen styles these points in its own datasets.

/** [lo, hi] with a little room, out to the next round number, so the end ticks read well. */
export function niceRange(lo, hi) {
  const d = (hi - lo) * 0.03 || 1;
  const raw = (hi - lo + 2 * d) / 8;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  return [Math.floor((lo - d) / step) * step, Math.ceil((hi + d) / step) * step];
}

/** Both screens' Chart.js defaults: static charts (no animation) that fill their box, in the
 * screen's font, size and ink. */
export function chartDefaults(Chart, { family, size, color }) {
  Chart.defaults.font.family = family;
  Chart.defaults.font.size = size;
  Chart.defaults.color = color;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  // markers on the axes' limits are drawn whole, never cut in half by the chart's area
  for (const type of ["scatter", "line"]) if (Chart.defaults.datasets[type]) Chart.defaults.datasets[type].clip = false;
}

/** Legend filter: datasets marked `_legend: false` stay out of the legend. */
export const inLegend = (item, data) => data.datasets[item.datasetIndex]._legend !== false;

/** A point [role 0's points, role 1's points] as {x, y}, with role `xRole` on the x axis. */
export function toXY(p, xRole = 0) {
  return p ? { x: p[xRole], y: p[1 - xRole] } : null;
}

/**
 * The outcome space, ready to draw. `space` holds points as [role 0's, role 1's]:
 * {cloud: every package, frontier: the Pareto frontier, batnas, nash?, compromise?, deal?}.
 * Returns them as {x, y} with role `xRole` on the x axis: cloud, frontier (in order of x),
 * batna (the no-deal point), nash, compromise and deal (null when not given), the axis ranges
 * `bounds` {x0, x1, y0, y1} (round limits around the cloud, frontier and BATNAs, widened by
 * `pad` of their span on each side: room so that points on the edge are not cut in half) and
 * the two BATNA lines across them, `batnaLines` {x: vertical at x's BATNA, y: horizontal at
 * y's BATNA}.
 */
export function outcomeSpace(space, xRole = 0, { pad = 0 } = {}) {
  const at = (p) => toXY(p, xRole);
  const cloud = (space.cloud || []).map(at);
  const frontier = (space.frontier || []).map(at).sort((a, b) => a.x - b.x);
  const batna = at(space.batnas);
  const all = cloud.concat(frontier, [batna]);
  const range = (vs) => {
    const [lo, hi] = pointsRange(vs);
    // the padding never takes an axis of points below 0
    const low = lo - (hi - lo) * pad;
    return [Math.min(...vs) >= 0 ? Math.max(0, low) : low, hi + (hi - lo) * pad];
  };
  const [x0, x1] = range(all.map((p) => p.x));
  const [y0, y1] = range(all.map((p) => p.y));
  return {
    cloud,
    frontier,
    batna,
    nash: at(space.nash),
    compromise: at(space.compromise),
    deal: at(space.deal),
    bounds: { x0, x1, y0, y1 },
    batnaLines: {
      x: [
        { x: batna.x, y: y0 },
        { x: batna.x, y: y1 },
      ],
      y: [
        { x: x0, y: batna.y },
        { x: x1, y: batna.y },
      ],
    },
  };
}

/**
 * One set of symbols for every chart of both screens and the docs (docs/student.md,
 * docs/instructor.md, tests/js/shared.test.js holds them together). Chart.js point styles;
 * `mark` is the character the docs and legends use for it.
 */
export const SYMBOLS = {
  cloud: { pointStyle: "circle", mark: "·", words: "every possible package: a small grey dot" },
  frontier: { pointStyle: "line", mark: "—", words: "the Pareto frontier: a line" },
  batna: { pointStyle: "line", mark: "┄", words: "each side's BATNA: a dashed line" },
  deal: { pointStyle: "star", mark: "★", words: "a deal: a yellow star" },
  firstDeal: { pointStyle: "star", mark: "☆", words: "a first deal, improved after it: a hollow star" },
  noDeal: { pointStyle: "rect", mark: "■", words: "no deal (both BATNAs): a grey square" },
  nash: { pointStyle: "crossRot", mark: "×", words: "the Nash bargaining solution: a red ×" },
  compromise: { pointStyle: "cross", mark: "+", words: "the compromise (middle options): a +" },
  offers: [
    { pointStyle: "rectRounded", mark: "▢", words: "the first role's (or your) offers: hollow squares" },
    { pointStyle: "circle", mark: "○", words: "the second role's (or your partner's) offers: hollow circles" },
  ],
  // the conditions, on the instructor's charts: filled
  conditions: {
    single: { pointStyle: "circle", mark: "●" },
    meso: { pointStyle: "triangle", mark: "▲" },
    any: { pointStyle: "rectRot", mark: "◆" },
    // the protocols with a middle seat, beside the direct ones in a mixed session: triangles
    // turned down and to the right (a rotation, in degrees, of Chart.js' triangle)
    mediated: { pointStyle: "triangle", rotation: 180, mark: "▼" },
    single_text: { pointStyle: "triangle", rotation: 90, mark: "▶" },
  },
};
export const DEAL_FILL = "#FFD400";
export const DEAL_INK = "#111111";

/**
 * [lo, hi] for an axis of points: niceRange around the values, never below 0 when no value is
 * (points start at 0: an axis from −20 shows room nobody can reach).
 */
export function pointsRange(values) {
  const [lo, hi] = niceRange(Math.min(...values), Math.max(...values));
  return [Math.min(...values) >= 0 ? Math.max(0, lo) : lo, hi];
}

/**
 * Identical points stacked into one, with their count: [{x, y, count, items}], in order of
 * first appearance. `items` are the points merged (their labels, ids).
 */
export function stack(points) {
  const at = new Map();
  for (const p of points) {
    const key = `${p.x}|${p.y}`;
    const s = at.get(key);
    if (s) {
      s.count += 1;
      s.items.push(p);
    } else at.set(key, { ...p, count: 1, items: [p] });
  }
  return [...at.values()];
}

/** A fit line y = intercept + slope·x drawn over [min, max] of its own condition's x only. */
export function fitLine(fit, xs) {
  if (!fit || !xs.length) return null;
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return [
    { x: lo, y: fit.intercept + fit.slope * lo },
    { x: hi, y: fit.intercept + fit.slope * hi },
  ];
}

/** A Chart.js plugin: the count of stacked identical points (`count` > 1) written on them. */
export const stackCounts = {
  id: "stackCounts",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((ds, i) => {
      const meta = chart.getDatasetMeta(i);
      if (meta.hidden) return;
      ds.data.forEach((p, j) => {
        if (!p || !(p.count > 1)) return;
        const el = meta.data[j];
        if (!el) return;
        ctx.save();
        ctx.font = "bold 12px system-ui, sans-serif";
        ctx.textAlign = "left";
        ctx.textBaseline = "bottom";
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#ffffff";
        const text = `×${p.count}`;
        ctx.strokeText(text, el.x + 7, el.y - 5);
        ctx.fillStyle = "#111111";
        ctx.fillText(text, el.x + 7, el.y - 5);
        ctx.restore();
      });
    });
  },
};

/**
 * A symbol's Chart.js pointStyle at a radius: the string, except the deal's star, which
 * Chart.js draws as lines only (an asterisk): a filled yellow star with a dark edge is drawn
 * on a small canvas instead (outside a browser, the string).
 */
export function symbolStyle(symbol, radius) {
  if (symbol !== SYMBOLS.deal || typeof document === "undefined") return symbol.pointStyle;
  const ratio = window.devicePixelRatio || 1;
  const size = Math.ceil(radius * 2 + 4);
  const c = document.createElement("canvas");
  c.width = size * ratio;
  c.height = size * ratio;
  c.style.width = `${size}px`;
  c.style.height = `${size}px`;
  const g = c.getContext("2d");
  g.scale(ratio, ratio);
  g.beginPath();
  for (let i = 0; i < 10; i++) {
    const r = i % 2 ? radius * 0.45 : radius;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    g.lineTo(size / 2 + r * Math.cos(a), size / 2 + r * Math.sin(a));
  }
  g.closePath();
  g.fillStyle = DEAL_FILL;
  g.fill();
  g.lineWidth = 1.5;
  g.strokeStyle = DEAL_INK;
  g.stroke();
  return c;
}

/** Legend labels (Chart.js `generateLabels`) with the deal's drawn star at legend size. */
export function legendLabels(chart) {
  const base = chart.constructor.defaults.plugins.legend.labels.generateLabels(chart);
  return base.map((l) => (l.pointStyle && typeof l.pointStyle === "object" ? { ...l, pointStyle: symbolStyle(SYMBOLS.deal, 6) } : l));
}
