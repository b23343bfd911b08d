// The screens of the protocols with a middle seat (docs/protocols.md): a party and the mediator
// in a mediated negotiation, a party and the facilitator in a single negotiating text. Drawn
// whole from each `state` into #view-middle; every action goes through `call` and its answer's
// error is shown beside the control that sent it. Text from users is only ever set as text.
import { h, keyed, replaceChildren } from "../shared/dom.js";
import { markdown, pts, setError } from "./dom.js";
import { optionOf } from "./model.js";
import { pointsTable } from "./table.js";
import { debriefChart } from "./charts.js";

const SEAT_NAMES = { mediator: "mediator", facilitator: "facilitator" };

function label(sc, issueId, optionId) {
  const issue = sc.issues.find((i) => i.id === issueId);
  const o = issue && issue.options.find((x) => x.id === optionId);
  return o ? o.label : optionId;
}

function terms(sc, pkg) {
  return h(
    "dl",
    { class: "terms" },
    sc.issues.map((issue) => {
      const o = optionOf(sc, issue.id, pkg[issue.id]);
      return h(
        "div",
        null,
        h("dt", null, issue.name),
        h("dd", null, o ? o.label : "—"),
        o && o.points !== undefined ? h("dd", { class: "pts" }, pts(o.points), h("span", { class: "visually-hidden" }, " points")) : null,
      );
    }),
  );
}

function errorBox(id) {
  return h("p", { id, class: "field-error", role: "alert" });
}

/** An action button: calls, disables meanwhile, shows the server's error in `err`. */
function act(call, text, cls, kind, payloadFn, err, extra = {}) {
  const b = h("button", { type: "button", class: `btn ${cls}`, ...extra }, text);
  b.addEventListener("click", async () => {
    setError(err, "");
    const payload = payloadFn();
    if (payload === null) return;
    b.disabled = true;
    const res = await call(kind, payload);
    b.disabled = false;
    if (!res.ok) {
      setError(err, res.error.message);
      b.focus();
    }
  });
  return b;
}

function chatBox(call, title, id, messages, names, to, done) {
  const log = h(
    "ol",
    { class: "chat-log", role: "log", "aria-label": `${title}: messages` },
    messages.map((m) => h("li", { class: "chat-msg" }, h("strong", null, `${names(m.by)}: `), h("span", null, m.text))),
  );
  const err = errorBox(`${id}-error`);
  const input = h("input", { id: `${id}-input`, class: "input", maxlength: "1000", autocomplete: "off", "aria-describedby": `${id}-error` });
  const form = h(
    "form",
    { class: "chat-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: `${id}-input`, class: "visually-hidden" }, "Message"), input),
    h("button", { type: "submit", class: "btn btn-primary" }, "Send"),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    setError(err, "");
    const text = input.value.trim();
    if (!text) {
      setError(err, "Write a message first");
      return;
    }
    const res = await call("chat", to ? { text, to } : { text });
    if (res.ok) input.value = "";
    else setError(err, res.error.message);
    input.focus();
  });
  return h("section", { class: "card", id, "aria-label": title }, h("h2", { class: "section-title" }, title), log, done ? null : form, err);
}

function walkAway(call, sc) {
  const err = errorBox("mid-walk-error");
  const confirm = act(call, "Yes, walk away", "btn-danger btn-solid", "walk_away", () => ({}), err, { hidden: true, "data-action": "walk-confirm" });
  const first = h("button", { type: "button", class: "btn btn-danger", "data-action": "walk" }, "Walk away");
  first.addEventListener("click", () => {
    confirm.hidden = false;
    confirm.focus();
  });
  return h(
    "section",
    { class: "card card-flat walk-away" },
    h("div", null, h("h2", { class: "section-title" }, "Walk away"), h("p", { class: "muted small" }, `End it without a deal: you get your BATNA, ${pts(sc.batna)} points.`)),
    h("div", { class: "control" }, first, confirm, err),
  );
}

