// The student's play page: connects with the saved join token, redraws everything from the
// last `state` the server sent, and sends intentions (propose, accept, walk_away, chat,
// suggest) whose answers are shown beside the control that sent them.
import { Builder } from "./play/builder.js";
import { syncChat } from "./play/chat.js";
import { offersChart } from "./play/charts.js";
import { debriefCard, outcomeCard, reasonWords } from "./play/debrief.js";
import { announce, h, keyed, replaceChildren } from "./shared/dom.js";
import { clock } from "./shared/format.js";
import { markdown, pts, setError, timeOfDay } from "./play/dom.js";
import { drawMiddle, middleTick } from "./play/middle.js";
import { offersSummary, timeline } from "./play/history.js";
import { partnerName } from "./play/model.js";
import { offerCards } from "./play/offers.js";
import { forgetSeat, getSeat, lastSeat, normalizeCode, playUrl, seatsIn, touchSeat } from "./play/seats.js";
import { openPhase, pendingProposal, phaseCard } from "./play/pss.js";
import { pointsTable } from "./play/table.js";

const $ = (id) => document.getElementById(id);

// Which seat this tab plays: ?p=<participant_id> (each tab its own), else (an old link with
// ?code=, or a bare /play) the seat joined or opened last.
const params = new URLSearchParams(window.location.search);
const wanted = params.get("p");
const seat = wanted ? getSeat(wanted) : params.get("code") ? seatsIn(params.get("code"))[0] || null : lastSeat();
const code = seat ? seat.code : normalizeCode(params.get("code") || "");

let socket = null;
let last = null; // the last state drawn
let lastVersion = -Infinity;
let offset = 0; // server clock minus local clock, seconds
let everConnected = false;
let warnedMinute = null;
let shownPhase = null;

function now() {
  return Date.now() / 1000 + offset;
}

// ------------------------------------------------------------------ talking to the server
function call(event, payload) {
  return new Promise((resolve) => {
    if (!socket || !socket.connected) {
      resolve({
        ok: false,
        error: { code: "offline", message: "You are not connected right now. Wait for the connection to come back, then try again" },
      });
      return;
    }
    socket.timeout(10000).emit(event, payload, (err, answer) => {
      if (err) {
        resolve({ ok: false, error: { code: "timeout", message: "The server did not answer in time. Check your connection and try again" } });
      } else if (!answer || typeof answer !== "object") {
        resolve({ ok: false, error: { code: "internal", message: "The server sent an answer this page does not understand" } });
      } else {
        resolve(answer);
      }
    });
  });
}

function banner(text) {
  const b = $("conn-banner");
  if (text) {
    $("conn-text").textContent = text;
    b.hidden = false;
  } else {
    b.hidden = true;
  }
}

function fatal(text, href, linkText) {
  $("fatal-text").textContent = text;
  const a = $("fatal-link");
  a.href = href;
  a.textContent = linkText;
  $("fatal").hidden = false;
  $("view-loading").hidden = true;
  banner(null);
}

function connect() {
  if (typeof window.io !== "function") {
    fatal("The page could not load its connection library. Reload the page.", window.location.href, "Reload");
    return;
  }
  socket = window.io({ auth: { token: seat.token }, reconnectionDelayMax: 4000 });
  socket.on("connect", () => {
    everConnected = true;
    lastVersion = -Infinity; // a restarted server counts versions afresh
    banner(null);
  });
  socket.on("disconnect", (reason) => {
    banner("Connection lost. Reconnecting… Your seat and the negotiation are kept.");
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", (err) => {
    if (!socket.active) {
      // the server refused the token: the seat is unknown (a new database, or a wrong link)
      forgetSeat(seat.participant_id);
      fatal(
        `The server does not know your seat in session ${code} any more (${err.message}). Join again to get a new seat.`,
        `/join/${encodeURIComponent(code)}`,
        "Join again",
      );
      return;
    }
    banner(everConnected ? "Connection lost. Reconnecting…" : "Cannot reach the server yet. Trying again…");
  });
  socket.on("state", render);
}

