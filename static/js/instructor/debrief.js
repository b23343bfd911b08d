// The debrief: agreements in outcome space, the condition comparison, joint points, anchoring,
// option frequencies and a drill-down into one negotiation's offers. Numbers come from the
// server (game/debrief.py); this page only draws them. Live: a `session` push whose
// negotiations changed triggers one refetch (at most every two seconds), and the charts are
// redrawn only when the server's signature of the data changed.

/* global Chart */

import {
  CONDITION_COLOURS,
  CONDITION_ROTATIONS,
  CONDITION_SHAPES,
  CONDITION_SHORT,
  CONDITION_SYMBOLS,
  api,
  bootData,
  conditionBadge,
  errorText,
  fmt,
  fmt2,
  labelTables,
  pct,
  setLiveStatus,
  watchSession,
} from "./common.js";
import { DEAL_FILL, DEAL_INK, fitLine, inLegend, pointsRange, stack, stackCounts, SYMBOLS, symbolStyle } from "../shared/charts.js";
import { h } from "../shared/dom.js";
import {
  axisTitle,
  bounds,
  GRID,
  INK,
  setDefaults,
  spaceDatasets,
  spaceOptions,
} from "./charts.js";

setDefaults();

const boot = bootData();
const roles = boot.roles;
const condName = (c) => (c === "all" ? "All" : boot.conditions[c] || c);
const colour = (c) => CONDITION_COLOURS[c] || "#444";
const shape = (c) => CONDITION_SHAPES[c] || "rect";
const turn = (c) => CONDITION_ROTATIONS[c] || 0; // degrees: the middle-seat conditions' triangles
const $ = (sel) => document.querySelector(sel);
const nf = new Intl.NumberFormat();

let data = null;
let charts = {};
let drill = null; // the path being shown
let lastSessionKey = "";

// ---------------------------------------------------------------- counts strip and impasses

function renderCounts() {
  const strip = $("#condition-counts");
  strip.replaceChildren(
    ...data.summary.conditions.map((c) => {
      const k = data.summary.counts[c];
      return h(
        "div",
        { class: "stat stat-cond" },
        conditionBadge(c, boot.conditions),
        h("span", { class: "stat-value" }, k.agreed),
        h("span", { class: "stat-label" }, `agreement${k.agreed === 1 ? "" : "s"}`),
        h(
          "span",
          { class: "stat-note" },
          `${k.impasses} impasse${k.impasses === 1 ? "" : "s"} · ${k.open} open`,
        ),
      );
    }),
  );
  $("#impasses").replaceChildren(
    ...data.summary.conditions.map((c) =>
      h(
        "li",
        null,
        conditionBadge(c, boot.conditions),
        h("strong", { class: "impasse-num" }, data.summary.counts[c].impasses),
        ` of ${data.summary.counts[c].agreed + data.summary.counts[c].impasses} finished`,
      ),
    ),
  );
}

// ---------------------------------------------------------------- the outcome chart

function outcomeDatasets() {
  const space = data.space;
  const b = bounds(space);
  const names = new Map(data.negotiations.map((n) => [n.negotiation_id, n.names.join(" & ")]));
  const sets = spaceDatasets(space, roles);
  const faded = drill !== null;
  for (const c of data.summary.conditions) {
    const pts = data.summary.outcomes.filter((o) => o.condition === c);
    // identical agreements are one mark with their count (written beside it)
    const stacked = stack(
      pts.map((o) => ({
        x: o.points[0],
        y: o.points[1],
        id: o.negotiation_id,
        label: names.get(o.negotiation_id) || o.negotiation_id,
      })),
    ).map((p) => (p.count > 1 ? { ...p, label: `${p.count} agreements: ${p.items.map((i) => i.label).join("; ")}` } : p));
    sets.push({
      label: `Agreement: ${condName(c)} (${pts.length})`,
      data: stacked,
      pointStyle: shape(c),
      pointRotation: turn(c),
      pointRadius: (ctx) => (ctx.raw && ctx.raw.count > 1 ? 12 : 9),
      pointHoverRadius: 13,
      borderWidth: 2,
      borderColor: faded ? colour(c) + "66" : "#ffffff",
      backgroundColor: faded ? colour(c) + "44" : colour(c),
      order: 10,
      _kind: "agreement",
    });
  }
  if (data.post_settlement) sets.push(...settlementDatasets(data.post_settlement));
  if (drill) sets.push(...pathDatasets(drill));
  return { sets, b };
}

