// The live session page: join code and QR, participants, negotiations, actions, standings.
// Redraws from each `session` push of the /instructor namespace (at most one a second); rows
// are only rebuilt when their content changed, so 200 participants stay cheap.

import {
  api,
  bootData,
  conditionBadge,
  errorText,
  fmt,
  setLiveStatus,
  signed,
  syncRows,
  watchSession,
} from "./common.js";
import { announce, h } from "../shared/dom.js";
import { clock } from "../shared/format.js";
import { Watch } from "./watch.js";

const boot = bootData();
const roleNames = Object.fromEntries(boot.roles.map((r) => [r.id, r.name]));
const roleIds = boot.roles.map((r) => r.id);
const rounds = boot.pairing === "rounds";

let current = null; // the last `session` payload
let receivedAt = 0; // when it arrived (ms), for the time-left countdown
let lastCounts = null;

const $ = (sel) => document.querySelector(sel);
const statNodes = (name) => document.querySelectorAll(`[data-stat="${name}"]`);
function setStat(name, value) {
  for (const n of statNodes(name)) if (n.textContent !== String(value)) n.textContent = value;
}

// ---------------------------------------------------------------- QR code and projector view

function drawQr(node, url) {
  // eslint-disable-next-line no-undef
  const qr = qrcode(0, "M");
  qr.addData(url);
  qr.make();
  node.innerHTML = qr.createSvgTag({ cellSize: 8, margin: 2, scalable: true });
  const svg = node.querySelector("svg");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
}

drawQr($("#qr"), boot.join_url);
const dialog = $("#projector");
$("#projector-btn").addEventListener("click", () => {
  const big = $("#qr-big");
  if (!big.firstChild) drawQr(big, boot.join_url);
  dialog.showModal();
});

// ---------------------------------------------------------------- participants

// a study session's stages (game/core/study.py), beside the negotiation's phase
const STAGES = { consent: "Reading consent", declined: "Declined consent", debrief: "Reading the debrief" };
const POINTS = { before: "before the negotiation", after: "after the negotiation", debrief: "after the debrief" };

const ENDS = { accepted: "agreed", walked_away: "walked away", deadline: "timed out", instructor: "ended by you" };
const phaseText = (p) => {
  if (p.stage && STAGES[p.stage]) return STAGES[p.stage];
  if (p.stage === "questionnaire") return `Questions ${POINTS[p.stage_point] || ""}`.trim();
  if (p.stage === "complete") return p.released ? "Released with a code" : "Completed";
  if (p.phase === "negotiating") return "Negotiating";
  if (p.sat_out) return `Sat out round ${current ? current.session.round : ""}`.trim();
  const end = ENDS[p.last_end] ? ` (${ENDS[p.last_end]})` : "";
  if (p.phase === "done") return (p.connected ? "Finished – waiting" : "Finished") + end;
  return p.connected ? "Waiting" : "Joined";
};

// what a seat shares with another seat of the session (a second seat, or a squatter?)
const FLAG_TEXT = { name: "same name as another seat", device: "same browser as another seat" };