function outcomeBox(neg) {
  const o = neg.outcome;
  if (!o) return null;
  const agreed = o.reason === "accepted";
  const why = agreed ? "Both parties agreed." : o.reason === "walked_away" ? "A party walked away." : "Time ran out or the instructor ended it.";
  const d = neg.debrief;
  return h(
    "section",
    { class: "card", "aria-labelledby": "mid-outcome-title" },
    h("h2", { id: "mid-outcome-title", class: "section-title", tabindex: "-1" }, agreed ? "Deal reached" : "No deal"),
    h("p", null, why, o.points !== undefined ? ` You get ${pts(o.points)} points.` : ""),
    agreed ? terms(neg.scenario, o.package) : null,
    d
      ? h(
          "div",
          null,
          h("h3", { class: "small" }, `The path of ${neg.protocol === "mediated" ? "proposals" : "drafts"}`),
          // the chart for the eye; the table below gives the same points for screen readers
          h(
            "div",
            { class: "chart-box chart-box-lg", "aria-hidden": "true" },
            h("canvas", { id: "mid-path-chart", "data-path-chart": "" }),
          ),
          h(
            "table",
            { class: "table table-compact", id: "mid-path" },
            h("caption", { class: "visually-hidden" }, `Each ${neg.protocol === "mediated" ? "proposal" : "draft"} in order: both parties' points and its distance to the best deals`),
            h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, d.role_names[0]), h("th", null, d.role_names[1]), h("th", null, "Distance to the best deals"))),
            h(
              "tbody",
              null,
              d.path.map((s) => h("tr", null, h("td", null, String(s.seq)), h("td", null, pts(s.points[0])), h("td", null, pts(s.points[1])), h("td", null, pts(s.distance)))),
            ),
          ),
          h("p", { class: "muted small" }, `Joint points ${pts(d.joint)} of ${pts(d.max_joint)} possible.`),
        )
      : null,
  );
}

function privateSide(neg) {
  const sc = neg.scenario;
  return [
    h("section", { class: "card", id: "mid-points" }, h("h2", { class: "section-title" }, "Your points ", h("span", { class: "badge badge-neutral" }, "private")), pointsTable(sc)),
    h("section", { class: "card brief" }, h("h2", { class: "section-title" }, "Your brief"), markdown(sc.brief)),
  ];
}

