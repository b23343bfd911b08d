// The end: the outcome (deal terms, or impasse and why), this role's points against the BATNA,
// and the debrief (both sides' points, joint points, what was left on the table, the chart).
import { debriefChart } from "./charts.js";
import { h } from "../shared/dom.js";
import { pts, signed, vsBatna } from "./dom.js";
import { termsList } from "./offers.js";
import { partnerName } from "./model.js";

/** Why the negotiation ended, in one or two sentences (also announced to screen readers). */
export function reasonWords(neg) {
  const o = neg.outcome;
  const partner = partnerName(neg);
  const by = o.by === neg.role ? "You" : partner;
  const pss = neg.post_settlement && neg.post_settlement.closed;
  if (o.reason === "accepted" && pss) {
    const changed = neg.post_settlement.deals_made > 0;
    const how = {
      closed: pss.by === neg.role ? "You closed the phase after the deal" : `${partner} closed the phase after the deal`,
      time: "The time after the deal ran out",
      offer_limit: "The last proposal after the deal was answered",
      instructor: "The instructor closed the phase after the deal",
    }[pss.reason] || "The phase after the deal closed";
    return `${how}; ${changed ? "the improved deal stands" : "the first deal stands"}.`;
  }
  switch (o.reason) {
    case "accepted":
      return o.by === neg.role ? `You accepted ${partner}'s package.` : `${partner} accepted your package.`;
    case "walked_away":
      return `${by} walked away, so there is no deal: both sides get their BATNA.`;
    case "instructor":
      return "The instructor ended the negotiation before an agreement, so there is no deal: both sides get their BATNA.";
    case "deadline":
      return "Time ran out before an agreement, so there is no deal: both sides get their BATNA.";
    default:
      return "The negotiation has ended without a deal: both sides get their BATNA.";
  }
}

function stat(label, value, note) {
  return h(
    "div",
    { class: "stat" },
    h("span", { class: "stat-label" }, label),
    h("span", { class: "stat-value" }, value),
    note ? h("span", { class: "stat-note" }, note) : null,
  );
}

export function outcomeCard(neg) {
  const o = neg.outcome;
  const agreed = o.reason === "accepted";
  const sc = neg.scenario;
  return h(
    "section",
    { class: `card ${agreed ? "card-accent-you" : ""}`, "aria-labelledby": "outcome-title" },
    h(
      "div",
      { class: "outcome-head" },
      h("span", { class: `outcome-icon${agreed ? "" : " impasse"}`, "aria-hidden": "true" }, agreed ? "✓" : "–"),
      h(
        "div",
        null,
        h("h2", { id: "outcome-title", class: "outcome-title" }, agreed ? "Deal reached" : "No deal"),
        h("p", { class: "muted flush" }, reasonWords(neg)),
      ),
    ),
    h(
      "div",
      { class: "grid-2 outcome-body" },
      h(
        "div",
        { class: "stack-sm" },
        h("div", { class: "stat-label" }, "Your points"),
        h("div", { class: "stat-value outcome-points" }, pts(o.points)),
        vsBatna(o.points, sc.batna),
        h("p", { class: "muted small" }, `Your BATNA was ${pts(sc.batna)} points.`),
      ),
      agreed && o.package
        ? h("div", { class: "outcome-terms" }, h("h3", { class: "section-title outcome-terms-title" }, "The terms you agreed"), termsList(sc, o.package))
        : h("p", { class: "muted" }, "No terms were agreed."),
    ),
  );
}

/** The post-settlement phase's path in words, or null without one. */
function pssFact(d, k, partner) {
  const p = d.post_settlement;
  if (!p) return null;
  const [f, e] = [p.first, p.final];
  const changed = p.deals.length > 1;
  return changed
    ? `After your first deal (you ${pts(f[k])}, ${partner} ${pts(f[1 - k])}) you improved it ${p.deals.length - 1} time${p.deals.length > 2 ? "s" : ""}: the final deal gives you ${pts(e[k])} (${signed(e[k] - f[k])}) and ${partner} ${pts(e[1 - k])} (${signed(e[1 - k] - f[1 - k])}). The dashed line on the chart is that path.`
    : `After your first deal you looked for a better one with ${p.proposals.length} proposal${p.proposals.length === 1 ? "" : "s"}; the first deal stood.`;
}