function joinedText(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "–" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function fillParticipant(tr, p) {
  tr.className = p.connected ? "" : "is-offline";
  const flags = p.flags || [];
  tr.append(
    h("td", { class: "num muted" }, p._n),
    h(
      "th",
      { scope: "row" },
      p.name,
      p.label ? h("span", { class: "muted small" }, " · " + p.label) : null,
      p.kind === "agent" ? " " : null,
      p.kind === "agent" ? h("span", { class: "badge badge-neutral" }, "computer · " + p.strategy) : null,
      p.external_id ? h("span", { class: "muted small" }, " · id " + p.external_id) : null,
      ...flags.map((f) => h("span", { class: "badge badge-warn seat-flag", dataset: { flag: f } }, "⚠ " + (FLAG_TEXT[f] || f))),
    ),
    h("td", { class: "muted small" }, h("time", { datetime: p.joined_at }, joinedText(p.joined_at))),
    h(
      "td",
      null,
      h(
        "span",
        { class: "presence " + (p.connected ? "on" : "off") },
        h("span", { class: "presence-dot", "aria-hidden": "true" }),
        p.connected ? "online" : "offline",
      ),
    ),
    h("td", null, h("span", { class: "phase phase-" + (p.sat_out ? "sat-out" : p.phase) }, phaseText(p))),
    h("td", null, p.role ? roleNames[p.role] || p.role : "–"),
    h("td", { class: "num" }, p.negotiations),
    h(
      "td",
      { class: "row-action" },
      p.removable
        ? h(
            "button",
            {
              type: "button",
              class: "btn btn-sm btn-danger",
              "aria-label": `Remove seat ${p._n}: ${p.name}`,
              onclick: () => removeSeat(p),
            },
            "Remove",
          )
        : null,
    ),
  );
}

async function removeSeat(p) {
  const ok = window.confirm(
    `Remove the seat of ${p.name} (joined ${joinedText(p.joined_at)})? Their page stops working; they can join again with the code.`,
  );
  if (!ok) return;
  const res = await api("DELETE", boot.urls.remove.replace("PID", encodeURIComponent(p.participant_id)));
  say(res.ok ? `Removed the seat of ${p.name}.` : errorText(res.data), !res.ok);
}

function renderParticipants(parts) {
  const filter = $("#participant-filter").value.trim().toLowerCase();
  parts.forEach((p, i) => (p._n = i + 1));
  const shown = filter
    ? parts.filter((p) => (p.name + " " + (p.label || "") + " " + (p.external_id || "")).toLowerCase().includes(filter))
    : parts;
  syncRows(
    $("#participants tbody"),
    shown,
    (p) => p.participant_id,
    (p) => [p._n, p.name, p.label, p.connected, p.phase, p.role, p.negotiations, p.sat_out, p.last_end, p.joined_at, (p.flags || []).join(","), p.removable, p.stage, p.stage_point, p.external_id].join("\u0001"),
    fillParticipant,
  );
  $("#participants-empty").hidden = parts.length > 0;
  $("#participants").closest(".table-wrap").hidden = parts.length === 0;
  setStat("participants-count", parts.length ? `(${parts.length})` : "");
}

$("#participant-filter").addEventListener("input", () => current && renderParticipants(current.session.participants));

// ---------------------------------------------------------------- negotiations

function statusCell(n) {
  if (n.status === "open") {
    // the post-settlement phase: a deal stands, the pair looks for a better one
    const turn = n.in_phase ? "deal reached, looking for a better one" : n.turn ? `${roleNames[n.turn] || n.turn}'s turn` : "";
    return h(
      "span",
      { class: "status status-open" },
      h("span", { class: "status-icon", "aria-hidden": "true" }, "◷"),
      "Open",
      turn ? h("span", { class: "muted small" }, " · " + turn) : null,
    );
  }
  if (n.status === "agreed")
    return h(
      "span",
      { class: "status status-agreed" },
      h("span", { class: "status-icon", "aria-hidden": "true" }, "✓"),
      "Agreed",
    );
  const why = { walked_away: "walked away", deadline: "time ran out", instructor: "ended by you" }[n.end_reason];
  return h(
    "span",
    { class: "status status-impasse" },
    h("span", { class: "status-icon", "aria-hidden": "true" }, "✕"),
    "Impasse",
    why ? h("span", { class: "muted small" }, " · " + why) : null,
  );
}

function personCell(name, connected, strategy) {
  return h(
    "td",
    null,
    name,
    strategy ? h("span", { class: "muted small" }, ` (computer · ${strategy})`) : null,
    connected ? null : h("span", { class: "offline-tag" }, " (offline)"),
  );
}

// a negotiation with a middle seat: who sits there, and its proposals or drafts for offers
const MIDDLE_WORDS = { mediated: ["mediator", "proposal"], single_text: ["facilitator", "draft"] };

function middleNote(n) {
  const words = MIDDLE_WORDS[n.condition];
  if (!words) return null;
  const mid = current && current.session.middle;
  const who = n.names.length > 2 ? `${words[0]}: ${n.names[2]}` : mid === "instructor" ? `${words[0]}: you` : `computer ${words[0]}`;
  return h("span", { class: "middle-note small muted" }, ` · ${who}`);
}

function offersText(n) {
  const words = MIDDLE_WORDS[n.condition];
  if (!words) return String(n.offers_count);
  const k = n.steps_count || 0;
  return `${k} ${words[1]}${k === 1 ? "" : "s"}`;
}

function fillNegotiation(tr, n) {
  tr.className = "neg-" + n.status;
  const cells = [];
  if (rounds) cells.push(h("td", { class: "num" }, n.round || "–"));
  cells.push(
    personCell(n.names[0], n.connected[0], n.kinds && n.kinds[0] === "agent" && n.strategies[0]),
    personCell(n.names[1], n.connected[1], n.kinds && n.kinds[1] === "agent" && n.strategies[1]),
    h("td", null, conditionBadge(n.condition, boot.conditions), middleNote(n)),
    h("td", null, statusCell(n)),
    h("td", { class: "num" }, offersText(n)),
    h("td", { class: "num time-left", dataset: { nid: n.negotiation_id } }, timeLeftText(n)),
    h(
      "td",
      { class: "num points" },
      n.points
        ? h(
            "span",
            { title: `${roleNames[roleIds[0]]} : ${roleNames[roleIds[1]]}` },
            `${fmt(n.points[0])} : ${fmt(n.points[1])}`,
          )
        : "–",
    ),
  );
  const action = h("td", { class: "row-action" });
  if (current && current.session.middle === "instructor" && n.seats && n.seats.length > 2) {
    // the instructor sits in this trio's middle seat: its screen
    const verb = n.condition === "mediated" ? "Mediate" : "Facilitate";
    action.append(
      h(
        "a",
        {
          class: `btn btn-sm ${n.status === "open" ? "btn-primary" : "btn-ghost"} middle-link`,
          href: boot.urls.middle.replace("NID", encodeURIComponent(n.negotiation_id)),
          "aria-label": `${n.status === "open" ? verb : "View"} the negotiation of ${n.names[0]} and ${n.names[1]}`,
        },
        n.status === "open" ? verb : "View",
      ),
      " ",
    );
  }
  const watchBtn = h(
    "button",
    {
      type: "button",
      class: "btn btn-sm",
      "aria-label": `Offers of ${n.names[0]} and ${n.names[1]}`,
      "aria-haspopup": "dialog",
    },
    "Offers",
  );
  watchBtn.addEventListener("click", () => watch.open(n, watchBtn));
  action.append(watchBtn);
  if (n.status === "open") {
    const endBtn = h(
      "button",
      {
        type: "button",
        class: "btn btn-sm btn-danger end-btn",
        "aria-label": `End the negotiation of ${n.names[0]} and ${n.names[1]}`,
      },
      "End",
    );
    endBtn.addEventListener("click", () => endNegotiation(n, endBtn));
    action.append(" ", endBtn);
  }
  cells.push(action);
  tr.append(...cells);
}

function timeLeftText(n) {
  if (n.status !== "open" || n.time_left === null || n.time_left === undefined) return "–";
  const left = n.time_left - (Date.now() - receivedAt) / 1000;
  return clock(left);
}

function renderNegotiations(negs) {
  const status = $("#neg-status").value;
  const roundSel = $("#neg-round");
  const round = roundSel ? roundSel.value : "all";
  const order = { open: 0, agreed: 1, impasse: 1 };
  const sorted = negs
    .filter((n) => status === "all" || (status === "open") === (n.status === "open"))
    .filter((n) => round === "all" || String(n.round) === round)
    .sort(
      (a, b) =>
        (b.round || 0) - (a.round || 0) ||
        order[a.status] - order[b.status] ||
        (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : 0),
    );
  syncRows(
    $("#negotiations tbody"),
    sorted,
    (n) => n.negotiation_id,
    (n) =>
      [
        n.status,
        n.in_phase,
        n.turn,
        n.offers_count,
        n.end_reason,
        n.points && n.points.join(","),
        n.connected.join(","),
        n.time_left === null ? "" : Math.round(n.time_left),
      ].join("\u0001"),
    fillNegotiation,
  );
  keepRowFocus();
  $("#negotiations-empty").hidden = negs.length > 0;
  $("#negotiations").closest(".table-wrap").hidden = negs.length === 0;
  setStat("negotiations-count", negs.length ? `(${negs.length})` : "");
  if (roundSel) {
    const max = current ? current.session.round : 0;
    while (roundSel.options.length - 1 < max) {
      const r = roundSel.options.length;
      roundSel.append(h("option", { value: String(r) }, String(r)));
    }
  }
}

// A row's button pressed and then redrawn away (End on a pair that has finished): the focus
// goes to the row's first button rather than the page's body.
let lastRowFocus = null; // [row key, the focused control]
$("#negotiations tbody").addEventListener("focusin", (ev) => {
  const tr = ev.target.closest("tr");
  lastRowFocus = tr ? [tr.dataset.key, ev.target] : null;
});
function keepRowFocus() {
  if (!lastRowFocus) return;
  const [key, el] = lastRowFocus;
  const lost = !el.isConnected || el.disabled;
  if (!lost || (document.activeElement && document.activeElement !== document.body)) return;
  const row = $("#negotiations tbody")._rows.get(key);
  const next = row && row.isConnected && row.querySelector("button:not([disabled]), a");
  if (next) next.focus();
}

$("#neg-status").addEventListener("change", () => current && renderNegotiations(current.session.negotiations));
if ($("#neg-round"))
  $("#neg-round").addEventListener("change", () => current && renderNegotiations(current.session.negotiations));

// the countdown: only the time cells of open negotiations, once a second
setInterval(() => {
  if (!current) return;
  const byId = new Map(current.session.negotiations.map((n) => [n.negotiation_id, n]));
  for (const cell of document.querySelectorAll("#negotiations td.time-left")) {
    const n = byId.get(cell.dataset.nid);
    if (n && n.status === "open" && n.time_left !== null) {
      const t = timeLeftText(n);
      if (cell.textContent !== t) cell.textContent = t;
    }
  }
}, 1000);

// ---------------------------------------------------------------- standings

function renderStandings(rows, maxRound) {
  const table = $("#standings");
  const played = rows.filter((r) => r.negotiations > 0);
  $("#standings-empty").hidden = played.length > 0;
  table.closest(".table-wrap").hidden = played.length === 0;
  const nRounds = rounds ? Math.max(maxRound, ...rows.flatMap((r) => r.rounds.map((x) => x.round))) : 0;
  const head = table.tHead;
  if (head._rounds !== nRounds || !head.firstChild) {
    head.replaceChildren(
      h(
        "tr",
        null,
        h("th", { scope: "col", class: "num" }, "Rank"),
        h("th", { scope: "col" }, "Name"),
        ...Array.from({ length: nRounds }, (_, i) =>
          h(
            "th",
            { scope: "col", class: "num", dataset: { label: `Round ${i + 1}` } },
            h("span", { "aria-hidden": "true" }, `R${i + 1}`),
            h("span", { class: "visually-hidden" }, `Round ${i + 1}`),
          ),
        ),
        h("th", { scope: "col", class: "num" }, "Score within role"),
        h("th", { scope: "col", class: "num" }, "Points"),
        h("th", { scope: "col", class: "num" }, "Joint points"),
      ),
    );
    head._rounds = nRounds;
    // every row's cells change with the number of rounds
    for (const tr of table.tBodies[0].rows) tr._sig = null;
  }
  let rank = 0;
  let prev = null;
  played.forEach((r, i) => {
    if (prev === null || r.score_within_role !== prev) rank = i + 1;
    prev = r.score_within_role;
    r._rank = rank;
  });
  syncRows(
    table.tBodies[0],
    played,
    (r) => r.participant_id,
    (r) => JSON.stringify([r._rank, r.name, r.score_within_role, r.points_total, r.joint_total, r.rounds]),
    (tr, r) => {
      const byRound = new Map(r.rounds.map((x) => [x.round, x]));
      tr.append(
        h("td", { class: "num" }, r._rank),
        h("th", { scope: "row" }, r.name),
        ...Array.from({ length: nRounds }, (_, i) => {
          const x = byRound.get(i + 1);
          if (!x) return h("td", { class: "num muted" }, "–");
          // two short lines, so six rounds fit the box at 1280 px
          return h(
            "td",
            { class: "num round-cell" },
            h("strong", null, fmt(x.points)),
            h(
              "span",
              { class: "round-sub muted" },
              `${roleNames[x.role] || x.role} · ${signed(x.z)}`,
              x.status === "impasse" ? h("span", { "aria-hidden": "true", title: "impasse" }, " ✕") : null,
              h("span", { class: "visually-hidden" }, ` z-score${x.status === "impasse" ? ", impasse" : ""}`),
            ),
          );
        }),
        h("td", { class: "num score" }, signed(r.score_within_role)),
        h("td", { class: "num" }, fmt(r.points_total)),
        h("td", { class: "num" }, fmt(r.joint_total)),
      );
    },
  );
}

// ---------------------------------------------------------------- everything

// how long each redraw took (ms), the last 100: read by bench/instructor_console.py
const timings = (window.parleyTimings = { render: [] });

function render(data) {
  const t0 = performance.now();
  current = data;
  receivedAt = Date.now();
  const s = data.session;
  const parts = s.participants;
  const negs = s.negotiations;
  const people = parts.filter((p) => p.kind !== "agent"); // the counters count students, not computer seats
  const counts = {
    participants: people.length,
    connected: people.filter((p) => p.connected).length,
    // rounds: online and free for the next round; arrival: in the queue to be paired
    waiting: people.filter((p) => p.connected && (rounds ? p.phase !== "negotiating" : p.waiting)).length,
    negotiating: people.filter((p) => p.phase === "negotiating").length,
    agreed: negs.filter((n) => n.status === "agreed").length,
    impasse: negs.filter((n) => n.status === "impasse").length,
    open: negs.filter((n) => n.status === "open").length,
  };
  for (const [k, v] of Object.entries(counts)) setStat(k, v);
  setStat("round", s.round);
  setStat("next-round", s.round + 1);
  const endBtn = $("#end-round");
  if (endBtn) endBtn.disabled = counts.open === 0;
  const startBtn = $("#start-round");
  if (startBtn) {
    const ready = counts.waiting;
    const group = boot.group || 2; // two, or three with a participant in the middle seat
    const filled = boot.fills && group === 2 && ready % 2 === 1; // a computer takes the odd seat
    const least = group === 2 ? "two" : "three";
    startBtn.disabled = ready + (filled ? 1 : 0) < group || boot.closed;
    const left = ready % group;
    const hint = $("#round-hint");
    const who = `the ${ready} participants who are online and not negotiating`;
    let how;
    if (boot.mixes) how = `Seats ${who} in pairs and threes, each group by its condition in the session's order; all but at most one play.`;
    else {
      how = `${group === 2 ? "Pairs" : "Groups in threes"} ${who}: new partners where possible, roles alternate.`;
      if (filled) how += " A computer counterpart takes the odd seat.";
      else if (left) how += group === 2 ? " With an odd number, one sits out." : ` ${left === 1 ? "One sits" : "Two sit"} out.`;
    }
    const still = counts.open ? ` ${counts.open} negotiation${counts.open === 1 ? " is" : "s are"} still open; those players wait for the round after.` : "";
    const text =
      ready + (filled ? 1 : 0) < group ? `Waiting for at least ${least} participants who are online and not negotiating.` : how + still;
    if (hint.textContent !== text) hint.textContent = text;
  }
  const openBtn = $("#open-debrief");
  if (openBtn) {
    // the last round's debrief, while some of its negotiations are still open
    const shut = s.round > 0 && !(s.debrief_open || []).includes(s.round);
    openBtn.hidden = !shut;
    setStat("debrief-round", s.round);
  }
  renderParticipants(parts);
  renderNegotiations(negs);
  renderStandings(data.standings, s.round);
  watch.update(negs);
  if (!joinTouched) showJoin(negs.length === 0); // the join panel folds away once play starts
  if (lastCounts) {
    const news = [];
    if (counts.participants !== lastCounts.participants)
      news.push(`${counts.participants} participants`);
    if (counts.agreed !== lastCounts.agreed) news.push(`${counts.agreed} agreements`);
    if (counts.impasse !== lastCounts.impasse) news.push(`${counts.impasse} impasses`);
    if (counts.open !== lastCounts.open) news.push(`${counts.open} negotiations open`);
    if (news.length) announce(news.join(", "), { wait: 1500 }); // a burst of news: the last is told
  }
  lastCounts = counts;
  document.body.dataset.version = String((Number(document.body.dataset.version) || 0) + 1);
  timings.render.push(performance.now() - t0);
  if (timings.render.length > 100) timings.render.shift();
}

// the join panel: folded to one line once the first pair plays (the instructor may unfold it)
let joinTouched = false;
function showJoin(open) {
  $("#join-hero").hidden = !open;
  $("#join-compact").hidden = false;
  const t = $("#join-toggle");
  t.setAttribute("aria-expanded", String(open));
  t.textContent = open ? "Hide the join panel" : "Show the join panel";
}
$("#join-toggle").addEventListener("click", () => {
  joinTouched = true;
  showJoin($("#join-hero").hidden);
});
const watch = new Watch($("#watch"), boot.urls.path);

render(boot.initial);

const liveNode = $("#live-status");
const socket = watchSession(boot.code, render, (status) => setLiveStatus(liveNode, status));

// ---------------------------------------------------------------- actions

const statusLine = $("#action-status");
function say(text, isError) {
  statusLine.textContent = text;
  statusLine.classList.toggle("is-error", !!isError);
}

for (const form of document.querySelectorAll("form[data-api]")) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = form.querySelector("button");
    const which = form.dataset.api;
    const open = current ? current.session.negotiations.filter((n) => n.status === "open").length : 0;
    if (which === "end_round") {
      if (!open) return say("No negotiation is open.");
      const ok = window.confirm(`End all ${open} open negotiation${open === 1 ? "" : "s"} now? Each counts as an impasse ended by you: both sides get their BATNA.`);
      if (!ok) return;
    }
    if (which === "close" && !window.confirm(`Close the session? Nobody can join any more${open ? ` (the ${open} open negotiation${open === 1 ? "" : "s"} may finish)` : ""}, and students see that the class is over with their results. You can reopen it.`)) return;
    button.disabled = true;
    const res = await api("POST", boot.urls[which], {});
    button.disabled = false;
    if (!res.ok) {
      say(errorText(res.data), true);
      return;
    }
    if (which === "close" || which === "reopen") {
      window.location.reload(); // the page's controls follow the session's state
      return;
    }
    if (which === "end_round") {
      const n = res.data.ended;
      say(`Ended ${n} negotiation${n === 1 ? "" : "s"}: impasses, ended by you.`);
      return;
    }
    if (which === "round") {
      const n = res.data.negotiations;
      say(
        n
          ? `Round ${res.data.round} started: ${n} negotiation${n === 1 ? "" : "s"}.`
          : `Round ${res.data.round} started, but nobody could be paired: at least two participants must be online and not negotiating.`,
        !n,
      );
    } else {
      const n = res.data.negotiations;
      say(n ? `Paired ${n} negotiation${n === 1 ? "" : "s"}.` : "Nobody is waiting to be paired.");
    }
  });
}