// each pair's path from its first deal (hollow) to its final one, by condition: one short
// dashed line per pair, the condition's first one in the legend
function settlementDatasets(pss) {
  const out = [];
  for (const c of data.summary.conditions) {
    pss.paths
      .filter((p) => p.condition === c)
      .forEach((p, i) =>
        out.push({
          label: `First deal → final: ${condName(c)}`,
          data: [
            { x: p.first[0], y: p.first[1], label: "First deal" },
            { x: p.final[0], y: p.final[1], label: "Final deal" },
          ],
          showLine: true,
          borderDash: [5, 3],
          borderWidth: 1.5,
          borderColor: colour(c),
          pointRadius: [7, 0],
          pointStyle: shape(c),
      pointRotation: turn(c),
          backgroundColor: "#ffffff",
          order: 11,
          _kind: "settlement",
          ...(i ? { _legend: false } : {}),
        }),
      );
  }
  return out;
}

function renderSettlement() {
  const pss = data.post_settlement;
  $("#pss-panel").hidden = !pss;
  if (!pss) return;
  const share = (x) => (x === null ? "–" : pct(x));
  $("#pss-table tbody").replaceChildren(
    ...pss.rows.map((r) =>
      h(
        "tr",
        null,
        h("th", { scope: "row" }, condName(r.condition)),
        h("td", { class: "num" }, r.deals),
        h("td", { class: "num" }, r.improved),
        h("td", { class: "num" }, r.proposals === null ? "–" : fmt2(r.proposals)),
        h("td", { class: "num" }, r.gain_0 === null ? "–" : fmt2(r.gain_0)),
        h("td", { class: "num" }, r.gain_1 === null ? "–" : fmt2(r.gain_1)),
        h("td", { class: "num" }, r.gain_joint === null ? "–" : fmt2(r.gain_joint)),
        h("td", { class: "num" }, share(r.first_pareto)),
        h("td", { class: "num" }, share(r.final_pareto)),
      ),
    ),
  );
}

function pathDatasets(p) {
  const out = [];
  const roleColour = ["#7A2E8E", "#2E6F8E"];
  out.push({
    label: "Path of the offers",
    type: "line",
    data: p.offers.map((o) => ({
      x: o.centre[0],
      y: o.centre[1],
      label: `Offer ${o.seq} by ${p.role_names[o.by_index]}${o.packages.length > 1 ? " (centre of " + o.packages.length + " packages)" : ""}`,
    })),
    borderColor: INK,
    backgroundColor: INK,
    borderWidth: 2.5,
    pointRadius: 0,
    pointHitRadius: 6,
    tension: 0,
    order: 2,
    _kind: "path",
    _legend: false,
  });
  for (const k of [0, 1]) {
    const pts = [];
    for (const o of p.offers.filter((o) => o.by_index === k)) {
      for (const pk of o.packages) {
        pts.push({
          x: pk.points[0],
          y: pk.points[1],
          label: `Offer ${o.seq} by ${p.role_names[k]}${o.packages.length > 1 ? `, package ${pk.index + 1} of ${o.packages.length}` : ""}`,
        });
      }
    }
    out.push({
      label: `Offers by ${p.role_names[k]}`,
      data: pts,
      pointStyle: SYMBOLS.offers[k].pointStyle,
      pointRadius: 8,
      pointHoverRadius: 10,
      borderWidth: 3,
      borderColor: roleColour[k],
      backgroundColor: "#ffffff",
      order: 1,
      _kind: "offers",
    });
  }
  if (p.outcome && p.outcome.reason === "accepted") {
    out.push({
      label: "Agreement reached",
      data: [{ x: p.outcome.points[0], y: p.outcome.points[1], label: "Agreement" }],
      pointStyle: symbolStyle(SYMBOLS.deal, 16),
      pointRadius: 16,
      borderWidth: 3,
      borderColor: DEAL_INK,
      backgroundColor: DEAL_FILL,
      order: 0,
      _kind: "agreed",
    });
  }
  return out;
}

