// Chart.js (vendored global `Chart`) wrappers: this role's value of each side's offers over
// time, and the debrief's outcome space. Canvases carry role="img" and a label; the timeline
// and the debrief's text give the same figures in words.
import { chartDefaults, DEAL_FILL, DEAL_INK, inLegend, legendLabels, outcomeSpace, SYMBOLS, symbolStyle, toXY } from "../shared/charts.js";
import { pts } from "./dom.js";
import { partnerName } from "./model.js";

const C = {
  you: "#0e6f68",
  youSoft: "rgba(14,111,104,0.35)",
  partner: "#a44f0b",
  partnerSoft: "rgba(164,79,11,0.35)",
  batna: "#566476",
  cloud: "rgba(110,125,145,0.28)",
  frontier: "#2b5c8a",
  deal: "#1d7140",
  nash: "#B3261E", // the instructor's Nash red: one set of symbols (shared/charts.js SYMBOLS)
  grid: "rgba(27,38,51,0.08)",
};

function ready() {
  const Chart = window.Chart;
  if (!Chart) return null;
  if (!Chart._parleyDefaults) {
    chartDefaults(Chart, { family: getComputedStyle(document.body).fontFamily, size: 12, color: "#3d4b5c" });
    Chart._parleyDefaults = true;
  }
  return Chart;
}

function make(canvas, config) {
  const Chart = ready();
  if (!Chart) return null;
  const old = Chart.getChart(canvas);
  if (old) old.destroy();
  return new Chart(canvas, config);
}

const legend = {
  position: "bottom",
  labels: {
    usePointStyle: true,
    boxWidth: 8,
    boxHeight: 8,
    padding: 14,
    filter: inLegend,
    generateLabels: legendLabels,
  },
};

/** This role's points for every package of every offer, by side, with the BATNA. */
export function offersChart(canvas, neg) {
  const partner = partnerName(neg);
  const mine = [];
  const theirs = [];
  const mineMean = [];
  const theirsMean = [];
  for (const o of neg.offers) {
    const byMe = o.by === neg.role;
    o.points.forEach((p, i) => (byMe ? mine : theirs).push({ x: o.seq, y: p, pkg: i + 1, n: o.points.length }));
    const mean = o.points.reduce((a, b) => a + b, 0) / o.points.length;
    (byMe ? mineMean : theirsMean).push({ x: o.seq, y: mean });
  }
  const batna = neg.scenario.batna;
  const maxX = Math.max(neg.offers.length, neg.max_offers ? Math.min(neg.max_offers, 6) : 6);
  return make(canvas, {
    type: "scatter",
    data: {
      datasets: [
        {
          label: "Your offers",
          data: mine,
          pointStyle: SYMBOLS.offers[0].pointStyle,
          pointRadius: 5,
          pointHoverRadius: 7,
          borderWidth: 2,
          backgroundColor: "#ffffff",
          borderColor: C.you,
        },
        {
          label: `${partner}'s offers`,
          data: theirs,
          pointStyle: SYMBOLS.offers[1].pointStyle,
          pointRadius: 5,
          pointHoverRadius: 7,
          borderWidth: 2,
          backgroundColor: "#ffffff",
          borderColor: C.partner,
        },
        {
          label: "your trend",
          data: mineMean,
          showLine: true,
          pointRadius: 0,
          borderColor: C.youSoft,
          borderWidth: 2,
          _legend: false,
        },
        {
          label: "their trend",
          data: theirsMean,
          showLine: true,
          pointRadius: 0,
          borderColor: C.partnerSoft,
          borderWidth: 2,
          _legend: false,
        },
        {
          label: "Your BATNA",
          data: [
            { x: 0.5, y: batna },
            { x: maxX + 0.5, y: batna },
          ],
          showLine: true,
          pointRadius: 0,
          borderColor: C.batna,
          borderDash: [6, 4],
          borderWidth: 1.5,
        },
      ],
    },
    options: {
      plugins: {
        legend,
        tooltip: {
          filter: (item) => item.datasetIndex < 2,
          callbacks: {
            label: (ctx) => {
              const r = ctx.raw;
              const pk = r.n > 1 ? `, package ${r.pkg}` : "";
              return `${ctx.dataset.label} · offer ${r.x}${pk}: ${pts(r.y)} points`;
            },
          },
        },
      },
      scales: {
        x: {
          type: "linear",
          min: 0.5,
          max: maxX + 0.5,
          afterBuildTicks: (axis) => {
            axis.ticks = Array.from({ length: maxX }, (_, i) => ({ value: i + 1 }));
          },
          ticks: { callback: (v) => `#${v}` },
          title: { display: true, text: "Offer" },
          grid: { color: C.grid },
        },
        y: {
          grace: "10%",
          title: { display: true, text: "Your points" },
          ticks: { callback: (v) => pts(v), includeBounds: false },
          grid: { color: C.grid },
        },
      },
    },
  });
}

/**
 * The debrief: every package as a point (your points, partner's points), the Pareto frontier,
 * both BATNAs, the Nash point, the offers made, and the deal. A negotiation with a middle seat
 * (`debrief.path`) draws the path of the mediator's proposals or the facilitator's drafts, in
 * order, instead of offers; the middle seat (`debrief.you` null) sees the first role on x.
 */