// ------------------------------------------------------------------ mediated: a party
function mediatedParty(neg, call, done) {
  const sc = neg.scenario;
  const latest = neg.proposals[neg.proposals.length - 1] || null;
  const main = [];
  if (done) main.push(outcomeBox(neg));
  const err = errorBox("answer-error");
  const reason = h("input", { id: "answer-reason", class: "input", maxlength: "500", "aria-describedby": "answer-error" });
  const open = latest && latest.status === "open" && !latest.your_answer && !done;
  main.push(
    h(
      "section",
      { class: "card card-accent-partner", id: "proposal", "aria-labelledby": "proposal-title" },
      h("h2", { id: "proposal-title", class: "section-title" }, latest ? `The mediator's proposal #${latest.seq}` : "No proposal yet"),
      latest ? h("p", { class: "section-sub" }, latest.note ? `${latest.note} · ` : "", `Worth ${pts(latest.points)} points to you.`) : h("p", { class: "empty" }, "The mediator's proposals appear here."),
      latest ? terms(sc, latest.package) : null,
      latest && latest.your_answer ? h("p", { class: "hint", "data-answer": latest.your_answer.accept ? "accept" : "reject" }, `You ${latest.your_answer.accept ? "accepted" : "rejected"} it. ${latest.status === "rejected" ? "It was rejected." : ""}`) : null,
      latest && !latest.your_answer && latest.status === "rejected" ? h("p", { class: "hint" }, "It was rejected.") : null,
      open
        ? h(
            "div",
            { class: "stack-sm" },
            h("div", { class: "field" }, h("label", { for: "answer-reason" }, "Your reason (optional, for the mediator only)"), reason),
            h(
              "div",
              { class: "builder-actions" },
              act(call, "Accept", "btn-primary", "answer", () => ({ proposal_id: latest.id, accept: true, reason: reason.value }), err),
              act(call, "Reject", "btn-secondary", "answer", () => ({ proposal_id: latest.id, accept: false, reason: reason.value }), err),
            ),
            err,
          )
        : null,
    ),
  );
  if (!done) {
    const left = sc.issues.filter((i) => !neg.confided.includes(i.id));
    const cerr = errorBox("confide-error");
    const boxes = left.map((i) => h("label", { class: "check" }, h("input", { type: "checkbox", value: i.id, "data-confide": i.id }), ` ${i.name}`));
    main.push(
      h(
        "section",
        { class: "card", id: "confide", "aria-labelledby": "confide-title" },
        h("h2", { id: "confide-title", class: "section-title" }, "Confide to the mediator"),
        h("p", { class: "section-sub" }, "The mediator will see your points for every option of the issues you tick, and nothing else of your table. The other party never sees them."),
        neg.confided.length ? h("p", { class: "hint" }, `Confided: ${neg.confided.map((id) => sc.issues.find((i) => i.id === id).name).join(", ")}.`) : null,
        left.length
          ? h(
              "div",
              { class: "stack-sm" },
              h("fieldset", null, h("legend", { class: "visually-hidden" }, "Issues to confide"), boxes),
              act(
                call,
                "Confide these issues",
                "btn-secondary",
                "confide",
                () => {
                  const issues = boxes.map((b) => b.querySelector("input")).filter((x) => x.checked).map((x) => x.value);
                  if (!issues.length) {
                    setError(cerr, "Tick at least one issue");
                    return null;
                  }
                  return { issues };
                },
                cerr,
              ),
              cerr,
            )
          : null,
      ),
    );
  }
  if (neg.proposals.length > 1) {
    main.push(
      h(
        "section",
        { class: "card" },
        h("h2", { class: "section-title" }, "Proposals so far"),
        h("ol", null, neg.proposals.map((p) => h("li", null, `#${p.seq}: ${pts(p.points)} points to you · ${p.status}`))),
      ),
    );
  }
  if (!done) main.push(walkAway(call, sc));
  const side = [chatBox(call, "Private chat with the mediator", "mid-chat", neg.channel, (by) => (by === neg.role ? "You" : "Mediator"), null, done), ...privateSide(neg)];
  return [main, side];
}

// ------------------------------------------------------------------ mediated: the mediator
function packagePicker(sc, start, idPrefix) {
  const selects = {};
  const rows = sc.issues.map((issue) => {
    const sel = h(
      "select",
      { class: "select", id: `${idPrefix}-${issue.id}`, "data-issue": issue.id },
      h("option", { value: "" }, "— choose —"),
      issue.options.map((o) => h("option", { value: o.id, selected: start && start[issue.id] === o.id }, o.label)),
    );
    selects[issue.id] = sel;
    return h("div", { class: "field" }, h("label", { for: `${idPrefix}-${issue.id}` }, issue.name), sel);
  });
  const read = () => {
    const pkg = {};
    for (const [id, sel] of Object.entries(selects)) if (sel.value) pkg[id] = sel.value;
    return pkg;
  };
  return [h("div", { class: "grid-2" }, rows), read];
}