// ------------------------------------------------------------------ drawing
const builder = new Builder($("builder"), call);

function render(state) {
  if (!state || typeof state !== "object") return;
  if (typeof state.version === "number") {
    if (state.version < lastVersion) return; // an older state that arrived late
    lastVersion = state.version;
  }
  if (typeof state.server_time === "number") offset = state.server_time - Date.now() / 1000;
  last = state;
  $("view-loading").hidden = true;

  $("nav-session").textContent = `Session ${state.session.code}`;
  const neg = state.negotiation;
  const middle = Boolean(neg && neg.protocol && neg.protocol !== "offers" && state.phase !== "lobby");
  $("view-middle").hidden = !middle;
  if (middle) {
    // a negotiation with a mediator or facilitator: its own screen (play/middle.js)
    $("nav-you").textContent = `You: ${state.participant.name} · ${neg.scenario.role_name || neg.seat}`;
    $("view-lobby").hidden = true;
    $("view-negotiation").hidden = true;
    document.body.dataset.phase = state.phase;
    drawMiddle($("view-middle"), neg, call, state.phase === "done");
    if (shownPhase !== null && shownPhase !== `middle-${state.phase}`) {
      announce(state.phase === "done" ? "The negotiation has ended." : "Your negotiation has started.");
      const t = document.getElementById(state.phase === "done" ? "mid-outcome-title" : "mid-title");
      if (t) t.focus();
    }
    shownPhase = `middle-${state.phase}`;
    tick();
    return;
  }
  const you = state.participant.name;
  $("nav-you").textContent = neg ? `You: ${you} · ${neg.scenario.role_name}` : `You: ${you}`;

  // once the class is over, whoever is not negotiating sees the closing screen with results
  const over = state.session.closed && state.phase !== "negotiating";
  const phase = state.phase === "lobby" || !neg || over ? "lobby" : state.phase;
  const changed = phase !== shownPhase;
  $("view-lobby").hidden = phase !== "lobby";
  $("view-negotiation").hidden = phase === "lobby";
  document.body.dataset.phase = phase;

  if (phase === "lobby") drawLobby(state);
  else drawNegotiation(state, phase === "done");

  if (changed && shownPhase !== null) {
    if (phase === "negotiating") {
      $("neg-title").setAttribute("tabindex", "-1");
      $("neg-title").focus();
    } else if (phase === "done") {
      const d = $("walk-dialog");
      if (d.open) d.close();
      const t = $("outcome-title");
      if (t) {
        t.setAttribute("tabindex", "-1");
        t.focus();
      }
    }
  }
  const said = news(state, phase);
  if (said.length) announce(said.join(" "));
  shownPhase = phase;
  tick();
}

// ------------------------------------------------------------------ what a screen reader is told
// The last state's facts that are announced when they change: the negotiation, its latest
// offer, the partner's presence and the phase. The first state only sets them.
let heard = null;