export function debriefChart(canvas, neg) {
  const d = neg.debrief;
  const path = Array.isArray(d.path) ? d.path : null;
  const party = d.you !== null && d.you !== undefined;
  const k = party ? d.you : 0;
  const partner = path ? d.role_names[1 - k] : partnerName(neg);
  const you = party ? "you" : d.role_names[0];
  const agreed = neg.outcome && neg.outcome.reason === "accepted";
  const space = outcomeSpace(
    { cloud: d.cloud, frontier: d.frontier, batnas: d.batnas, nash: d.nash, deal: agreed ? d.points : null },
    k,
    { pad: 0.02 }, // a phone-sized chart: points on the round limits would be cut in half
  );
  const { x0, x1, y0, y1 } = space.bounds;
  const mine = [];
  const theirs = [];
  for (const o of d.offers || []) {
    for (const p of o.points) (o.by === neg.role ? mine : theirs).push({ ...toXY(p, k), seq: o.seq });
  }
  const step = neg.protocol === "mediated" ? "proposal" : "draft";
  const datasets = [];
  const pss = d.post_settlement; // a post-settlement phase: the path from the first deal
  if (pss) {
    datasets.push(
      {
        label: "Path to the final deal",
        data: pss.deals.map((p) => toXY(p, k)),
        showLine: true,
        pointRadius: 3,
        borderWidth: 2,
        borderDash: [6, 3],
        borderColor: C.deal,
        backgroundColor: C.deal,
      },
      {
        label: "First deal",
        data: [toXY(pss.first, k)],
        pointStyle: SYMBOLS.firstDeal.pointStyle,
        pointRadius: 9,
        borderWidth: 2,
        borderColor: C.deal,
        backgroundColor: "#ffffff",
      },
    );
  }
  if (agreed) {
    datasets.push({
      label: pss ? "Final deal" : party ? "Your deal" : "The deal",
      data: [space.deal],
      pointStyle: symbolStyle(SYMBOLS.deal, 14),
      pointRadius: 14,
      pointHoverRadius: 16,
      borderWidth: 2,
      borderColor: DEAL_INK,
      backgroundColor: DEAL_FILL,
      _kind: "deal",
    });
  }
  datasets.push(
    {
      label: agreed ? "No deal (both BATNAs)" : "No deal: where you ended (both BATNAs)",
      data: [space.batna],
      pointStyle: SYMBOLS.noDeal.pointStyle,
      pointRadius: agreed ? 6 : 10,
      borderWidth: 2,
      borderColor: C.batna,
      backgroundColor: agreed ? "rgba(86,100,118,0.45)" : C.batna,
      _kind: "noDeal",
    },
  );
  if (path) {
    // the proposals or drafts in their order: hollow circles joined by a line
    datasets.push({
      label: neg.protocol === "mediated" ? "The mediator's proposals, in order" : "The drafts, in order",
      data: path.map((st) => ({ ...toXY(st.points, k), seq: st.seq })),
      showLine: true,
      pointStyle: SYMBOLS.offers[1].pointStyle,
      pointRadius: 5,
      borderWidth: 2,
      backgroundColor: "#ffffff",
      borderColor: C.partner,
      _kind: "path",
      _path: true,
    });
  } else {
    datasets.push(
      {
        label: "Your offers",
        data: mine,
        pointStyle: SYMBOLS.offers[0].pointStyle,
        pointRadius: 5,
        borderWidth: 2,
        backgroundColor: "#ffffff",
        borderColor: C.you,
        _kind: "offers",
      },
      {
        label: `${partner}'s offers`,
        data: theirs,
        pointStyle: SYMBOLS.offers[1].pointStyle,
        pointRadius: 5,
        borderWidth: 2,
        backgroundColor: "#ffffff",
        borderColor: C.partner,
        _kind: "offers",
      },
    );
  }
  if (space.nash) {
    datasets.push({
      label: "Nash solution",
      data: [space.nash],
      pointStyle: SYMBOLS.nash.pointStyle,
      pointRadius: 9,
      borderWidth: 3,
      backgroundColor: C.nash,
      borderColor: C.nash,
      _kind: "nash",
    });
  }
  datasets.push(
    {
      label: "Pareto frontier",
      data: space.frontier,
      showLine: true,
      pointRadius: 2.5,
      borderWidth: 2,
      borderColor: C.frontier,
      backgroundColor: C.frontier,
    },
    {
      label: "All possible packages",
      data: space.cloud,
      pointStyle: SYMBOLS.cloud.pointStyle,
      pointRadius: 2,
      pointHoverRadius: 3,
      backgroundColor: C.cloud,
      borderColor: "transparent",
    },
    {
      label: "batna-x",
      data: space.batnaLines.x,
      showLine: true,
      pointRadius: 0,
      borderColor: "rgba(86,100,118,0.55)",
      borderDash: [5, 4],
      borderWidth: 1,
      _legend: false,
    },
    {
      label: "batna-y",
      data: space.batnaLines.y,
      showLine: true,
      pointRadius: 0,
      borderColor: "rgba(86,100,118,0.55)",
      borderDash: [5, 4],
      borderWidth: 1,
      _legend: false,
    },
  );
  return make(canvas, {
    type: "scatter",
    data: { datasets },
    options: {
      plugins: {
        legend,
        tooltip: {
          filter: (item) => item.dataset._legend !== false,
          callbacks: {
            label: (ctx) => {
              const r = ctx.raw;
              const seq = r.seq ? ` (${ctx.dataset._path ? step : "offer"} ${r.seq})` : "";
              return `${ctx.dataset.label}${seq}: ${you} ${pts(r.x)}, ${partner} ${pts(r.y)}`;
            },
          },
        },
      },
      scales: {
        x: {
          type: "linear",
          min: x0,
          max: x1,
          title: { display: true, text: party ? "Your points" : `${d.role_names[0]}'s points` },
          ticks: { callback: (v) => pts(v), includeBounds: false },
          grid: { color: C.grid },
        },
        y: {
          min: y0,
          max: y1,
          title: { display: true, text: `${partner}'s points` },
          ticks: { callback: (v) => pts(v), includeBounds: false },
          grid: { color: C.grid },
        },
      },
    },
  });
}
