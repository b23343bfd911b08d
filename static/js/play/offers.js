// Offers as package cards: the terms, this role's points (the server's) and the difference to
// the BATNA. Incoming cards carry Accept and Counter.
import { h } from "../shared/dom.js";
import { pts, vsBatna } from "./dom.js";
import { optionOf } from "./model.js";

export function termsList(scenario, pkg, { points = true } = {}) {
  const items = [];
  for (const issue of scenario.issues) {
    const o = optionOf(scenario, issue.id, pkg[issue.id]);
    items.push(
      h(
        "div",
        null,
        h("dt", null, issue.name),
        h("dd", null, o ? o.label : "—"),
        h("dd", { class: "pts" }, o && points ? `${pts(o.points)}` : "", o && points ? h("span", { class: "visually-hidden" }, " points") : null),
      ),
    );
  }
  return h("dl", { class: "terms" }, items);
}

/**
 * The other side's offer as cards.
 * opts: {canAccept, onAccept(offer, index, errorEl, button), onCounter(offer, index)}
 */
export function offerCards(neg, offer, opts) {
  const sc = neg.scenario;
  const best = Math.max(...offer.points);
  const many = offer.packages.length > 1;
  return h(
    "div",
    { class: "offer-cards" },
    offer.packages.map((pkg, i) => {
      const value = offer.points[i];
      const headId = `offer-${offer.seq}-pkg-${i + 1}`;
      const errId = `${headId}-error`;
      const isBest = many && value === best;
      const card = h(
        "article",
        { class: `offer-card${isBest ? " is-best" : ""}`, "aria-labelledby": headId, "data-package": i + 1 },
        h(
          "h3",
          { id: headId },
          h("span", null, `Package ${i + 1}`, h("span", { class: "visually-hidden" }, ` of offer ${offer.seq}, worth ${pts(value)} points to you`)),
          isBest ? h("span", { class: "badge badge-you" }, "★ Best for you") : null,
        ),
        h(
          "div",
          { "aria-hidden": "true" },
          h("span", { class: "value" }, pts(value)),
          h("span", { class: "muted small" }, " points to you"),
        ),
        vsBatna(value, sc.batna),
        termsList(sc, pkg),
      );
      const actions = h("div", { class: "offer-actions" });
      const err = h("p", { class: "field-error", id: errId, role: "alert" });
      if (opts.canAccept) {
        const accept = h(
          "button",
          {
            type: "button",
            class: "btn btn-success",
            "aria-describedby": `${headId} ${errId}`,
            "data-fkey": `accept-${offer.id}-${i}`,
          },
          "Accept",
        );
        accept.addEventListener("click", () => opts.onAccept(offer, i, err, accept));
        actions.appendChild(accept);
      }
      if (opts.onCounter) {
        const counter = h(
          "button",
          {
            type: "button",
            class: "btn btn-secondary",
            "aria-describedby": headId,
            "data-fkey": `counter-${offer.id}-${i}`,
          },
          "Counter",
        );
        counter.addEventListener("click", () => opts.onCounter(offer, i));
        actions.appendChild(counter);
      }
      if (actions.childNodes.length) card.appendChild(actions);
      card.appendChild(err);
      return card;
    }),
  );
}