function mediator(neg, call, done) {
  const sc = neg.scenario;
  const name = (role) => (sc.parties.find((p) => p.id === role) || { name: role }).name;
  const main = [];
  if (done) main.push(outcomeBox(neg));
  if (!done) {
    const latest = neg.proposals[neg.proposals.length - 1];
    const [picker, read] = packagePicker(sc, latest && latest.package, "propose");
    const note = h("input", { id: "propose-note", class: "input", maxlength: "500" });
    const err = errorBox("propose-error");
    main.push(
      h(
        "section",
        { class: "card builder", id: "propose", "aria-labelledby": "propose-title" },
        h("h2", { id: "propose-title", class: "section-title" }, "Propose a package to both parties"),
        h("p", { class: "section-sub" }, `${neg.offers_left} of ${neg.max_offers} proposals left. Both parties see it as yours; a package both accept is the deal.`),
        picker,
        h("div", { class: "field" }, h("label", { for: "propose-note" }, "A note to both (optional)"), note),
        act(call, "Propose to both", "btn-primary btn-lg", "propose", () => ({ package: read(), note: note.value }), err),
        err,
      ),
    );
  }
  main.push(
    h(
      "section",
      { class: "card", id: "confided", "aria-labelledby": "confided-title" },
      h("h2", { id: "confided-title", class: "section-title" }, "What the parties confided"),
      sc.parties.map((p) => {
        const told = neg.confided[p.id] || {};
        const ids = Object.keys(told);
        return h(
          "div",
          { "data-confided": p.id },
          h("h3", { class: "small" }, p.name),
          ids.length
            ? h("ul", null, ids.map((issueId) => h("li", null, `${sc.issues.find((i) => i.id === issueId).name}: `, Object.entries(told[issueId]).map(([o, v]) => `${label(sc, issueId, o)}: ${pts(v)}`).join(" · "))))
            : h("p", { class: "muted small" }, "Nothing confided yet."),
        );
      }),
    ),
  );
  main.push(
    h(
      "section",
      { class: "card", id: "proposals" },
      h("h2", { class: "section-title" }, "Proposals and answers"),
      neg.proposals.length
        ? h(
            "ol",
            null,
            neg.proposals.map((p) =>
              h(
                "li",
                { "data-proposal": p.id },
                h("strong", null, `#${p.seq} (${p.status}): `),
                sc.issues.map((i) => label(sc, i.id, p.package[i.id])).join(", "),
                h(
                  "ul",
                  null,
                  sc.parties.map((party) => {
                    const a = p.answers[party.id];
                    return h("li", null, `${party.name}: ${a ? (a.accept ? "accepted" : "rejected") : "no answer yet"}${a && a.reason ? ` — “${a.reason}”` : ""}`);
                  }),
                ),
              ),
            ),
          )
        : h("p", { class: "empty" }, "No proposal yet."),
    ),
  );
  const side = sc.parties.map((p) =>
    chatBox(call, `Private chat with ${name(p.id)}`, `mid-chat-${p.id}`, neg.channels[p.id] || [], (by) => (by === "mediator" ? "You" : name(by)), p.id, done),
  );
  return [main, side];
}