function drawOutcomes() {
  const { sets, b } = outcomeDatasets();
  const canvas = $("#chart-outcomes");
  if (!charts.outcomes) {
    charts.outcomes = new Chart(canvas, {
      type: "scatter",
      data: { datasets: sets },
      plugins: [stackCounts],
      options: spaceOptions(roles, b, {
        onClick: (_ev, elements, chart) => {
          for (const e of elements) {
            const point = chart.data.datasets[e.datasetIndex].data[e.index];
            if (point && point.id) {
              $("#drill").value = point.id;
              showPath(point.id);
              return;
            }
          }
        },
      }),
    });
  } else {
    const c = charts.outcomes;
    c.data.datasets = sets;
    Object.assign(c.options.scales.x, { min: b.x0, max: b.x1 });
    Object.assign(c.options.scales.y, { min: b.y0, max: b.y1 });
    c.update("none");
  }
  const counts = data.summary.conditions
    .map((c) => `${data.summary.counts[c].agreed} ${condName(c)}`)
    .join(", ");
  const imp = data.summary.conditions.reduce((s, c) => s + data.summary.counts[c].impasses, 0);
  canvas.setAttribute(
    "aria-label",
    `Outcome chart: agreements (${counts}) plotted as ${roles[0].name}'s points against ${roles[1].name}'s, with the Pareto frontier, both BATNAs and the compromise point; ${imp} impasses are listed beside it.` +
      (drill ? ` Showing the path of ${drill.offers.length} offer${drill.offers.length === 1 ? "" : "s"} of one negotiation.` : ""),
  );
  const tbody = $("#outcomes-table tbody");
  tbody.replaceChildren(
    ...data.summary.outcomes.map((o) =>
      h(
        "tr",
        null,
        h("td", null, (data.negotiations.find((n) => n.negotiation_id === o.negotiation_id) || { names: [o.negotiation_id] }).names.join(" & ")),
        h("td", null, condName(o.condition)),
        h("td", { class: "num" }, fmt(o.points[0])),
        h("td", { class: "num" }, fmt(o.points[1])),
        h("td", null, o.pareto_optimal === null ? "–" : o.pareto_optimal ? "yes" : "no"),
      ),
    ),
  );
}

// ---------------------------------------------------------------- drill-down

function renderDrillOptions() {
  const sel = $("#drill");
  const keep = sel.value;
  const opts = [h("option", { value: "" }, "Choose a negotiation…")];
  const sorted = [...data.negotiations].sort(
    (a, b) => (a.round || 0) - (b.round || 0) || a.names.join().localeCompare(b.names.join()),
  );
  for (const n of sorted) {
    const status =
      n.status === "open" ? "open" : n.status === "agreed" ? `${fmt(n.points[0])} : ${fmt(n.points[1])}` : "impasse";
    const rd = n.round ? `R${n.round} · ` : "";
    opts.push(
      h(
        "option",
        { value: n.negotiation_id },
        `${rd}${n.names[0]} & ${n.names[1]} · ${condName(n.condition)} · ${MIDDLE_STEPS[n.condition] ? "" : `${n.offers_count} offer${n.offers_count === 1 ? "" : "s"} · `}${status}`,
      ),
    );
  }
  sel.replaceChildren(...opts);
  sel.value = keep;
}

// what makes the path of a negotiation with a middle seat (the drop-down counts only offers)
const MIDDLE_STEPS = { mediated: "proposals", single_text: "drafts" };

async function showPath(nid) {
  if (!nid) {
    drill = null;
    $("#path-panel").hidden = true;
    $("#drill-clear").hidden = true;
    drawOutcomes();
    return;
  }
  const res = await api("GET", boot.urls.path.replace("NID", encodeURIComponent(nid)));
  if (!res.ok) {
    $("#path-title").textContent = errorText(res.data);
    $("#path-panel").hidden = false;
    return;
  }
  drill = res.data;
  $("#drill-clear").hidden = false;
  renderPathTable();
  labelTables($("#path-table").parentElement);
  drawOutcomes();
}

