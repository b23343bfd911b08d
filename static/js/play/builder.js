// The offer builder: one column per package, a select per issue ("<issue>, package N"),
// each package's value to this role summed live, Add package / Remove, the equivalence
// indicator, Suggest equivalent package (the server's MESO helper) and Send offer.
import { equivalent, spread } from "../shared/equivalence.js";
import { announce, h, replaceChildren } from "../shared/dom.js";
import { pts, setError, signed, vsBatna } from "./dom.js";
import { cleanPackage, emptyPackage, isComplete, packageValue, partnerName, samePackage } from "./model.js";
import { mayPropose, openPhase } from "./pss.js";

// drafts live in this tab (sessionStorage), by negotiation and role: two tabs may play both sides
const DRAFT_KEY = "parley.draft.";

function loadDraft(key) {
  try {
    const raw = window.sessionStorage.getItem(DRAFT_KEY + key);
    const d = raw ? JSON.parse(raw) : null;
    return d && Array.isArray(d.packages) ? d : null;
  } catch {
    return null;
  }
}

function saveDraft(key, draft) {
  try {
    window.sessionStorage.setItem(DRAFT_KEY + key, JSON.stringify(draft));
  } catch {
    // storage full or blocked: the draft lives in this page only
  }
}

export class Builder {
  /**
   * root: the builder's <section>; call(event, payload) -> Promise<answer>
   */
  constructor(root, call) {
    this.root = root;
    this.call = call;
    this.neg = null;
    this.draft = null;
    this.busy = false;

    this.note = root.querySelector("[data-builder-note]");
    this.hint = root.querySelector("[data-builder-hint]");
    this.columns = root.querySelector("[data-builder-packages]");
    this.equiv = root.querySelector("[data-builder-equiv]");
    this.addBtn = root.querySelector("[data-action=add]");
    this.suggestBtn = root.querySelector("[data-action=suggest]");
    this.sendBtn = root.querySelector("[data-action=send]");
    this.clearBtn = root.querySelector("[data-action=clear]");
    this.suggestErr = root.querySelector("#suggest-error");
    this.sendErr = root.querySelector("#send-error");
    this.sendOk = root.querySelector("#send-status");
    this.sendHint = root.querySelector("#send-hint");
    this.multi = root.querySelectorAll("[data-multi]");

    this.addBtn.addEventListener("click", () => this.addPackage());
    this.suggestBtn.addEventListener("click", () => this.suggest());
    this.sendBtn.addEventListener("click", () => this.send());
    this.clearBtn.addEventListener("click", () => {
      this.reset();
      this.focusFirst(0);
      announce("The offer builder is cleared.");
    });
  }

  get draftKey() {
    return `${this.neg.id}.${this.neg.role}`;
  }

  get sc() {
    return this.neg.scenario;
  }

  get bounds() {
    return this.neg.package_bounds || [1, this.sc.max_packages];
  }

  get myTurn() {
    if (openPhase(this.neg)) return mayPropose(this.neg); // after a deal: either side proposes
    return this.neg.status === "open" && this.neg.turn === this.neg.role;
  }

  /** Every offer and post-settlement proposal of this negotiation (what a counter starts from). */
  get known() {
    const p = this.neg.post_settlement;
    return [...this.neg.offers, ...(p && p.proposals ? p.proposals : [])];
  }

  /** A new `state`: keep the draft, adapt controls; a new negotiation starts a new draft. */
  update(neg) {
    const fresh = !this.neg || this.neg.id !== neg.id;
    this.neg = neg;
    let changed = fresh;
    if (fresh) this.draft = loadDraft(this.draftKey) || this.blank();
    if (this.draft.basedOn && !this.known.some((o) => o.id === this.draft.basedOn.offer_id)) {
      this.draft.basedOn = null;
      changed = true;
    }
    if (this.isPristine() && this.draft.packages.length !== Math.max(1, this.bounds[0])) {
      // an untouched builder follows the rule: 2 empty packages for a MESO opening, else 1
      this.draft = this.blank();
      changed = true;
    }
    if (changed) this.rebuild();
    this.refresh();
  }

  blank() {
    const n = Math.max(1, this.bounds[0]);
    return { packages: Array.from({ length: n }, () => emptyPackage(this.sc)), basedOn: null };
  }

  isPristine() {
    return !this.draft.basedOn && this.draft.packages.every((p) => Object.values(p).every((v) => !v));
  }

  reset() {
    this.draft = this.blank();
    this.store();
    this.rebuild();
    this.refresh();
  }

  store() {
    saveDraft(this.draftKey, this.draft);
  }

