// Seats kept in localStorage, keyed by participant id: one browser can hold several seats, even
// in the same session (two tabs playing both sides). The play page names its seat in its URL
// (/play?p=<participant_id>), so every tab's reload returns to that tab's seat.
// Shared by the join page and the play page.
//
// Storage: "parley.seats" = {participant_id: {participant_id, code, name, token, at}}, where
// `at` (epoch ms) is when the seat was last joined or opened: the most recent seat is the one
// /play without ?p= falls back to.

const SEATS = "parley.seats";
const LEGACY_PREFIX = "parley.seat."; // one seat per session code (before seats by participant)
const LEGACY_LAST = "parley.lastCode";

export function normalizeCode(code) {
  return String(code || "").replace(/\s+/g, "").replace(/-/g, "").toUpperCase();
}

function storage() {
  try {
    const s = window.localStorage;
    s.getItem(SEATS); // throws where storage is blocked
    return s;
  } catch {
    return null; // storage blocked (private mode in some browsers): seats last for this page only
  }
}

let memory = {};

function valid(seat) {
  return (
    seat &&
    typeof seat === "object" &&
    typeof seat.token === "string" &&
    typeof seat.participant_id === "string" &&
    typeof seat.code === "string"
  );
}

/** Seats written by the old one-seat-per-code layout, moved into the map once. */
function migrate(s, map) {
  const old = [];
  for (let i = 0; i < s.length; i++) {
    const k = s.key(i);
    if (k && k.startsWith(LEGACY_PREFIX)) old.push(k);
  }
  for (const k of old) {
    try {
      const seat = JSON.parse(s.getItem(k));
      const code = normalizeCode(seat && seat.code ? seat.code : k.slice(LEGACY_PREFIX.length));
      if (seat && typeof seat.token === "string" && typeof seat.participant_id === "string") {
        map[seat.participant_id] = { ...seat, code, at: seat.at || 0 };
      }
    } catch {
      // unreadable: dropped
    }
    s.removeItem(k);
  }
  s.removeItem(LEGACY_LAST);
  return old.length > 0;
}

function readAll() {
  const s = storage();
  if (!s) return { ...memory };
  let map = {};
  try {
    const raw = JSON.parse(s.getItem(SEATS) || "{}");
    if (raw && typeof raw === "object" && !Array.isArray(raw)) map = raw;
  } catch {
    map = {};
  }
  for (const [k, v] of Object.entries(map)) if (!valid(v) || v.participant_id !== k) delete map[k];
  if (migrate(s, map)) writeAll(map);
  return map;
}

function writeAll(map) {
  const s = storage();
  if (!s) {
    memory = { ...map };
    return;
  }
  try {
    s.setItem(SEATS, JSON.stringify(map));
  } catch {
    memory = { ...map }; // storage full
  }
}

/** Every seat this browser holds, most recent first. */
export function allSeats() {
  return Object.values(readAll()).sort((a, b) => (b.at || 0) - (a.at || 0));
}

/** This browser's seats in one session, most recent first. */
export function seatsIn(code) {
  code = normalizeCode(code);
  return code ? allSeats().filter((s) => s.code === code) : [];
}

export function getSeat(participantId) {
  if (!participantId) return null;
  return readAll()[participantId] || null;
}

/** The seat /play without ?p= opens: the one joined or opened last. */
export function lastSeat() {
  return allSeats()[0] || null;
}

/** Keep a new seat: {participant_id, token, name, code}. */
export function saveSeat(seat) {
  const map = readAll();
  const code = normalizeCode(seat.code);
  map[seat.participant_id] = { ...seat, code, at: Date.now() };
  writeAll(map);
  return map[seat.participant_id];
}

/** Mark a seat as the most recent one (opened in a tab). */
export function touchSeat(participantId) {
  const map = readAll();
  if (!map[participantId]) return;
  map[participantId].at = Date.now();
  writeAll(map);
}

export function forgetSeat(participantId) {
  const map = readAll();
  delete map[participantId];
  writeAll(map);
}

export function playUrl(seat) {
  return `/play?p=${encodeURIComponent(seat.participant_id)}`;
}
