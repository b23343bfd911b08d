// The join page: session code + display name -> POST /api/sessions/<code>/join -> /play?p=<id>.
// When this browser already holds seats in the session, "Continue as <name>" comes first and
// joining again (a second, separate seat) is an explicit choice.
import { lastSeat, normalizeCode, playUrl, saveSeat, seatsIn } from "./play/seats.js";

const form = document.getElementById("join-form");
const codeInput = document.getElementById("code");
const nameInput = document.getElementById("name");
const idField = document.getElementById("student-id-field");
const idInput = document.getElementById("student-id");
const button = document.getElementById("join-button");
const found = document.getElementById("code-found");
const errors = {
  code: document.getElementById("code-error"),
  name: document.getElementById("name-error"),
  label: document.getElementById("student-id-error"),
  form: document.getElementById("form-error"),
};
const resume = {
  box: document.getElementById("resume"),
  code: document.getElementById("resume-code"),
  lead: document.getElementById("resume-lead"),
  list: document.getElementById("resume-list"),
  choice: document.getElementById("new-seat-choice"),
  choose: document.getElementById("new-seat-button"),
  note: document.getElementById("new-seat-note"),
  noteText: document.getElementById("new-seat-text"),
  pageLead: document.getElementById("join-lead"),
  oneSeat: document.getElementById("one-seat-note"),
};
const PAGE_LEAD = resume.pageLead.textContent;

// true once the student chose "Join as a new participant", or edits the code themselves
let chosenNew = false;
// may one browser take several seats in the session being joined? (its /info says; null until
// known). Where not, a browser that holds a seat gets that seat back from the server anyway.
let allowNew = null;
let busy = false;