function renderPathTable() {
  const p = drill;
  $("#path-panel").hidden = false;
  const outcome = p.outcome
    ? p.outcome.reason === "accepted"
      ? `agreed at ${fmt(p.outcome.points[0])} : ${fmt(p.outcome.points[1])}`
      : `impasse (${p.outcome.reason.replaceAll("_", " ")})`
    : "still open";
  const steps = MIDDLE_STEPS[p.condition] || "offers"; // a mediator's proposals, a facilitator's drafts
  $("#path-title").textContent = `${steps[0].toUpperCase()}${steps.slice(1)} of ${p.names[0]} (${p.role_names[0]}) and ${p.names[1]} (${p.role_names[1]}) · ${condName(p.condition)} · ${outcome}`;
  const rows = [];
  for (const o of p.offers) {
    o.packages.forEach((pk, j) => {
      const note = [];
      if (j === 0 && o.based_on) note.push(`based on package ${o.based_on.package + 1} of the previous offer`);
      if (o.accepted === pk.index) note.push("accepted");
      rows.push(
        h(
          "tr",
          { class: o.accepted === pk.index ? "is-accepted" : "" },
          j === 0 ? h("th", { scope: "row", class: "num", rowspan: o.packages.length }, o.seq) : null,
          j === 0 ? h("td", { rowspan: o.packages.length }, p.role_names[o.by_index]) : null,
          h("td", { class: "num" }, o.packages.length > 1 ? `${pk.index + 1} of ${o.packages.length}` : "1"),
          h("td", { class: "num" }, fmt(pk.points[0])),
          h("td", { class: "num" }, fmt(pk.points[1])),
          h("td", null, note.join("; ") || ""),
        ),
      );
    });
  }
  if (!rows.length) rows.push(h("tr", null, h("td", { colspan: 6 }, `No ${steps} were made.`)));
  $("#path-table tbody").replaceChildren(...rows);
}

$("#drill").addEventListener("change", (e) => showPath(e.target.value));
$("#drill-clear").addEventListener("click", () => {
  $("#drill").value = "";
  showPath("");
  $("#drill").focus();
});

// ---------------------------------------------------------------- comparison table

function cell(m, kind) {
  if (kind === "rate") {
    return h(
      "td",
      { class: "num" },
      h("span", { class: "big-num" }, pct(m.rate)),
      h("span", { class: "sub" }, `${m.count} of ${m.n}`),
    );
  }
  return h(
    "td",
    { class: "num" },
    h("span", { class: "big-num" }, fmt(m.mean)),
    h("span", { class: "sub" }, `SD ${m.sd === null ? "–" : fmt(m.sd)} · n ${m.n}`),
  );
}

function renderComparison() {
  const rows = data.summary.comparison;
  const table = $("#compare");
  table.tHead.replaceChildren(
    h(
      "tr",
      null,
      h("th", { scope: "col" }, "Measure"),
      ...rows.map((r) =>
        h(
          "th",
          { scope: "col", class: "num", dataset: { label: r.condition === "all" ? "All" : condName(r.condition) } },
          r.condition === "all" ? "All" : conditionBadge(r.condition, boot.conditions),
          h("span", { class: "sub" }, `${r.finished} finished`),
        ),
      ),
    ),
  );
  const body = [];
  for (const m of data.summary.measures) {
    body.push(
      h("tr", null, h("th", { scope: "row" }, m.label), ...rows.map((r) => cell(r.measures[m.key]))),
    );
    if (m.key === "joint") {
      body.push(
        h(
          "tr",
          null,
          h("th", { scope: "row" }, "Pareto-optimal agreements"),
          ...rows.map((r) => cell(r.pareto_optimal, "rate")),
        ),
        h(
          "tr",
          null,
          h("th", { scope: "row" }, "Impasse rate"),
          ...rows.map((r) => cell(r.impasse, "rate")),
        ),
      );
    }
  }
  table.tBodies[0].replaceChildren(...body);
}

// ---------------------------------------------------------------- questionnaire scales

const GROUPS = { all: "all raters", recipients: "recipients of the first offer" };