function news(state, phase) {
  const neg = phase === "lobby" ? null : state.negotiation;
  const latest = neg && neg.offers.length ? neg.offers[neg.offers.length - 1] : null;
  const ph = neg && neg.post_settlement && neg.post_settlement.state === "open" ? neg.post_settlement : null;
  const now = {
    neg: neg ? neg.id : null,
    offer: latest ? latest.id : null,
    pss: ph ? `${ph.proposals.length}:${JSON.stringify(ph.deal.package)}` : null,
    connected: neg ? Boolean(neg.partner.connected) : null,
    debrief: neg ? Boolean(neg.debrief) : null,
    phase,
  };
  const before = heard;
  heard = now;
  if (!before || !neg) return [];
  const partner = partnerName(neg);
  const role = neg.scenario.role_name;
  const out = [];
  const fresh = before.neg !== neg.id;
  if (fresh && phase === "negotiating") {
    out.push(`Your negotiation has started. You are the ${role}, negotiating with ${partner}.`);
    if (!latest) out.push(neg.turn === neg.role ? "Your turn: make the first offer." : `${partner} makes the first offer.`);
  }
  if (latest && latest.id !== before.offer && latest.by !== neg.role) {
    const n = latest.packages.length;
    const last = neg.offers_left === 0 ? ", the final offer" : "";
    out.push(`${partner} sent offer ${latest.seq} with ${n} package${n === 1 ? "" : "s"}${last}.`);
    if (phase === "negotiating" && neg.turn === neg.role) {
      out.push(neg.offers_left > 0 ? "Your turn." : "Your turn: accept a package or walk away.");
    }
  }
  if (ph && !before.pss) {
    out.push(`Deal reached: it stands, worth ${pts(ph.deal.points)} points to you. You may now propose changes that you both might prefer; nothing changes unless both accept.`);
  } else if (ph && before.pss !== now.pss) {
    const last = ph.proposals[ph.proposals.length - 1];
    if (last && !last.answer && last.by !== neg.role) out.push(`${partner} proposes a change: proposal ${last.seq}.`);
    else out.push(`The deal in force is worth ${pts(ph.deal.points)} points to you.`);
  }
  if (!fresh && phase === "negotiating" && before.connected !== now.connected) {
    out.push(now.connected ? `${partner} has connected.` : `${partner} has disconnected.`);
  }
  if (phase === "done" && (before.phase !== "done" || fresh) && neg.outcome) {
    const agreed = neg.outcome.reason === "accepted";
    out.push(`${agreed ? "Deal reached" : "No deal"}. ${reasonWords(neg)} You get ${pts(neg.outcome.points)} points.`);
    if (neg.debrief_pending) out.push("The debrief opens when the round ends.");
  } else if (phase === "done" && !fresh && now.debrief && before.debrief === false) {
    out.push("The debrief is open: both sides' points are shown.");
  }
  return out;
}

function drawLobby(state) {
  const l = state.lobby || {};
  const closed = !!state.session.closed;
  $("lobby-message").textContent = l.message || "Waiting for a partner.";
  $("lobby-scenario").textContent = `Case: ${state.session.title}`;
  $("lobby-title").textContent = closed
    ? "The class is over"
    : state.session.pairing === "rounds" ? "Waiting for the next round" : "Waiting for a partner";
  document.querySelector(".lobby-pulse").hidden = closed;
  $("lobby-keep").hidden = closed;
  if (closed) $("lobby-waited-box").hidden = true;
  $("lobby-results").hidden = !closed;
  keyed($("lobby-results"), JSON.stringify(l.results || null), () => (closed ? resultsTable(l.results || []) : []));
}

const REASONS = { accepted: "deal", walked_away: "no deal (walked away)", deadline: "no deal (time ran out)", instructor: "no deal (ended by the instructor)" };

/** The student's results once the class is over: one row per negotiation played. */
function resultsTable(rows) {
  if (!rows.length) return h("p", { class: "muted" }, "You did not play a negotiation in this session.");
  const total = rows.reduce((a, r) => a + r.points, 0);
  return h(
    "table",
    { class: "table table-compact results", id: "results" },
    h("caption", null, "Your results"),
    h("thead", null, h("tr", null, ["Round", "Role", "Partner", "Outcome"].map((t) => h("th", { scope: "col" }, t)), h("th", { scope: "col", class: "num" }, "Points"))),
    h("tbody", null, rows.map((r) => h("tr", null, h("td", null, String(r.round || 1)), h("td", null, r.role), h("td", null, r.partner), h("td", null, REASONS[r.reason] || r.reason), h("td", { class: "num" }, pts(r.points))))),
    h("tfoot", null, h("tr", null, h("th", { scope: "row", colspan: "4" }, "Total"), h("td", { class: "num" }, pts(total)))),
  );
}