const openDebrief = $("#open-debrief");
if (openDebrief) {
  openDebrief.addEventListener("click", async () => {
    const round = current ? current.session.round : 0;
    const ok = window.confirm(
      `Open the debrief of round ${round} now? Pairs that have finished see the other side's points while others may still negotiate the same case.`,
    );
    if (!ok) return;
    openDebrief.disabled = true;
    const res = await api("POST", boot.urls.open_debrief, { round });
    openDebrief.disabled = false;
    say(res.ok ? `The debrief of round ${res.data.round} is open.` : errorText(res.data), !res.ok);
  });
}

async function endNegotiation(n, button) {
  // the live table may be a moment old: ask the server where the pair stands first, so a pair
  // that has just agreed is never offered to be ended
  const path = boot.urls.path.replace("NID", encodeURIComponent(n.negotiation_id));
  button.disabled = true;
  const now = await api("GET", path);
  if (now.ok && now.data.status !== "open") {
    alreadyEnded(n, now.data);
    return;
  }
  const ok = window.confirm(
    `End the negotiation of ${n.names[0]} and ${n.names[1]} now? It counts as an impasse: both get their BATNA.`,
  );
  if (!ok) {
    button.disabled = false;
    return;
  }
  const res = await api("POST", boot.urls.end.replace("NID", encodeURIComponent(n.negotiation_id)), {});
  if (res.ok) {
    say(`Ended the negotiation of ${n.names[0]} and ${n.names[1]}.`);
    return;
  }
  // the pair finished while you read the confirmation (the server answers 409: nothing to end)
  const after = res.status === 409 ? await api("GET", path) : null;
  if (after && after.ok && after.data.status !== "open") {
    alreadyEnded(n, after.data);
    return;
  }
  button.disabled = false;
  say(errorText(res.data), true);
}

// A pair that ended before your End reached the server: a polite word, and its row at once
function alreadyEnded(n, path) {
  const reason = path.outcome ? ENDS[path.outcome.reason] || path.outcome.reason : path.status;
  say(`The negotiation of ${n.names[0]} and ${n.names[1]} has already ended (${reason}): nothing to end.`);
  const mine = current && current.session.negotiations.find((x) => x.negotiation_id === n.negotiation_id);
  if (mine && mine.status === "open") {
    mine.status = path.status;
    mine.end_reason = path.outcome ? path.outcome.reason : mine.end_reason;
    if (path.outcome && path.outcome.points) mine.points = path.outcome.points;
    renderNegotiations(current.session.negotiations);
  }
  socket.emit("watch", { code: boot.code }); // and the whole session, fresh from the server
}
