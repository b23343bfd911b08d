// The timeline of every offer from both sides, with this role's points (the server's).
import { h } from "../shared/dom.js";
import { pts, timeOfDay } from "./dom.js";
import { termsList } from "./offers.js";
import { partnerName } from "./model.js";

export function timeline(neg) {
  if (!neg.offers.length) {
    return h("p", { class: "empty" }, "No offers yet. Every offer from both sides will be listed here.");
  }
  const partner = partnerName(neg);
  return h(
    "ol",
    { class: "timeline", "aria-label": "Offers, oldest first" },
    neg.offers.map((o) => {
      const mine = o.by === neg.role;
      const based = o.based_on
        ? neg.offers.find((x) => x.id === o.based_on.offer_id)
        : null;
      const n = o.packages.length;
      return h(
        "li",
        { class: mine ? "by-you" : "by-partner" },
        h("span", { class: "seq" }, `#${o.seq}`),
        h(
          "div",
          { class: "tl-head" },
          h("strong", { class: mine ? "who-you" : "who-partner" }, mine ? "You" : partner),
          h("span", null, n > 1 ? `offered ${n} packages` : "offered 1 package"),
          o.at ? h("span", { class: "muted" }, `at ${timeOfDay(o.at)}`) : null,
          based ? h("span", { class: "badge badge-neutral" }, `↩ counter to #${based.seq}, package ${o.based_on.package + 1}`) : null,
        ),
        h(
          "div",
          { class: "tl-packages" },
          o.points.map((p, i) =>
            h("span", { class: "tl-pkg" }, n > 1 ? h("span", { class: "muted" }, `P${i + 1}`) : null, `${pts(p)} pts`),
          ),
        ),
        h(
          "details",
          null,
          h("summary", null, "Terms", h("span", { class: "visually-hidden" }, ` of offer ${o.seq}`)),
          o.packages.map((pkg, i) =>
            h("div", { class: "stack-sm tl-terms" }, n > 1 ? h("strong", null, `Package ${i + 1}: ${pts(o.points[i])} points`) : null, termsList(neg.scenario, pkg)),
          ),
        ),
      );
    }),
  );
}

export function offersSummary(neg) {
  const partner = partnerName(neg);
  if (!neg.offers.length) return "No offers yet.";
  const parts = neg.offers.map(
    (o) => `offer ${o.seq} by ${o.by === neg.role ? "you" : partner}: ${o.points.map(pts).join(", ")} points`,
  );
  return `Your points for each offer: ${parts.join("; ")}. Your BATNA is ${pts(neg.scenario.batna)}.`;
}