  /** Counter: start from the other side's package, remembered as `based_on`. */
  counterFrom(offer, index) {
    const pkg = { ...emptyPackage(this.sc), ...offer.packages[index] };
    this.draft = { packages: [pkg], basedOn: { offer_id: offer.id, package: index, seq: offer.seq } };
    this.store();
    this.rebuild();
    this.refresh();
    setError(this.sendErr, "");
    this.sendOk.textContent = "";
    this.focusFirst(0); // brings the builder into view
    announce(
      `The offer builder starts from package ${index + 1} of offer ${offer.seq}. Change what you want, then send.`,
    );
  }

  focusFirst(pkgIndex) {
    const sel = this.columns.querySelector(`select[data-pkg="${pkgIndex}"]`);
    if (sel) sel.focus({ preventScroll: false });
  }

  addPackage(pkg) {
    const [, hi] = this.bounds;
    if (this.draft.packages.length >= hi) return;
    const last = this.draft.packages[this.draft.packages.length - 1];
    this.draft.packages.push(pkg || { ...last });
    this.store();
    this.rebuild();
    this.refresh();
    const n = this.draft.packages.length;
    if (!pkg) {
      this.focusFirst(n - 1);
      announce(`Package ${n} added as a copy of package ${n - 1}. Change some options to make it different.`);
    }
  }

  removePackage(i) {
    if (this.draft.packages.length <= 1) return;
    this.draft.packages.splice(i, 1);
    this.store();
    this.rebuild();
    this.refresh();
    const next = Math.min(i, this.draft.packages.length - 1);
    this.focusFirst(next);
    announce(`Package ${i + 1} removed.`);
  }

  // ------------------------------------------------------------------ drawing
  rebuild() {
    const sc = this.sc;
    const cols = this.draft.packages.map((pkg, i) => {
      const n = i + 1;
      const titleId = `pkg-${n}-title`;
      const remove = h(
        "button",
        {
          type: "button",
          class: "btn btn-ghost btn-sm",
          "aria-label": `Remove package ${n}`,
          "data-fkey": `remove-${i}`,
        },
        "Remove",
      );
      remove.addEventListener("click", () => this.removePackage(i));
      const fields = sc.issues.map((issue) => {
        const id = `pkg-${n}-${issue.id}`;
        const best = Math.max(...issue.options.map((o) => o.points));
        const select = h(
          "select",
          {
            id,
            class: "select",
            "aria-label": `${issue.name}, package ${n}`,
            "data-pkg": i,
            "data-issue": issue.id,
            "data-fkey": id,
          },
          h("option", { value: "" }, "Choose an option…"),
          issue.options.map((o) =>
            h(
              "option",
              { value: o.id, selected: pkg[issue.id] === o.id },
              `${o.label} · ${pts(o.points)} pts${o.points === best ? " ★" : ""}`,
            ),
          ),
        );
        select.addEventListener("change", () => {
          this.draft.packages[i][issue.id] = select.value;
          this.store();
          this.refresh();
          const v = packageValue(sc, this.draft.packages[i]);
          if (v !== null) announce(`Package ${n}: ${pts(v)} points to you.`);
        });
        return h(
          "div",
          { class: "field" },
          h("label", { for: id }, issue.name),
          select,
        );
      });
      return h(
        "section",
        { class: "builder-package", "aria-labelledby": titleId },
        h(
          "header",
          null,
          h("h3", { id: titleId }, `Package ${n}`),
          this.draft.packages.length > 1 ? remove : null,
        ),
        h("div", { class: "builder-fields" }, fields),
        h(
          "div",
          { class: "builder-total", "data-total": i },
          h("span", { class: "muted small" }, "Worth to you"),
          h("span", { class: "value", "data-value": "" }, "—"),
          h("span", { "data-vs": "" }),
        ),
      );
    });
    this.columns.dataset.count = String(cols.length);
    replaceChildren(this.columns, ...cols);

    const b = this.draft.basedOn;
    if (b) {
      const clear = h("button", { type: "button", class: "btn btn-ghost btn-sm", "data-fkey": "unbase" }, "Start from scratch");
      clear.addEventListener("click", () => {
        this.reset();
        this.focusFirst(0);
      });
      replaceChildren(
        this.note,
        h("span", null, "↩ Countering ", h("strong", null, `package ${b.package + 1} of offer ${b.seq ?? ""}`.replace(/ $/, "")), ". Change any option, then send."),
        clear,
      );
      this.note.hidden = false;
    } else {
      this.note.hidden = true;
      replaceChildren(this.note);
    }
  }