// ------------------------------------------------------------------ single text: a party
function textParty(neg, call, done) {
  const sc = neg.scenario;
  const latest = neg.drafts[neg.drafts.length - 1] || null;
  const main = [];
  if (done) main.push(outcomeBox(neg));
  const err = errorBox("mark-error");
  let body;
  if (!latest) body = h("p", { class: "empty" }, "The facilitator's first draft appears here.");
  else {
    const rows = sc.issues.map((issue) => {
      const here = latest.package[issue.id];
      const mine = latest.your_marks && latest.your_marks[issue.id];
      const select = h(
        "select",
        { class: "select", id: `mark-${issue.id}`, "data-mark": issue.id, "aria-label": `${issue.name}: keep or change` },
        h("option", { value: "" }, "Acceptable"),
        issue.options.filter((o) => o.id !== here).map((o) => h("option", { value: o.id, selected: mine && !mine.ok && mine.option === o.id }, `Change to ${o.label} (${pts(o.points)})`)),
      );
      const comment = h("input", { class: "input", id: `comment-${issue.id}`, maxlength: "300", placeholder: "Comment (optional)", "aria-label": `${issue.name}: comment`, value: (mine && mine.comment) || "" });
      return h(
        "fieldset",
        { class: "card card-flat stack-sm mark-issue" },
        h("legend", { class: "issue-name" }, issue.name),
        h("p", { class: "flush" }, "The draft: ", h("strong", null, label(sc, issue.id, here)), ` · ${pts(optionOf(sc, issue.id, here).points)} points to you`),
        h("div", { class: "grid-2" }, h("div", { class: "field" }, select), h("div", { class: "field" }, comment)),
      );
    });
    const read = () => {
      const marks = {};
      for (const issue of sc.issues) {
        const v = document.getElementById(`mark-${issue.id}`).value;
        const comment = document.getElementById(`comment-${issue.id}`).value;
        marks[issue.id] = v ? { ok: false, option: v, comment } : { ok: true, comment };
      }
      return { draft_id: latest.id, marks };
    };
    body = h(
      "div",
      { class: "stack-sm" },
      h("p", { class: "section-sub" }, `Draft #${latest.seq}: worth ${pts(latest.points)} points to you. `, latest.note || ""),
      h("div", { class: "stack-sm" }, rows),
      latest.you_endorsed ? h("p", { class: "hint", "data-endorsed": "yes" }, "You endorsed this draft.") : null,
      latest.your_marks && !latest.you_endorsed ? h("p", { class: "hint" }, "Your marks are with the facilitator. You can change them, or endorse the draft.") : null,
      !done && !latest.you_endorsed
        ? h(
            "div",
            { class: "builder-actions" },
            act(call, "Send my marks", "btn-secondary", "mark", read, err),
            act(call, "Endorse this draft", "btn-primary", "endorse", () => ({ draft_id: latest.id }), err),
          )
        : null,
      err,
    );
  }
  main.push(h("section", { class: "card card-accent-partner", id: "draft", "aria-labelledby": "draft-title" }, h("h2", { id: "draft-title", class: "section-title" }, "The single negotiating text"), body));
  if (neg.drafts.length > 1) {
    main.push(h("section", { class: "card" }, h("h2", { class: "section-title" }, "Drafts so far"), h("ol", null, neg.drafts.map((d) => h("li", null, `#${d.seq}: ${pts(d.points)} points to you${d.you_endorsed ? " · you endorsed it" : ""}`)))));
  }
  if (!done) main.push(walkAway(call, sc));
  const side = [chatBox(call, "Chat with everyone", "mid-chat", neg.chat, (by) => (by === neg.role ? "You" : by === "facilitator" ? "Facilitator" : "The other party"), null, done), ...privateSide(neg)];
  return [main, side];
}

