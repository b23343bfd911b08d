// The online study's page: consent, questionnaires and the completion code. It enters with the
// panel's participant id (the session's entry parameter in the URL, such as PROLIFIC_PID) or
// opens a seat this browser holds (?p=<participant id>), connects, and redraws from the
// `state`'s `study` stage; the negotiation itself is played on /play.
import { announce, h, replaceChildren } from "./shared/dom.js";
import { markdown, setError } from "./play/dom.js";
import { getSeat, saveSeat } from "./play/seats.js";
import { itemField } from "./study/items.js";

const $ = (id) => document.getElementById(id);
const root = $("study");
const code = root.dataset.code;
const params = new URLSearchParams(window.location.search);
let socket = null;
let seat = null;
let shown = null; // the key of what is drawn

function fatal(text) {
  $("fatal-text").textContent = text;
  $("fatal").hidden = false;
  replaceChildren(root);
}

function call(event, payload) {
  return new Promise((resolve) => {
    if (!socket || !socket.connected) {
      resolve({ ok: false, error: { code: "offline", message: "You are not connected right now. Wait a moment and try again" } });
      return;
    }
    socket.timeout(10000).emit(event, payload, (err, answer) => {
      if (err || !answer) resolve({ ok: false, error: { code: "timeout", message: "The server did not answer in time. Try again" } });
      else resolve(answer);
    });
  });
}

async function enter() {
  const wanted = params.get("p");
  if (wanted) {
    seat = getSeat(wanted);
    if (seat) return true;
  }
  const info = await fetch(`/api/sessions/${encodeURIComponent(code)}/info`).then((r) => (r.ok ? r.json() : null));
  if (!info) {
    fatal(`There is no study session with the code ${code}. Check the link you were given.`);
    return false;
  }
  const param = info.study && info.study.entry_param;
  const external = param ? params.get(param) : null;
  if (!param) {
    window.location.replace(`/join/${encodeURIComponent(code)}`);
    return false;
  }
  if (!external) {
    fatal(`This link is missing your participant id (${param}). Open the study from the link your panel gave you.`);
    return false;
  }
  const r = await fetch(`/api/sessions/${encodeURIComponent(code)}/enter`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ external_id: external }),
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    fatal((data.errors || ["The study could not be entered"]).join(". "));
    return false;
  }
  seat = saveSeat({ participant_id: data.participant_id, token: data.token, name: "Participant", code });
  window.history.replaceState(null, "", `/study/${encodeURIComponent(code)}?p=${encodeURIComponent(seat.participant_id)}`);
  return true;
}

function connect() {
  socket = window.io({ auth: { token: seat.token }, reconnectionDelayMax: 4000 });
  socket.on("connect", () => {
    $("conn-banner").hidden = true;
  });
  socket.on("disconnect", () => {
    $("conn-banner").hidden = false;
  });
  socket.on("connect_error", (err) => {
    if (!socket.active) fatal(`The server does not know this seat (${err.message}). Open the study from your panel's link again.`);
  });
  socket.on("state", render);
}

function render(state) {
  const st = state && state.study;
  const playUrl = `/play?p=${encodeURIComponent(seat.participant_id)}`;
  if (!st || st.stage === "play" || st.stage === "debrief") {
    window.location.replace(playUrl);
    return;
  }
  const key = st.stage === "questionnaire" ? `q:${st.questionnaire.id}:${st.page}` : st.stage;
  if (key === shown) return; // answers already on screen: the controls keep them
  shown = key;
  if (st.stage === "consent") drawConsent(st);
  else if (st.stage === "declined") drawDeclined();
  else if (st.stage === "questionnaire") drawQuestionnaire(st);
  else if (st.stage === "complete") drawComplete(st);
  const title = root.querySelector("h1");
  if (title) {
    title.setAttribute("tabindex", "-1");
    title.focus();
  }
}