function scaleCell(m) {
  if (!m || !m.n) return h("td", { class: "num muted" }, "–");
  const ci = m.ci ? `95% CI ${fmt(m.ci[0])} to ${fmt(m.ci[1])}` : "no interval (n 1)";
  return h("td", { class: "num" }, h("span", { class: "big-num" }, fmt(m.mean)), h("span", { class: "sub" }, `${ci} · n ${m.n}`));
}

function renderScales() {
  const scales = data.scales || [];
  $("#scales-panel").hidden = scales.length === 0;
  if (!scales.length) return;
  const conds = [...new Set(data.session_conditions)];
  const table = $("#scales");
  table.tHead.replaceChildren(
    h("tr", null, h("th", { scope: "col" }, "Scale"), ...conds.map((c) => h("th", { scope: "col", class: "num" }, conditionBadge(c, boot.conditions)))),
  );
  const body = [];
  for (const s of scales) {
    for (const [group, words] of Object.entries(GROUPS)) {
      body.push(
        h(
          "tr",
          null,
          h("th", { scope: "row" }, s.scale.replaceAll("_", " "), h("span", { class: "sub" }, words)),
          ...conds.map((c) => scaleCell(s.groups[group][c])),
        ),
      );
    }
  }
  table.tBodies[0].replaceChildren(...body);
}

// ---------------------------------------------------------------- joint points strip plot

// A scatter chart of the debrief (joint points, anchoring): drawn the first time, its data and
// scales replaced after; the legend at the bottom, a tooltip line from label(ctx).
function drawScatter(name, canvas, datasets, scales, label) {
  const chart = charts[name];
  if (chart) {
    chart.data.datasets = datasets;
    chart.options.scales = scales;
    chart.update("none");
    return;
  }
  charts[name] = new Chart(canvas, {
    type: "scatter",
    data: { datasets },
    plugins: [stackCounts],
    options: {
      parsing: false,
      scales,
      plugins: {
        legend: { position: "bottom", labels: { filter: inLegend } },
        tooltip: { callbacks: { label } },
      },
    },
  });
}

function jitter(i) {
  // deterministic spread: golden-ratio sequence in [-0.28, 0.28]
  return (((i * 0.6180339887) % 1) - 0.5) * 0.56;
}

function drawJoint() {
  const conds = data.summary.conditions;
  const sets = [];
  const all = [];
  conds.forEach((c, k) => {
    const xs = data.summary.joint[c] || [];
    all.push(...xs.map((x) => x.joint));
    sets.push({
      label: condName(c),
      data: xs.map((x, i) => ({ x: k + jitter(i), y: x.joint, agreed: x.agreed })),
      pointStyle: shape(c),
      pointRotation: turn(c),
      pointRadius: 8,
      pointHoverRadius: 10,
      borderWidth: 2,
      borderColor: colour(c),
      backgroundColor: xs.map((x) => (x.agreed ? colour(c) : "#ffffff")),
    });
    const row = data.summary.comparison.find((r) => r.condition === c);
    const m = row && row.measures.joint.mean;
    if (m !== null && m !== undefined) {
      sets.push({
        label: `${condName(c)} mean`,
        type: "line",
        data: [
          { x: k - 0.38, y: m },
          { x: k + 0.38, y: m },
        ],
        borderColor: INK,
        borderWidth: 4,
        pointRadius: 0,
        _legend: false,
      });
    }
  });
  const mj = data.space.max_joint;
  sets.push({
    label: `Max joint (${nf.format(mj)})`,
    type: "line",
    data: [
      { x: -0.5, y: mj },
      { x: conds.length - 0.5, y: mj },
    ],
    borderColor: "#8A6D00",
    borderDash: [8, 6],
    borderWidth: 2,
    pointRadius: 0,
    pointStyle: "line",
  });
  const [y0, y1] = pointsRange([mj, ...all, data.space.batnas[0] + data.space.batnas[1]]);
  const scales = {
    x: {
      type: "linear",
      min: -0.5,
      max: conds.length - 0.5,
      grid: { display: false },
      afterBuildTicks: (axis) => {
        axis.ticks = conds.map((_, k) => ({ value: k }));
      },
      ticks: { callback: (v) => condName(conds[v]) || "", font: { size: 16, weight: "bold" } },
    },
    y: {
      min: y0,
      max: y1,
      title: axisTitle("Joint points"),
      grid: { color: GRID },
    },
  };
  const canvas = $("#chart-joint");
  drawScatter("joint", canvas, sets, scales, (ctx) =>
    `${ctx.dataset.label}: ${nf.format(ctx.raw.y)}${ctx.raw.agreed === false ? " (impasse)" : ""}`,
  );
  const summary = conds
    .map((c) => {
      const r = data.summary.comparison.find((x) => x.condition === c);
      return `${condName(c)}: mean ${fmt(r.measures.joint.mean)} over ${r.measures.joint.n}`;
    })
    .join("; ");
  canvas.setAttribute("aria-label", `Joint points by condition. ${summary}. Max joint ${nf.format(mj)}.`);
  $("#joint-table tbody").replaceChildren(
    ...conds.map((c) =>
      h(
        "tr",
        null,
        h("th", { scope: "row" }, condName(c)),
        h("td", null, (data.summary.joint[c] || []).map((x) => fmt(x.joint) + (x.agreed ? "" : " (impasse)")).join(", ") || "–"),
      ),
    ),
  );
}