// ------------------------------------------------------------------ single text: the facilitator
function facilitator(neg, call, done) {
  const sc = neg.scenario;
  const name = (role) => (sc.parties.find((p) => p.id === role) || { name: role }).name;
  const latest = neg.drafts[neg.drafts.length - 1] || null;
  const main = [];
  if (done) main.push(outcomeBox(neg));
  if (!done) {
    const [picker, read] = packagePicker(sc, latest && latest.package, "draft");
    const note = h("input", { id: "draft-note", class: "input", maxlength: "500" });
    const err = errorBox("draft-error");
    main.push(
      h(
        "section",
        { class: "card builder", id: "post-draft", "aria-labelledby": "post-title" },
        h("h2", { id: "post-title", class: "section-title" }, latest ? "Revise the draft" : "Post the first draft"),
        h("p", { class: "section-sub" }, `${neg.offers_left} of ${neg.max_offers} drafts left. A draft both parties endorse is the deal.`),
        picker,
        h("div", { class: "field" }, h("label", { for: "draft-note" }, "A note to both (optional)"), note),
        act(call, latest ? "Post the revised draft" : "Post the draft", "btn-primary btn-lg", "draft", () => ({ package: read(), note: note.value }), err),
        err,
      ),
    );
  }
  main.push(
    h(
      "section",
      { class: "card", id: "marks" },
      h("h2", { class: "section-title" }, latest ? `Marks on draft #${latest.seq}` : "Marks"),
      latest
        ? h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              { class: "table table-compact" },
              h("thead", null, h("tr", null, h("th", null, "Issue"), h("th", null, "Draft"), sc.parties.map((p) => h("th", null, p.name)))),
              h(
                "tbody",
                null,
                sc.issues.map((issue) =>
                  h(
                    "tr",
                    null,
                    h("th", { scope: "row" }, issue.name),
                    h("td", null, label(sc, issue.id, latest.package[issue.id])),
                    sc.parties.map((p) => {
                      const m = latest.marks[p.id] && latest.marks[p.id][issue.id];
                      const text = latest.endorsed.includes(p.id) ? "endorsed" : !m ? "—" : m.ok ? "acceptable" : `change to ${label(sc, issue.id, m.option)}`;
                      return h("td", { "data-mark-of": `${p.id}:${issue.id}` }, text, m && m.comment ? ` — “${m.comment}”` : "");
                    }),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "empty" }, "No draft yet."),
    ),
  );
  const side = [chatBox(call, "Chat with everyone", "mid-chat", neg.chat, (by) => (by === "facilitator" ? "You" : name(by)), null, done)];
  return [main, side];
}

// ------------------------------------------------------------------ the screen
let keyOf = null;

export function drawMiddle(root, neg, call, done) {
  // redrawn only when the negotiation changes (not on clock ticks), keeping typed input otherwise
  const key = JSON.stringify([neg.id, neg.status, neg.proposals, neg.drafts, neg.channel, neg.channels, neg.chat, neg.confided, neg.parties, neg.middle, neg.debrief && neg.debrief.path]);
  if (key === keyOf) return;
  keyOf = key;
  const sc = neg.scenario;
  const seat = neg.seat;
  const [main, side] =
    neg.protocol === "mediated"
      ? seat === "party"
        ? mediatedParty(neg, call, done)
        : mediator(neg, call, done)
      : seat === "party"
        ? textParty(neg, call, done)
        : facilitator(neg, call, done);
  const who =
    seat === "party"
      ? [`You are the `, h("strong", { class: "who-you" }, sc.role_name), ` · the ${neg.middle.role_name.toLowerCase()}: ${neg.middle.name || "—"}${neg.middle.connected ? "" : " (not connected)"}`]
      : [`You are the `, h("strong", { class: "who-you" }, SEAT_NAMES[seat]), ` between `, neg.parties.map((p) => `${p.name || "—"} (${p.role_name}${p.connected ? "" : ", not connected"})`).join(" and ")];
  keyed(root, key, () => [
    h(
      "div",
      { class: "stack-sm play-head" },
      h("h1", { id: "mid-title", class: "flush", tabindex: "-1" }, sc.title),
      h("p", { class: "muted flush", id: "mid-sub" }, who),
      h("p", { class: "banner banner-info play-rule" }, h("span", { class: "banner-icon", "aria-hidden": "true" }, "i"), h("span", null, h("strong", null, "Rule: "), neg.condition_rule)),
      h("p", { class: "muted small", id: "mid-time", role: "timer" }),
    ),
    h("div", { class: "play-layout" }, h("div", { class: "play-main" }, main), h("aside", { class: "play-side", "aria-label": "Conversation and your table" }, side)),
  ]);
  const canvas = root.querySelector("canvas[data-path-chart]");
  if (canvas && neg.debrief) debriefChart(canvas, neg);
}

export function middleTick(root, neg, now) {
  const el = root.querySelector("#mid-time");
  if (!el) return;
  if (neg.status !== "open") el.textContent = "";
  else if (!neg.deadline) el.textContent = "No time limit.";
  else {
    const left = Math.max(0, Math.round(neg.deadline - now));
    el.textContent = `Time left: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  }
}

export function resetMiddle() {
  keyOf = null;
}

export { replaceChildren };
