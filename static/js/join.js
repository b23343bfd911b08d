// The join page: session code + display name -> POST /api/sessions/<code>/join -> /play.
import { getSeat, lastCode, normalizeCode, saveSeat } from "./play/seats.js";

const form = document.getElementById("join-form");
const codeInput = document.getElementById("code");
const nameInput = document.getElementById("name");
const button = document.getElementById("join-button");
const found = document.getElementById("code-found");
const errors = {
  code: document.getElementById("code-error"),
  name: document.getElementById("name-error"),
  form: document.getElementById("form-error"),
};

function playUrl(code) {
  return `/play?code=${encodeURIComponent(code)}`;
}

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

// ---- "you already have a seat here"
function showResume() {
  const code = normalizeCode(codeInput.value) || lastCode();
  const seat = code ? getSeat(code) : null;
  const box = document.getElementById("resume");
  if (!seat) {
    box.hidden = true;
    return;
  }
  document.getElementById("resume-code").textContent = code;
  document.getElementById("resume-name").textContent = seat.name || "you";
  const link = document.getElementById("resume-link");
  link.href = playUrl(code);
  link.textContent = `Continue as ${seat.name || "before"}`;
  box.hidden = false;
}

// ---- the scenario's title once the code is known
let lookup = 0;
async function lookUpCode() {
  const code = normalizeCode(codeInput.value);
  const mine = ++lookup;
  found.textContent = "";
  if (code.length < 6) return;
  try {
    const r = await fetch(`/api/sessions/${encodeURIComponent(code)}/info`);
    if (mine !== lookup) return;
    if (r.ok) {
      const info = await r.json();
      found.textContent = `✓ Session found: ${info.title}`;
      if (errors.code.textContent) showError("code", "");
    }
  } catch {
    // offline: the Join button will say so
  }
}

let timer = null;
codeInput.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    lookUpCode();
    showResume();
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
  button.disabled = true;
  button.textContent = "Joining…";
  try {
    const r = await fetch(`/api/sessions/${encodeURIComponent(code)}/join`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name }),
    });
    const data = await r.json().catch(() => ({}));
    if (r.status === 201 && data.token) {
      saveSeat(code, { token: data.token, participant_id: data.participant_id, name });
      window.location.assign(playUrl(code));
      return;
    }
    if (r.status === 404) {
      showError("code", "There is no session with this code. Check it with your instructor");
      codeInput.focus();
    } else {
      const list = Array.isArray(data.errors) ? data.errors : [`Could not join (error ${r.status})`];
      for (const e of list) {
        const m = /^([a-z_]+):\s*(.*)$/.exec(e);
        const field = m && (m[1] === "name" || m[1] === "code") ? m[1] : "form";
        showError(field, !m || field === "form" ? e : field === "name" ? `Your name ${m[2]}` : m[2]);
      }
      (errors.name.textContent ? nameInput : codeInput).focus();
    }
  } catch {
    showError("form", "Could not reach the server. Check your connection and try again");
  }
  button.disabled = false;
  button.textContent = "Join";
});

if (codeInput.value) {
  lookUpCode();
  nameInput.focus();
} else {
  codeInput.focus();
}
showResume();