function drawNegotiation(state, done) {
  const neg = state.negotiation;
  const sc = neg.scenario;
  const partner = partnerName(neg);
  const phase = done ? null : openPhase(neg); // the post-settlement phase, after a deal
  const myTurn = !done && neg.turn === neg.role;

  // heading
  $("neg-title").textContent = sc.title;
  replaceChildren(
    $("neg-sub"),
    "You are the ",
    h("strong", { class: "who-you" }, sc.role_name),
    ", negotiating with ",
    h("strong", { class: "who-partner" }, partner),
    ` (${neg.partner.role_name})`,
    neg.round ? ` · round ${neg.round}` : "",
    ".",
  );

  for (const id of ["status", "rule", "incoming", "builder", "walk", "chat-form"]) $(id).hidden = done;
  for (const id of ["incoming", "walk", "rule"]) if (phase) $(id).hidden = true;
  $("pss").hidden = !phase;
  $("builder-title").textContent = phase ? "Propose a change" : "Make an offer";
  const [jumpIn, jumpBuild] = document.querySelectorAll(".play-jump a");
  jumpIn.href = phase ? "#pss" : "#incoming";
  jumpIn.textContent = phase ? "The deal" : "Offer received";
  jumpBuild.textContent = phase ? "Propose a change" : "Make an offer";
  document.querySelector(".play-jump").hidden = done;
  $("outcome").hidden = !done;

  // the end: outcome and debrief
  if (done) {
    keyed($("outcome"), `${neg.id}:${neg.status}:${neg.outcome && neg.outcome.reason}:${(state.lobby || {}).message}:${neg.debrief ? 1 : 0}`, () => {
      const parts = [outcomeCard(neg)];
      const msg = state.lobby && state.lobby.message;
      if (msg) parts.push(h("p", { class: "banner banner-info" }, h("span", { class: "banner-icon", "aria-hidden": "true" }, "i"), h("span", null, msg)));
      if (neg.debrief_pending) {
        // round sessions: the other side's numbers wait until every pair of the round is done
        parts.push(
          h(
            "p",
            { id: "debrief-pending", class: "banner banner-info" },
            h("span", { class: "banner-icon", "aria-hidden": "true" }, "i"),
            h("span", null, "The debrief opens when the round ends: once every pair has finished (or your instructor opens it), you will see both sides' points here."),
          ),
        );
      }
      const deb = debriefCard(neg);
      if (deb) parts.push(deb);
      return parts;
    });
    const deb = $("outcome").querySelector("canvas");
    if (deb && !deb._drawn) {
      const card = deb.closest("section");
      if (card && card._draw) card._draw();
      deb._drawn = true;
    }
  } else {
    drawStatus(neg, myTurn);
    if (phase) drawPhase(neg, phase, myTurn);
    else drawIncoming(neg, myTurn);
    builder.update(neg);
    $("walk-note").textContent = `End the negotiation without a deal: you get your BATNA, ${pts(sc.batna)} points, and your partner gets theirs.`;
    $("walk-dialog-text").textContent = `There will be no deal with ${partner}. You get your BATNA: ${pts(sc.batna)} points. This cannot be undone.`;
  }

  // history: chart and timeline
  keyed($("timeline"), `${neg.id}:${neg.offers.length}:${partner}`, () => timeline(neg));
  $("offers-chart-box").hidden = !neg.offers.length;
  const canvas = $("offers-chart");
  const chartKey = `${neg.id}:${neg.offers.length}:${partner}`;
  if (canvas._key !== chartKey && neg.offers.length) {
    canvas._key = chartKey;
    offersChart(canvas, neg);
    canvas.setAttribute("aria-label", `Chart of your points for each offer. ${offersSummary(neg)}`);
  }

  // private table and brief
  keyed($("points-body"), `${neg.id}`, () => pointsTable(sc));
  // the brief's boxes are capped and scroll: each one focusable and named, for the keyboard
  keyed($("brief-body"), `${neg.id}`, () => scrollBox(markdown(sc.brief), "Your role's brief"));
  keyed($("case-body"), `${neg.id}`, () => scrollBox(markdown(sc.description), "The case"));

  // chat
  // the list keeps its list semantics; the log role and the scrolling are its wrapper's
  const box = $("chat-box");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  if (syncChat($("chat-log"), neg)) {
    if (nearBottom || (neg.chat.length && neg.chat[neg.chat.length - 1].by === neg.role)) {
      box.scrollTop = box.scrollHeight;
    }
  }
  $("chat-input").placeholder = done ? "" : `Message to ${partner}…`;
}

