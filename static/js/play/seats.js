// Seats kept in localStorage: one join token per session code, so a reload or a second tab
// returns to the same participant. Shared by the join page and the play page.

const PREFIX = "parley.seat.";
const LAST = "parley.lastCode";

export function normalizeCode(code) {
  return String(code || "").replace(/\s+/g, "").replace(/-/g, "").toUpperCase();
}

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked (private mode in some browsers): seats last for this page only
  }
}

const memory = new Map();

export function getSeat(code) {
  code = normalizeCode(code);
  if (!code) return null;
  const s = storage();
  const raw = s ? s.getItem(PREFIX + code) : memory.get(code);
  if (!raw) return null;
  try {
    const seat = JSON.parse(raw);
    return seat && typeof seat.token === "string" ? seat : null;
  } catch {
    return null;
  }
}

export function saveSeat(code, seat) {
  code = normalizeCode(code);
  const raw = JSON.stringify({ ...seat, code });
  const s = storage();
  if (s) {
    s.setItem(PREFIX + code, raw);
    s.setItem(LAST, code);
  } else {
    memory.set(code, raw);
  }
}

export function forgetSeat(code) {
  code = normalizeCode(code);
  const s = storage();
  if (s) s.removeItem(PREFIX + code);
  memory.delete(code);
}

export function lastCode() {
  const s = storage();
  return s ? s.getItem(LAST) : null;
}