function sentence(text) {
  text = String(text || "").trim();
  if (!text) return text;
  text = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function showError(field, message) {
  const el = errors[field] || errors.form;
  el.textContent = message ? sentence(message) : "";
  const input = field === "code" ? codeInput : field === "name" ? nameInput : null;
  if (input) input.setAttribute("aria-invalid", message ? "true" : "false");
}

function clearErrors() {
  for (const f of Object.keys(errors)) showError(f, "");
}

function names(seats) {
  const list = seats.map((s) => s.name || "you");
  return list.length <= 1 ? list.join("") : `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}

// ---- the seats this browser already holds: "Continue as <name>", first
/** Draw the seats of the session being joined (or of the last session, on the start page). */
function showSeats() {
  const code = normalizeCode(codeInput.value);
  const last = lastSeat();
  const shown = code || (last ? last.code : "");
  const seats = shown ? seatsIn(shown) : [];
  // seats in the very session the form would join: joining again makes another seat
  const here = seats.length > 0 && shown === code;
  const collapsed = here && (!chosenNew || allowNew === false);

  resume.box.hidden = seats.length === 0;
  if (seats.length) {
    resume.code.textContent = shown;
    const many = seats.length > 1;
    if (here) {
      resume.lead.textContent = many
        ? `This browser already has ${seats.length} seats in this session. Continue with one of them:`
        : "This browser already has a seat in this session. Continue where you left off:";
    } else {
      resume.lead.textContent = `This browser has ${many ? `${seats.length} seats` : "a seat"} in your last session. Continue, or enter a new code below.`;
    }
    // the first seat is the page's main action, unless the form is open to join afresh
    const primary = collapsed ? 0 : -1;
    const key = `${primary}|${seats.map((s) => `${s.participant_id}:${s.name}`).join("|")}`;
    if (resume.list.dataset.key !== key) {
      resume.list.dataset.key = key;
      resume.list.replaceChildren(
        ...seats.map((s, i) => {
          const a = document.createElement("a");
          a.className = `btn ${i === primary ? "btn-primary" : "btn-secondary"} btn-block`;
          a.href = playUrl(s);
          a.textContent = `Continue as ${s.name || "before"}`;
          const li = document.createElement("li");
          li.append(a);
          return li;
        }),
      );
    }
  }
  form.hidden = collapsed;
  resume.choice.hidden = !collapsed || allowNew !== true;
  resume.oneSeat.hidden = !collapsed || allowNew !== false;
  resume.pageLead.textContent = collapsed ? "Welcome back. Your seat is kept in this browser." : PAGE_LEAD;
  resume.note.hidden = !here || collapsed;
  resume.noteText.textContent = here
    ? `You are joining session ${code} as a new participant: a second, separate seat. ` +
      `Your seat${seats.length > 1 ? "s" : ""} as ${names(seats)} stay${seats.length > 1 ? "" : "s"} in this browser.`
    : "";
  if (!busy) button.textContent = here ? "Join as a new participant" : "Join";
  return collapsed;
}

resume.choose.addEventListener("click", () => {
  chosenNew = true;
  showSeats();
  (codeInput.value ? nameInput : codeInput).focus();
});

// ---- the scenario's title once the code is known
let lookup = 0;
async function lookUpCode() {
  const code = normalizeCode(codeInput.value);
  const mine = ++lookup;
  found.textContent = "";
  allowNew = null;
  if (code.length < 6) return;
  try {
    const r = await fetch(`/api/sessions/${encodeURIComponent(code)}/info`);
    if (mine !== lookup) return;
    if (r.ok) {
      const info = await r.json();
      found.textContent = info.closed
        ? `Session found: ${info.title}. It is closed: the class is over.`
        : `✓ Session found: ${info.title}`;
      // the session's student-id field, under the label it chose
      idField.hidden = !info.student_id;
      if (info.student_id) document.getElementById("student-id-label").textContent = `${info.student_id} (optional)`;
      allowNew = info.multiple_seats === true;
      showSeats();
      if (errors.code.textContent) showError("code", "");
    }
  } catch {
    // offline: the Join button will say so
  }
}

let timer = null;
codeInput.addEventListener("input", () => {
  chosenNew = true; // typing in the form: keep it open, and say so if the code has seats here
  clearTimeout(timer);
  timer = setTimeout(() => {
    lookUpCode();
    showSeats();
  }, 250);
});

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearErrors();
  const code = normalizeCode(codeInput.value);
  const name = nameInput.value.trim();
  let bad = false;
  if (!code) {
    showError("code", "Enter the session code your instructor gave you");
    bad = true;
  }
  if (!name) {
    showError("name", "Enter your name");
    bad = true;
  } else if (name.length > 80) {
    showError("name", "Your name can have at most 80 characters");
    bad = true;
  }
  if (bad) {
    (errors.code.textContent ? codeInput : nameInput).focus();
    return;
  }
  busy = true;
  button.disabled = true;
  button.textContent = "Joining…";
  try {
    const r = await fetch(`/api/sessions/${encodeURIComponent(code)}/join`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(idField.hidden ? { name } : { name, label: idInput.value.trim() }),
    });
    const data = await r.json().catch(() => ({}));
    if ((r.status === 201 || r.status === 200) && data.token) {
      // 200: this browser already held a seat in the session, and gets it back
      const seat = saveSeat({ participant_id: data.participant_id, token: data.token, name: data.name || name.split(/\s+/).join(" "), code });
      window.location.assign(playUrl(seat));
      return;
    }
    if (r.status === 404) {
      showError("code", "There is no session with this code. Check it with your instructor");
      codeInput.focus();
    } else {
      const list = Array.isArray(data.errors) ? data.errors : [`Could not join (error ${r.status})`];
      for (const e of list) {
        const m = /^([a-z_]+):\s*(.*)$/.exec(e);
        const field = m && ["name", "code", "label"].includes(m[1]) ? m[1] : "form";
        const what = { name: "Your name ", label: "It " }[field] || "";
        showError(field, !m || field === "form" ? e : what + m[2]);
      }
      (errors.name.textContent ? nameInput : codeInput).focus();
    }
  } catch {
    showError("form", "Could not reach the server. Check your connection and try again");
  }
  busy = false;
  button.disabled = false;
  showSeats();
});

// another tab joined or forgot a seat: redraw the list (a form in use is never folded away)
window.addEventListener("storage", () => {
  if (!form.hidden) chosenNew = true;
  showSeats();
});
// back from /play with the browser's back button: the page may come from the cache
window.addEventListener("pageshow", (ev) => {
  if (ev.persisted) showSeats();
});

if (codeInput.value) lookUpCode();
if (showSeats()) {
  resume.list.querySelector("a").focus();
} else {
  (codeInput.value ? nameInput : codeInput).focus();
}