export function debriefCard(neg) {
  const d = neg.debrief;
  if (!d) return null;
  const k = d.you;
  const partner = partnerName(neg);
  const agreed = neg.outcome.reason === "accepted";
  const eff = d.efficiency === null || d.efficiency === undefined ? "—" : `${Math.round(d.efficiency * 100)}%`;
  const pareto =
    d.pareto_optimal === null || d.pareto_optimal === undefined
      ? "—"
      : d.pareto_optimal
        ? "✓ Yes"
        : "✗ No";
  const canvas = h("canvas", {
    role: "img",
    "aria-label": `Chart of every possible package by your points and ${partner}'s points, with the Pareto frontier${agreed ? " and your deal" : ""}. The list beside it gives the same figures.`,
  });
  const facts = [
    agreed
      ? `Your deal gives you ${pts(d.points[k])} and ${partner} ${pts(d.points[1 - k])} points: ${pts(d.joint)} together.`
      : `With no deal you get ${pts(d.points[k])} and ${partner} ${pts(d.points[1 - k])} points (your BATNAs): ${pts(d.joint)} together.`,
    `The best package for both of you together is worth ${pts(d.max_joint)} points, so ${pts(d.left_on_table)} points were left on the table.`,
    pssFact(d, k, partner),
    d.pareto_optimal === true
      ? "Your deal is on the Pareto frontier: no other package gives one of you more without giving the other less."
      : d.pareto_optimal === false
        ? "Your deal is below the Pareto frontier: another package would have given at least one of you more, and neither of you less."
        : null,
    `${partner}'s BATNA was ${pts(d.batnas[1 - k])} points; yours was ${pts(d.batnas[k])}.`,
    d.nash ? `The Nash solution (the fairest split of the gains over both BATNAs) gives you ${pts(d.nash[k])} and ${partner} ${pts(d.nash[1 - k])}.` : null,
  ].filter(Boolean);
  const card = h(
    "section",
    { class: "card", "aria-labelledby": "debrief-title" },
    h("h2", { id: "debrief-title", class: "section-title" }, "Debrief"),
    h("p", { class: "section-sub" }, `Now you can see both sides' points. ${partner} played the ${d.role_names[1 - k]}.`),
    h(
      "div",
      { class: "debrief-stats" },
      stat("Your points", pts(d.points[k]), `BATNA ${pts(d.batnas[k])}`),
      stat(`${partner}'s points`, pts(d.points[1 - k]), `BATNA ${pts(d.batnas[1 - k])}`),
      stat("Joint points", pts(d.joint), `of ${pts(d.max_joint)} possible`),
      stat("Left on the table", pts(d.left_on_table), "joint points"),
      stat("Efficiency", eff, "joint ÷ best joint"),
      stat(
        "Pareto-optimal",
        pareto,
        !agreed ? "only a deal can be" : d.pareto_optimal ? "no package is better for both" : "a package better for both existed",
      ),
    ),
    h(
      "div",
      { class: "debrief-grid" },
      h("div", { class: "chart-box chart-box-lg" }, canvas),
      h(
        "div",
        { class: "stack-sm" },
        h("h3", { class: "section-title" }, "What the chart shows"),
        h(
          "ul",
          { class: "debrief-points" },
          facts.map((f) => h("li", null, f)),
          h(
            "li",
            { class: "muted" },
            "Each grey dot is one possible package. The blue line is the Pareto frontier: the packages no other package beats for one of you without costing the other. Dashed lines are the BATNAs.",
          ),
        ),
      ),
    ),
  );
  card._draw = () => debriefChart(canvas, neg);
  return card;
}