  refresh() {
    const sc = this.sc;
    const neg = this.neg;
    const [lo, hi] = this.bounds;
    const pkgs = this.draft.packages;
    const values = pkgs.map((p) => packageValue(sc, p));
    const phase = openPhase(neg);

    pkgs.forEach((_, i) => {
      const box = this.columns.querySelector(`[data-total="${i}"]`);
      if (!box) return;
      box.querySelector("[data-value]").textContent = values[i] === null ? "—" : `${pts(values[i])} pts`;
      const vs = box.querySelector("[data-vs]");
      replaceChildren(vs, values[i] === null ? h("span", { class: "muted small" }, "choose every option") : vsBatna(values[i], sc.batna));
      if (phase && values[i] !== null && values[i] < phase.deal.points) {
        // allowed (people do), but said: this proposal is worth less to you than the deal
        vs.appendChild(
          h("span", { class: "field-error pss-warn", "data-pss-warn": "" },
            `⚠ Worth ${pts(phase.deal.points - values[i])} less to you than the deal in force (${pts(phase.deal.points)}).`),
        );
      }
    });

    // how many packages
    const single = hi <= 1;
    for (const el of this.multi) el.hidden = single;
    let hint;
    if (single) hint = "Every offer is exactly one package.";
    else if (lo >= 2) hint = `This offer needs ${lo}–${hi} packages of equal value to you (a MESO). Your partner picks one.`;
    else hint = `An offer may have 1–${hi} packages. Two or more must be of equal value to you; your partner picks one.`;
    this.hint.textContent = hint;

    // equivalence
    this.drawEquivalence(values);

    // buttons
    this.addBtn.disabled = pkgs.length >= hi;
    const firstComplete = isComplete(sc, pkgs[0]);
    const slot = this.suggestSlot();
    this.suggestBtn.disabled = this.busy || single || slot === null;
    this.suggestBtn.title = slot === null ? `An offer holds at most ${hi} packages` : "";

    const open = neg.status === "open";
    const left = phase ? phase.proposals_left : neg.offers_left;
    const canSend = open && this.myTurn && left > 0;
    this.sendBtn.textContent = phase ? "Send proposal" : "Send offer";
    this.sendBtn.disabled = this.busy || !canSend;
    const partner = partnerName(neg);
    let why = "";
    if (!open) why = "The negotiation has ended.";
    else if (phase && left <= 0) why = "No proposals are left: the deal stands.";
    else if (phase && !this.myTurn) why = `Wait for ${partner}'s answer to your proposal.`;
    else if (phase) why = firstComplete ? "Nothing changes unless the other side accepts." : "Choose an option for every issue, then send.";
    else if (!this.myTurn)
      why = neg.offers.length
        ? `Wait for ${partner}'s answer before you send another offer.`
        : `${partner} makes the first offer; you answer it here.`;
    else if (neg.offers_left <= 0) why = "No offers are left: accept the last offer or walk away.";
    else if (!firstComplete) why = "Choose an option for every issue, then send.";
    else if (neg.offers_left === 1) why = "This is the last offer: after it, your partner can only accept or walk away.";
    this.sendHint.textContent = why;
  }

  drawEquivalence(values) {
    const sc = this.sc;
    const tol = sc.meso_tolerance;
    const pkgs = this.draft.packages;
    const box = this.equiv;
    box.classList.remove("is-bad");
    if (pkgs.length < 2) {
      replaceChildren(
        box,
        h("div", null, h("strong", null, "Equivalence: "), `one package, nothing to compare. Packages in one offer may differ by at most ${pts(tol)} points to you.`),
      );
      return;
    }
    if (values.some((v) => v === null)) {
      replaceChildren(
        box,
        h("div", null, h("strong", null, "Equivalence: "), `choose every option to compare the packages (they may differ by at most ${pts(tol)} points).`),
      );
      return;
    }
    for (let a = 0; a < pkgs.length; a++) {
      for (let b = 0; b < a; b++) {
        if (samePackage(sc, pkgs[a], pkgs[b])) {
          box.classList.add("is-bad");
          replaceChildren(
            box,
            h("div", null, h("span", { class: "equiv-verdict bad" }, "✗ Not valid: "), `packages ${b + 1} and ${a + 1} are the same. Change at least one option.`),
          );
          return;
        }
      }
    }
    const gap = spread(values);
    const ok = equivalent(values, tol);
    const scale = Math.max(tol * 2, gap, 1);
    box.classList.toggle("is-bad", !ok);
    replaceChildren(
      box,
      h(
        "div",
        null,
        h("span", { class: `equiv-verdict ${ok ? "ok" : "bad"}` }, ok ? "✓ Equivalent: " : "✗ Not equivalent: "),
        `the packages differ by ${pts(gap)} points to you; the limit is ${pts(tol)}.`,
      ),
      h(
        "div",
        {
          class: "meter",
          role: "img",
          "aria-label": `Spread ${pts(gap)} of at most ${pts(tol)} points`,
        },
        h("div", { class: "meter-fill", style: { width: `${Math.max(2, (100 * gap) / scale)}%` } }),
        h("div", { class: "meter-limit", style: { left: `${(100 * tol) / scale}%` } }),
      ),
      h(
        "div",
        { class: "muted small" },
        `Values: ${values.map((v) => pts(v)).join(" · ")} points${ok ? "" : ` (${signed(gap - tol)} over the limit)`}`,
      ),
    );
  }