function scrollBox(el, label) {
  el.setAttribute("role", "region");
  el.setAttribute("aria-label", label);
  el.tabIndex = 0;
  return el;
}

function drawStatus(neg, myTurn) {
  const partner = partnerName(neg);
  const latest = neg.offers[neg.offers.length - 1];
  const turnBox = $("status-turn");
  turnBox.classList.toggle("status-turn-you", myTurn);
  turnBox.classList.toggle("status-turn-partner", !myTurn);
  $("turn-text").textContent = myTurn ? "▶ Your turn" : `◷ ${partner}'s turn`;
  let note;
  if (!latest) note = myTurn ? "Make the first offer." : "They make the first offer.";
  else if (myTurn) note = neg.offers_left > 0 ? "Accept a package, or counter with an offer." : "Accept a package, or walk away.";
  else note = "Waiting for their answer to your offer.";
  $("turn-note").textContent = note;

  $("status-offers").querySelector(".stat-label").textContent = "Offers left";
  $("offers-text").textContent = `${neg.offers_left} of ${neg.max_offers}`;
  let onote;
  if (neg.offers_left > 1) onote = `${neg.offers_left - 1} before the last one, which is final.`;
  else if (neg.offers_left === 1) onote = "The next offer is the last: it can only be accepted, or walked away from.";
  else onote = "None left: the last offer can only be accepted, or walked away from.";
  $("offers-note").textContent = onote;
  $("status-offers").classList.toggle("status-urgent", neg.offers_left <= 1);

  $("partner-name").textContent = partner;
  replaceChildren(
    $("partner-note"),
    h("span", { class: `dot ${neg.partner.connected ? "dot-on" : "dot-off"}`, "aria-hidden": "true" }),
    neg.partner.connected ? `Connected · ${neg.partner.role_name}` : `Not connected · ${neg.partner.role_name}`,
  );
  $("rule-text").textContent = neg.condition_rule || "";
}

function drawPhase(neg, phase, myTurn) {
  const partner = partnerName(neg);
  const waiting = pendingProposal(phase);
  $("turn-text").textContent = !waiting ? "▶ Either of you" : myTurn ? "▶ Your answer" : `◷ ${partner}'s answer`;
  $("turn-note").textContent = !waiting
    ? "May propose a change, or close and keep the deal."
    : myTurn
      ? "Accept a package, counter or decline."
      : "Waiting for their answer to your proposal.";
  $("status-turn").classList.toggle("status-turn-you", !waiting || myTurn);
  $("status-turn").classList.toggle("status-turn-partner", Boolean(waiting) && !myTurn);
  $("status-offers").querySelector(".stat-label").textContent = "Proposals left";
  $("offers-text").textContent = `${phase.proposals_left} of ${phase.max_offers}`;
  $("offers-note").textContent = "In this phase after the deal.";
  $("status-offers").classList.toggle("status-urgent", phase.proposals_left <= 1);
  const key = `${neg.id}:${phase.proposals.length}:${phase.pending}:${JSON.stringify(phase.deal.package)}:${partner}`;
  keyed($("pss"), key, () =>
    phaseCard(neg, {
      accept: (x, i, err, btn) => accept(x, i, err, btn),
      counter: (x, i) => builder.counterFrom(x, i),
      decline: async (x, err, btn) => answer(err, btn, "decline", { offer_id: x.id }),
      close: async (err, btn) => answer(err, btn, "close_phase", {}),
    }),
  );
}

async function answer(errEl, button, event, payload) {
  setError(errEl, "");
  button.disabled = true;
  const res = await call(event, payload);
  if (!res.ok) {
    button.disabled = false;
    setError(errEl, res.error.message);
    button.focus();
  }
}