function drawConsent(st) {
  const error = h("p", { class: "field-error", id: "consent-error", role: "alert" });
  const answer = async (agree) => {
    const a = await call("consent", { agree });
    if (!a.ok) setError(error, a.error.message);
  };
  replaceChildren(
    root,
    h(
      "section",
      { class: "card stack", "aria-labelledby": "consent-title" },
      h("h1", { id: "consent-title" }, "Before you start"),
      markdown(st.consent),
      h(
        "div",
        { class: "cluster" },
        h("button", { type: "button", id: "consent-yes", class: "btn btn-primary", onclick: () => answer(true) }, "I agree to take part"),
        h("button", { type: "button", id: "consent-no", class: "btn btn-secondary", onclick: () => answer(false) }, "I do not agree"),
      ),
      error,
    ),
  );
}

function drawDeclined() {
  replaceChildren(
    root,
    h(
      "section",
      { class: "card stack", "aria-labelledby": "declined-title" },
      h("h1", { id: "declined-title" }, "Thank you"),
      h("p", { class: "lead" }, "You have chosen not to take part. Nothing more is recorded. You can close this page."),
    ),
  );
}

function drawQuestionnaire(st) {
  const q = st.questionnaire;
  const page = q.pages[st.page];
  const last = st.page === q.pages.length - 1;
  const formError = h("p", { class: "field-error", id: "form-error", role: "alert" });
  const pending = new Set(); // answers sent and not yet acknowledged
  const save = async (item, value) => {
    const sent = call("respond", { questionnaire: q.id, item: item.id, value });
    pending.add(sent);
    const a = await sent;
    pending.delete(sent);
    setError($(`err-${item.id}`), a.ok ? "" : a.error.message);
  };
  const form = h(
    "form",
    {
      class: "stack",
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        // text being typed is saved first (its change event may not have fired yet)
        const active = document.activeElement;
        if (active && (active.tagName === "TEXTAREA" || active.type === "text" || active.type === "number")) active.blur();
        await Promise.all([...pending]); // every answer is kept before the page is finished
        const a = await call("submit", { questionnaire: q.id, page: st.page });
        if (!a.ok) {
          setError(formError, a.error.message);
          announce(a.error.message);
        }
      },
    },
    page.items.map((item) => itemField(item, st.answers[item.id], save)),
    h("div", { class: "stack-sm" }, h("button", { type: "submit", id: "page-submit", class: "btn btn-primary btn-lg" }, last ? "Finish" : "Next page"), formError),
  );
  replaceChildren(
    root,
    h(
      "section",
      { class: "card stack", "aria-labelledby": "q-title" },
      h("h1", { id: "q-title" }, q.title),
      q.pages.length > 1 ? h("p", { class: "muted" }, `Page ${st.page + 1} of ${q.pages.length}`) : null,
      page.title ? h("h2", {}, page.title) : null,
      st.page === 0 && q.intro ? h("p", { class: "lead" }, q.intro) : null,
      page.intro ? h("p", {}, page.intro) : null,
      form,
    ),
  );
}

function drawComplete(st) {
  replaceChildren(
    root,
    h(
      "section",
      { class: "card stack", "aria-labelledby": "done-title" },
      h("h1", { id: "done-title" }, st.released ? "No partner arrived in time" : "Thank you: you are done"),
      st.released ? h("p", { class: "lead" }, "Nobody else arrived to negotiate with you. You are released from the study, and your time counts.") : null,
      st.code
        ? h("p", { class: "lead" }, "Your completion code: ", h("strong", { id: "completion-code", class: "num study-code" }, st.code))
        : h("p", { class: "lead" }, "You can close this page."),
      st.redirect_url ? h("p", {}, h("a", { id: "redirect-link", class: "btn btn-primary", href: st.redirect_url }, "Return to the study's website")) : null,
    ),
  );
}

(async () => {
  if (typeof window.io !== "function") {
    fatal("The page could not load its connection library. Reload the page.");
    return;
  }
  if (await enter()) connect();
})();
