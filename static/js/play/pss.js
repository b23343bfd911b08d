// The post-settlement phase (protocol pss): after a deal, the pair may look for a better one.
// The card explains the phase, shows the deal in force (always), the proposal waiting for an
// answer (Accept a package / Counter / Decline), the proposals so far, each with YOUR points
// against your points in the deal in force, and "Close and keep the deal".
import { h } from "../shared/dom.js";
import { pts, signed } from "./dom.js";
import { partnerName } from "./model.js";
import { termsList } from "./offers.js";

/** The phase when it is open in this view, else null. */
export function openPhase(neg) {
  const p = neg && neg.post_settlement;
  return p && p.state === "open" ? p : null;
}

/** The proposal waiting for an answer, or null. */
export function pendingProposal(phase) {
  return phase && phase.pending ? phase.proposals.find((x) => x.id === phase.pending) || null : null;
}

/** Whether this role may propose now (no proposal of its own waits, some are left). */
export function mayPropose(neg) {
  const p = openPhase(neg);
  if (!p || p.proposals_left <= 0) return false;
  const waiting = pendingProposal(p);
  return !waiting || waiting.by !== neg.role;
}

function vsDeal(value, deal) {
  const d = value - deal;
  const cls = d > 0 ? "above" : d < 0 ? "below" : "equal";
  const words = d > 0 ? `${pts(d)} more than the deal in force` : d < 0 ? `${pts(-d)} less than the deal in force` : "the same as the deal in force";
  return h("span", { class: `vs-batna ${cls}` }, h("span", { "aria-hidden": "true" }, d > 0 ? "▲" : d < 0 ? "▼" : "="), words);
}

/**
 * The phase's card. acts: {accept(proposal, index, errEl, button), counter(proposal, index),
 * decline(proposal, errEl, button), close(errEl, button)}
 */
export function phaseCard(neg, acts) {
  const p = neg.post_settlement;
  const sc = neg.scenario;
  const partner = partnerName(neg);
  const waiting = pendingProposal(p);
  const theirs = waiting && waiting.by !== neg.role;
  const parts = [
    h("h2", { id: "pss-title", class: "section-title" }, "Deal reached: now look for a better one"),
    h("p", { class: "banner banner-info flush", id: "pss-rule" }, h("span", { class: "banner-icon", "aria-hidden": "true" }, "i"), h("span", null, p.rule)),
    h(
      "div",
      { class: "pss-deal", "data-pss-deal": "" },
      h("h3", { class: "section-title" }, "The deal in force"),
      h("p", { class: "flush" }, h("span", { class: "value" }, pts(p.deal.points)), " points to you",
        p.deals_made ? h("span", { class: "muted small" }, ` (first deal: ${pts(p.first_deal.points)}, ${signed(p.deal.points - p.first_deal.points)})`) : null),
      termsList(sc, p.deal.package),
    ),
  ];
  if (waiting) {
    const err = h("p", { class: "field-error", role: "alert" });
    const cards = waiting.packages.map((pkg, i) => {
      const headId = `pss-${waiting.seq}-pkg-${i + 1}`;
      const card = h(
        "article",
        { class: `offer-card${theirs ? "" : " mine"}`, "aria-labelledby": headId, "data-package": i + 1 },
        h("h3", { id: headId }, `Package ${i + 1}`, h("span", { class: "visually-hidden" }, ` of proposal ${waiting.seq}, worth ${pts(waiting.points[i])} points to you`)),
        h("div", { "aria-hidden": "true" }, h("span", { class: "value" }, pts(waiting.points[i])), h("span", { class: "muted small" }, " points to you")),
        vsDeal(waiting.points[i], p.deal.points),
        termsList(sc, pkg),
      );
      if (theirs) {
        const accept = h("button", { type: "button", class: "btn btn-success", "aria-describedby": headId }, "Accept this package");
        accept.addEventListener("click", () => acts.accept(waiting, i, err, accept));
        const counter = h("button", { type: "button", class: "btn btn-secondary", "aria-describedby": headId }, "Counter");
        counter.addEventListener("click", () => acts.counter(waiting, i));
        card.appendChild(h("div", { class: "offer-actions" }, accept, p.proposals_left > 0 ? counter : null));
      }
      return card;
    });
    parts.push(
      h("h3", { class: "section-title" }, theirs ? `${partner}'s proposal #${waiting.seq}` : `Your proposal #${waiting.seq} waits for ${partner}`),
      h("p", { class: "section-sub" }, theirs
        ? "Accept one package (it becomes the deal), counter with a proposal of your own, or decline it: the deal stays as it is."
        : `${partner} may accept it, counter or decline. Until then the deal stays as it is.`),
      h("div", { class: "offer-cards" }, cards),
    );
    if (theirs) {
      const decline = h("button", { type: "button", class: "btn" }, "Decline");
      decline.addEventListener("click", () => acts.decline(waiting, err, decline));
      parts.push(h("div", { class: "offer-actions" }, decline));
    }
    parts.push(err);
  } else {
    parts.push(h("p", { class: "muted" }, p.proposals_left > 0
      ? `No proposal waits. Either of you may propose a change below (${p.proposals_left} of ${p.max_offers} proposals left).`
      : "No proposals are left: the deal stands."));
  }
  const answered = p.proposals.filter((x) => x.answer);
  if (answered.length) {
    const words = { accepted: "accepted", declined: "declined", countered: "countered" };
    parts.push(
      h("h3", { class: "section-title" }, "Proposals so far"),
      h("ol", { class: "pss-history" }, answered.map((x) => h("li", null,
        `#${x.seq} by ${x.by === neg.role ? "you" : partner}: ${x.points.map((v) => pts(v)).join(" / ")} points to you, against ${pts(x.deal_points)} in the deal then; ${words[x.answer]}.`))),
    );
  }
  const closeErr = h("p", { class: "field-error", role: "alert" });
  const close = h("button", { type: "button", class: "btn btn-primary", id: "pss-close" }, "Close and keep the deal");
  close.addEventListener("click", () => acts.close(closeErr, close));
  parts.push(h("div", { class: "control" }, close, h("p", { class: "hint" }, "Ends the negotiation with the deal in force. Either of you may close at any time."), closeErr));
  return parts;
}