function drawIncoming(neg, myTurn) {
  const partner = partnerName(neg);
  const latest = neg.offers[neg.offers.length - 1] || null;
  const theirs = [...neg.offers].reverse().find((o) => o.by !== neg.role) || null;
  const key = `${neg.id}:${neg.offers.length}:${myTurn}:${neg.offers_left}:${partner}`;
  const title = $("incoming-title");
  const sub = $("incoming-sub");
  const body = $("incoming-body");
  if (body._key === key) return;

  const counter = neg.offers_left > 0 ? (offer, i) => builder.counterFrom(offer, i) : null;
  if (!latest) {
    replaceChildren(title, `Offer from ${partner}`);
    sub.textContent = "";
    keyed(body, key, () =>
      h("p", { class: "empty" }, myTurn ? "No offer yet: you make the first one below." : `${partner} makes the first offer. It will appear here.`),
    );
  } else if (latest.by !== neg.role) {
    const many = latest.packages.length > 1;
    replaceChildren(
      title,
      `${partner}'s offer #${latest.seq}`,
      many ? h("span", { class: "badge badge-partner" }, `${latest.packages.length} packages · pick one`) : null,
    );
    sub.textContent = many
      ? `These packages are of equal value to ${partner}. Accept the one you prefer, or counter one of them.${neg.offers_left === 0 ? " This was the final offer." : ""}`
      : `Accept it, or counter it.${neg.offers_left === 0 ? " This was the final offer." : ""}`;
    keyed(body, key, () => offerCards(neg, latest, { canAccept: myTurn, onAccept: accept, onCounter: counter }));
  } else {
    replaceChildren(title, `Waiting for ${partner}`);
    sub.textContent = `Your offer #${latest.seq} is with ${partner}: they can accept one of its packages, or counter.`;
    keyed(body, key, () => {
      const parts = [h("h3", { class: "small muted incoming-label" }, "Your offer")];
      const cards = offerCards(neg, latest, {});
      for (const c of cards.querySelectorAll(".offer-card")) c.classList.add("mine");
      parts.push(cards);
      if (theirs) {
        parts.push(h("h3", { class: "small muted incoming-label incoming-label-later" }, `${partner}'s last offer (#${theirs.seq})`));
        parts.push(offerCards(neg, theirs, { onCounter: null }));
      }
      return parts;
    });
  }
}

// Accept asks once (one tap on a phone must not end the negotiation), like Walk away
let accepting = null; // {offer, index, errEl, button} while the dialog is open
function accept(offer, index, errEl, button) {
  setError(errEl, "");
  setError($("accept-dialog-error"), "");
  const neg = last && last.negotiation;
  const points = offer.points ? offer.points[index] : null;
  const many = offer.packages.length > 1 ? `package ${index + 1} of ` : "";
  const inPhase = neg && openPhase(neg); // post-settlement: the package replaces the deal in force
  const after = inPhase
    ? ". It becomes the deal in force; the phase goes on until one of you closes it."
    : neg && neg.post_settlement
      ? ". It becomes your deal; you may then look together for one better for both."
      : ". The negotiation ends with this deal; it cannot be undone.";
  $("accept-dialog-text").textContent =
    `You accept ${many}${neg ? partnerName(neg) : "your partner"}'s ${inPhase ? "proposal" : "offer"} #${offer.seq}` +
    (typeof points === "number" ? `, worth ${pts(points)} points to you` : "") +
    after;
  accepting = { offer, index, errEl, button };
  $("accept-dialog").showModal();
}
$("accept-cancel").addEventListener("click", () => $("accept-dialog").close());
$("accept-dialog").addEventListener("close", () => {
  const a = accepting;
  accepting = null;
  if (a && a.button.isConnected && !a.sent) a.button.focus();
});
$("accept-confirm").addEventListener("click", async () => {
  const a = accepting;
  if (!a) return;
  const btn = $("accept-confirm");
  btn.disabled = true;
  const res = await call("accept", { offer_id: a.offer.id, package: a.index });
  btn.disabled = false;
  if (!res.ok) {
    setError($("accept-dialog-error"), res.error.message);
    setError(a.errEl, res.error.message);
    return;
  }
  a.sent = true;
  if ($("accept-dialog").open) $("accept-dialog").close();
});