// ---------------------------------------------------------------- anchoring

function drawAnchor() {
  const conds = data.summary.conditions;
  const a = data.summary.anchoring;
  const sets = [];
  const xs = a.pairs.map((p) => p.first_offer_value);
  const ys = a.pairs.map((p) => p.final_points);
  for (const c of conds) {
    const pts = a.pairs.filter((p) => p.condition === c);
    const marks = stack(pts.map((p) => ({ x: p.first_offer_value, y: p.final_points, agreed: p.agreed })));
    sets.push({
      label: condName(c),
      data: marks,
      pointStyle: shape(c),
      pointRotation: turn(c),
      pointRadius: (ctx) => (ctx.raw && ctx.raw.count > 1 ? 11 : 8),
      pointHoverRadius: 12,
      borderWidth: 2,
      borderColor: colour(c),
      backgroundColor: marks.map((p) => (p.agreed ? colour(c) : "#ffffff")),
    });
    // each condition's fit line spans its own data only, never the other conditions'
    const line = fitLine(a.fits[c], pts.map((p) => p.first_offer_value));
    if (line) {
      sets.push({
        label: `${condName(c)} fit`,
        type: "line",
        data: line,
        _fit: c,
        borderColor: colour(c),
        borderDash: c === "meso" ? [10, 6] : c === "single" ? [] : [3, 4],
        borderWidth: 2.5,
        pointRadius: 0,
        _legend: false,
      });
    }
  }
  // axes from the data's range (never below 0: these are points)
  const [ax0, ax1] = xs.length ? pointsRange(xs) : [0, 1];
  const [ay0, ay1] = ys.length ? pointsRange(ys) : [0, 1];
  const scales = {
    x: {
      type: "linear",
      min: ax0,
      max: ax1,
      title: axisTitle("First offer's value to the first offerer"),
      grid: { color: GRID },
    },
    y: {
      min: ay0,
      max: ay1,
      title: axisTitle("First offerer's final points"),
      grid: { color: GRID },
    },
  };
  const canvas = $("#chart-anchor");
  drawScatter("anchor", canvas, sets, scales, (ctx) =>
    `${ctx.dataset.label}: first offer ${nf.format(ctx.raw.x)}, final ${nf.format(ctx.raw.y)}${ctx.raw.agreed === false ? " (impasse)" : ""}`,
  );
  const desc = conds
    .map((c) => {
      const f = a.fits[c];
      return f ? `${condName(c)}: slope ${fmt2(f.slope)}, r ${f.r === null ? "–" : fmt2(f.r)}` : `${condName(c)}: too few points`;
    })
    .join("; ");
  canvas.setAttribute("aria-label", `First offer against the first offerer's final points. ${desc}.`);
  $("#anchor-table tbody").replaceChildren(
    ...conds.map((c) => {
      const f = a.fits[c];
      return h(
        "tr",
        null,
        h("th", { scope: "row" }, condName(c)),
        h("td", { class: "num" }, a.pairs.filter((p) => p.condition === c).length),
        h("td", { class: "num" }, f ? fmt2(f.slope) : "–"),
        h("td", { class: "num" }, f && f.r !== null ? fmt2(f.r) : "–"),
      );
    }),
  );
}

