// The live page's window on one pair: its offers as they happen (both sides' points, which
// package was built on which), refreshed while open whenever the session's push shows the
// pair changed. A <dialog>: Escape or Close returns the focus to the row's button.
import { api, errorText, fmt } from "./common.js";
import { h } from "../shared/dom.js";

const REASONS = { accepted: "agreed", walked_away: "impasse: walked away", deadline: "impasse: time ran out", instructor: "impasse: ended by you" };

export class Watch {
  constructor(dialog, pathUrl) {
    this.dialog = dialog;
    this.pathUrl = pathUrl;
    this.nid = null;
    this.sig = null;
    dialog.addEventListener("close", () => {
      this.nid = null;
      if (this.opener && this.opener.isConnected) this.opener.focus();
    });
  }

  /** Open the dialog on a negotiation (its summary row ``n``), from the button ``opener``. */
  async open(n, opener) {
    this.nid = n.negotiation_id;
    this.opener = opener;
    this.sig = null;
    await this.refresh(n);
    if (!this.dialog.open) this.dialog.showModal();
  }

  /** Called with every push: reload when the watched pair changed. */
  async update(negs) {
    if (!this.nid) return;
    const n = negs.find((x) => x.negotiation_id === this.nid);
    if (n) await this.refresh(n);
  }

  async refresh(n) {
    const sig = `${n.status}:${n.offers_count}`;
    if (sig === this.sig) return;
    this.sig = sig;
    const res = await api("GET", this.pathUrl.replace("NID", encodeURIComponent(n.negotiation_id)));
    const title = this.dialog.querySelector("#watch-title");
    const body = this.dialog.querySelector("#watch-body");
    if (!res.ok) {
      body.replaceChildren(h("p", { class: "field-error" }, errorText(res.data)));
      return;
    }
    const p = res.data;
    const state = p.outcome ? REASONS[p.outcome.reason] || p.outcome.reason : "open";
    title.textContent = `${p.names[0]} and ${p.names[1]}`;
    this.dialog.querySelector("#watch-sub").textContent = `${p.role_names[0]} and ${p.role_names[1]}${p.round ? ` · round ${p.round}` : ""} · ${p.offers.length} offer${p.offers.length === 1 ? "" : "s"} · ${state}`;
    const rows = [];
    for (const o of p.offers) {
      o.packages.forEach((pk, j) => {
        const note = [];
        if (j === 0 && o.based_on) note.push(`built on package ${o.based_on.package + 1} of offer ${o.seq - 1}`);
        if (o.accepted === pk.index) note.push("accepted");
        rows.push(
          h(
            "tr",
            { class: o.accepted === pk.index ? "is-accepted" : "" },
            j === 0 ? h("th", { scope: "row", class: "num", rowspan: o.packages.length, dataset: { label: "Offer" } }, o.seq) : null,
            j === 0 ? h("td", { rowspan: o.packages.length, dataset: { label: "By" } }, `${p.names[o.by_index]} (${p.role_names[o.by_index]})`) : null,
            h("td", { class: "num", dataset: { label: "Package" } }, o.packages.length > 1 ? `${pk.index + 1} of ${o.packages.length}` : "1"),
            h("td", { class: "num", dataset: { label: p.role_names[0] } }, fmt(pk.points[0])),
            h("td", { class: "num", dataset: { label: p.role_names[1] } }, fmt(pk.points[1])),
            note.length ? h("td", { dataset: { label: "Note" } }, note.join("; ")) : h("td"),
          ),
        );
      });
    }
    if (!rows.length) rows.push(h("tr", null, h("td", { colspan: 6 }, "No offer yet.")));
    body.replaceChildren(
      h(
        "div",
        { class: "table-wrap scroll", role: "region", tabindex: "0", "aria-label": "Offers of this pair" },
        h(
          "table",
          { class: "data phone-cards", id: "watch-table" },
          h("caption", { class: "visually-hidden" }, "Offers in order, each package with both sides' points"),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col", class: "num" }, "#"),
              h("th", { scope: "col" }, "By"),
              h("th", { scope: "col", class: "num" }, "Package"),
              h("th", { scope: "col", class: "num" }, p.role_names[0]),
              h("th", { scope: "col", class: "num" }, p.role_names[1]),
              h("th", { scope: "col" }, "Note"),
            ),
          ),
          h("tbody", null, rows),
        ),
      ),
    );
  }
}