// ------------------------------------------------------------------ clock: countdown and lobby wait
function tick() {
  const s = last;
  if (!s) return;
  const neg = s.negotiation;
  if (s.phase === "lobby" || !neg) {
    const since = s.lobby && s.lobby.since;
    $("lobby-waited-box").hidden = !since;
    if (since) $("lobby-waited").textContent = clock(now() - since);
    document.title = `Waiting · ${s.session.title} · Parley`;
    return;
  }
  if (neg.protocol && neg.protocol !== "offers") {
    middleTick($("view-middle"), neg, now());
    document.title = `${s.phase === "done" ? "Ended" : "Negotiating"} · ${neg.scenario.title} · Parley`;
    return;
  }
  if (s.phase === "done") {
    document.title = `${neg.outcome && neg.outcome.reason === "accepted" ? "Deal" : "No deal"} · ${neg.scenario.title} · Parley`;
    return;
  }
  const myTurn = neg.turn === neg.role;
  const what = openPhase(neg) ? "Deal reached: improve it?" : myTurn ? "Your turn" : "Their turn";
  document.title = `${what} · ${neg.scenario.title} · Parley`;
  const box = $("status-time");
  if (neg.deadline) {
    const left = Math.max(0, neg.deadline - now());
    $("time-text").textContent = clock(left);
    const urgent = left < 60;
    box.classList.toggle("status-urgent", urgent);
    $("time-note").textContent =
      left <= 0 ? "Time is up." : urgent ? "⚠ Less than a minute left!" : `Ends at ${timeOfDay(neg.deadline)}`;
    if (urgent && left > 0 && warnedMinute !== neg.id) {
      warnedMinute = neg.id;
      announce("Less than a minute left.");
    }
  } else {
    box.classList.remove("status-urgent");
    $("time-text").textContent = "No limit";
    $("time-note").textContent = "Take the time you need.";
  }
}

// ------------------------------------------------------------------ controls wired once
$("chat-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("chat-input");
  const err = $("chat-error");
  const text = input.value.trim();
  setError(err, "");
  if (!text) {
    setError(err, "Write a message first");
    input.focus();
    return;
  }
  // the box is emptied at once, so what is typed while this one travels is kept
  input.value = "";
  const res = await call("chat", { text });
  if (res.ok) {
    input.setAttribute("aria-invalid", "false");
  } else {
    input.setAttribute("aria-invalid", "true");
    setError(err, res.error.message);
    if (!input.value.trim()) input.value = text; // given back to be sent again
  }
  if (document.activeElement === document.body) input.focus();
});

$("walk-button").addEventListener("click", () => {
  setError($("walk-dialog-error"), "");
  setError($("walk-error"), "");
  $("walk-dialog").showModal();
});
$("walk-cancel").addEventListener("click", () => $("walk-dialog").close());
$("walk-confirm").addEventListener("click", async () => {
  const btn = $("walk-confirm");
  btn.disabled = true;
  const res = await call("walk_away", {});
  btn.disabled = false;
  if (!res.ok) {
    setError($("walk-dialog-error"), res.error.message);
    return;
  }
  if ($("walk-dialog").open) $("walk-dialog").close();
});

setInterval(tick, 250);

// ------------------------------------------------------------------ start
if (wanted && !seat) {
  fatal(
    "This browser has no seat for this link: a seat is kept in the browser that joined. Join the session to get a seat here.",
    "/",
    "Join a session",
  );
} else if (!seat) {
  window.location.replace(code ? `/join/${encodeURIComponent(code)}` : "/");
} else {
  touchSeat(seat.participant_id);
  const here = playUrl(seat);
  if (window.location.pathname + window.location.search !== here) window.history.replaceState(null, "", here);
  connect();
}
