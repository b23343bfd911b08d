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
    const [lo, hi] = niceRange(Math.min(...vs), Math.max(...vs));
    return [lo - (hi - lo) * pad, hi + (hi - lo) * pad];
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