  /** Which package the next suggestion fills: the first empty one after package 1, or a new one. */
  suggestSlot() {
    const pkgs = this.draft.packages;
    const [, hi] = this.bounds;
    for (let i = 1; i < pkgs.length; i++) if (!isComplete(this.sc, pkgs[i])) return i;
    return pkgs.length < hi ? pkgs.length : null;
  }

  // ------------------------------------------------------------------ actions
  async suggest() {
    const sc = this.sc;
    setError(this.suggestErr, "");
    const pkgs = this.draft.packages;
    if (!isComplete(sc, pkgs[0])) {
      setError(this.suggestErr, "Choose an option for every issue in package 1 first: suggestions match its value");
      this.focusFirst(0);
      return;
    }
    const slot = this.suggestSlot();
    if (slot === null) return;
    const given = pkgs.filter((p) => isComplete(sc, p)).map((p) => cleanPackage(sc, p));
    const givenValues = given.map((p) => packageValue(sc, p));
    if (!equivalent(givenValues, sc.meso_tolerance)) {
      setError(
        this.suggestErr,
        `Your packages are not equivalent yet (they differ by ${pts(spread(givenValues))} points). Make them equivalent first, or clear the one that is off`,
      );
      return;
    }
    this.busy = true;
    this.suggestBtn.setAttribute("aria-busy", "true");
    this.refresh();
    // the server's suggestions are equivalent to every package given and differ from them
    const res = await this.call("suggest", { packages: given, count: given.length + 1 });
    this.busy = false;
    this.suggestBtn.removeAttribute("aria-busy");
    if (!res.ok) {
      setError(this.suggestErr, res.error.message);
      this.refresh();
      return;
    }
    if (!res.packages || !res.packages.length) {
      const target = given.length > 1 ? "all your packages" : `about ${pts(givenValues[0])} points`;
      setError(
        this.suggestErr,
        `No other package is worth ${given.length > 1 ? "the same as " : ""}${target} to you. Change package 1 and try again`,
      );
      this.refresh();
      return;
    }
    const pkg = { ...emptyPackage(sc), ...res.packages[0] };
    if (slot < pkgs.length) pkgs[slot] = pkg;
    else pkgs.push(pkg);
    this.store();
    this.rebuild();
    this.refresh();
    this.suggestBtn.focus();
    announce(`Package ${slot + 1} is now an equivalent package worth ${pts(res.points[0])} points to you.`);
  }

  async send() {
    const sc = this.sc;
    setError(this.sendErr, "");
    this.sendOk.textContent = "";
    const payload = { packages: this.draft.packages.map((p) => cleanPackage(sc, p)) };
    if (this.draft.basedOn) {
      payload.based_on = { offer_id: this.draft.basedOn.offer_id, package: this.draft.basedOn.package };
    }
    this.busy = true;
    this.refresh();
    const res = await this.call("propose", payload);
    this.busy = false;
    if (!res.ok) {
      setError(this.sendErr, res.error.message);
      this.refresh();
      this.sendErr.scrollIntoView({ block: "nearest" });
      return;
    }
    const n = payload.packages.length;
    this.draft = { packages: [emptyPackage(sc)], basedOn: null };
    this.store();
    this.rebuild();
    this.refresh();
    const what = openPhase(this.neg) ? "Proposal" : "Offer";
    this.sendOk.textContent = `✓ ${what} sent with ${n} package${n === 1 ? "" : "s"}.`;
    announce(`${what} sent with ${n} package${n === 1 ? "" : "s"}.`);
    // the Send button is gone with the turn: keep the focus on the page, on what was sent
    const to = this.sendOk.offsetParent ? this.sendOk : document.getElementById("status");
    if (to) to.focus({ preventScroll: !this.sendOk.offsetParent });
  }
}