// ---------------------------------------------------------------- options agreed

function renderOptions() {
  const conds = data.summary.conditions;
  const box = $("#options");
  box.replaceChildren(
    ...data.summary.options.map((issue) => {
      const rows = issue.options.map((o) => {
        const bar = h("span", { class: "bar" }, h("span", { class: "bar-fill" }));
        bar.firstChild.style.width = `${Math.round((o.share || 0) * 100)}%`;
        return h(
          "tr",
          null,
          h("th", { scope: "row" }, o.label),
          h("td", { class: "bar-cell" }, bar, h("span", { class: "bar-text" }, `${o.count} · ${pct(o.share)}`)),
          ...conds.map((c) => h("td", { class: "num" }, `${o.by_condition[c].count}`, h("span", { class: "sub" }, pct(o.by_condition[c].share)))),
        );
      });
      return h(
        "div",
        { class: "option-table", role: "region", tabindex: "0", "aria-label": `Options chosen for ${issue.name}` },
        h(
          "table",
          { class: "data compact phone-cards" },
          h("caption", null, `${issue.name}`, h("span", { class: "muted small" }, ` · ${issue.agreements} agreements`)),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, "Option"),
              h("th", { scope: "col" }, "All"),
              ...conds.map((c) => h("th", { scope: "col", class: "num", dataset: { label: CONDITION_SHORT[c] || c } }, h("span", { "aria-hidden": "true" }, CONDITION_SYMBOLS[c] || ""), " ", CONDITION_SHORT[c] || c)),
            ),
          ),
          h("tbody", null, rows),
        ),
      );
    }),
  );
}

// ---------------------------------------------------------------- everything, and live updates

// how long each redraw took (ms): read by bench/instructor_console.py
const timings = (window.parleyTimings = { render: [] });

function renderAll() {
  const t0 = performance.now();
  renderCounts();
  renderDrillOptions();
  drawOutcomes();
  renderSettlement();
  renderComparison();
  renderScales();
  drawJoint();
  drawAnchor();
  renderOptions();
  labelTables();
  document.body.dataset.signature = data.signature;
  timings.render.push(performance.now() - t0);
}

function setData(d) {
  if (data && d.signature === data.signature) return false;
  data = d;
  renderAll();
  return true;
}

const sessionKey = (negs) =>
  negs
    .map((n) => `${n.negotiation_id}:${n.status}:${n.offers_count}`)
    .sort()
    .join("|");
// in a study, each participant's stage: a questionnaire page finished may change the scales
const stageKey = (parts) =>
  parts
    .filter((p) => p.stage)
    .map((p) => `${p.participant_id}:${p.stage}:${p.stage_point}`)
    .join("|");
let lastStageKey = null; // set by the first push (the boot data has no participants)
setData(boot.initial);
lastSessionKey = sessionKey(boot.initial.negotiations);

let fetching = false;
let again = false;
let lastFetch = 0;
async function refresh() {
  if (fetching) {
    again = true;
    return;
  }
  const wait = 2000 - (Date.now() - lastFetch);
  if (wait > 0) {
    fetching = true;
    await new Promise((r) => setTimeout(r, wait));
    fetching = false;
  }
  fetching = true;
  lastFetch = Date.now();
  const res = await api("GET", boot.urls.data);
  fetching = false;
  if (res.ok && setData(res.data) && drill) {
    // the drilled negotiation may have new offers
    const n = res.data.negotiations.find((x) => x.negotiation_id === drill.negotiation_id);
    if (n && (n.offers_count !== drill.offers.length || n.status !== drill.status)) showPath(drill.negotiation_id);
  }
  if (again) {
    again = false;
    refresh();
  }
}

watchSession(
  boot.code,
  (msg) => {
    const key = sessionKey(msg.session.negotiations);
    const stages = stageKey(msg.session.participants || []);
    const staged = lastStageKey !== null && stages !== lastStageKey;
    lastStageKey = stages;
    if (key !== lastSessionKey || staged) {
      lastSessionKey = key;
      refresh();
    }
  },
  (status) => setLiveStatus($("#live-status"), status),
);
