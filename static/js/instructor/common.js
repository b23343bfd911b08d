// Shared helpers of the instructor console's pages. No framework: small functions over the DOM.
// Text from users (names, labels) only ever enters the page through textContent.
import { SYMBOLS } from "../shared/charts.js";
import { h } from "../shared/dom.js";
import { number, signedNumber } from "../shared/format.js";

export function bootData(id = "boot") {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

export function csrfToken() {
  const m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.content : "";
}

// A call of the JSON API with the console's cookie; changes carry the CSRF token header.
export async function api(method, url, body) {
  const opts = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  };
  if (method !== "GET") {
    opts.headers["X-CSRF-Token"] = csrfToken();
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body || {});
  }
  let res;
  try {
    res = await fetch(url, opts);
  } catch (e) {
    return { ok: false, status: 0, data: { errors: ["network: the server cannot be reached"] } };
  }
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    data = {};
  }
  if (res.status === 401) {
    // the cookie has gone (logged out elsewhere, new server secret): log in again
    window.location.href = "/instructor?next=" + encodeURIComponent(location.pathname);
  }
  return { ok: res.ok, status: res.status, data };
}

// The message of an API error answer, without the PLACE prefix.
export function errorText(data) {
  const errs = (data && data.errors) || ["something went wrong"];
  return errs.map((e) => (e.includes(": ") ? e.slice(e.indexOf(": ") + 2) : e)).join("; ");
}

// the console's numbers: 1 decimal, or exactly 2 (z-scores, slopes); "–" when unknown
export function fmt(x) {
  return number(x, { digits: 1 });
}

export function fmt2(x) {
  return number(x, { digits: 2, fixed: true });
}

export function signed(x) {
  return signedNumber(x, { digits: 2, fixed: true });
}

export function pct(x) {
  if (x === null || x === undefined) return "–";
  return Math.round(x * 100) + "%";
}

// Keep a <tbody> in step with a list of items, touching only rows whose signature changed.
// key(item) -> stable id; sig(item) -> string that changes whenever the row must change;
// fill(tr, item) -> fills an (emptied) row. Rows are reordered to the list's order.
export function syncRows(tbody, items, key, sig, fill) {
  if (!tbody._rows) tbody._rows = new Map();
  const rows = tbody._rows;
  const seen = new Set();
  let cursor = tbody.firstElementChild;
  for (const item of items) {
    const k = key(item);
    seen.add(k);
    const s = sig(item);
    let tr = rows.get(k);
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.key = k;
      rows.set(k, tr);
    }
    if (tr._sig !== s) {
      tr.replaceChildren();
      fill(tr, item);
      labelCells(tr, tbody.parentElement);
      tr._sig = s;
    }
    if (tr !== cursor) tbody.insertBefore(tr, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const [k, tr] of rows) {
    if (!seen.has(k)) {
      tr.remove();
      rows.delete(k);
    }
  }
}

// Each cell of a row names its column (data-label, from the header's data-label or text): on a
// phone the table's rows become cards whose cells show that name before the value (CSS
// table.phone-cards), while the table stays a table to screen readers.
const headLabel = (th) => (th ? th.dataset.label || th.textContent.trim() : "");

export function labelCells(tr, table) {
  const head = table && table.tHead && table.tHead.rows[0];
  if (!head) return;
  [...tr.cells].forEach((cell, i) => {
    const label = headLabel(head.cells[i]);
    if (label && !cell.dataset.label) cell.dataset.label = label;
  });
}

// The same for every row of every table.phone-cards under ``root``, minding cells that span
// rows (a MESO offer's packages share its number and sender).
export function labelTables(root = document) {
  for (const table of root.querySelectorAll("table.phone-cards")) {
    const head = table.tHead && table.tHead.rows[0];
    if (!head) continue;
    const labels = [...head.cells].map(headLabel);
    const spans = labels.map(() => 0); // rows each column is still covered by a rowspan
    for (const body of table.tBodies) {
      for (const tr of body.rows) {
        let col = 0;
        for (const cell of tr.cells) {
          while (spans[col] > 0) spans[col++]--;
          if (labels[col] && !cell.dataset.label) cell.dataset.label = labels[col];
          if (cell.rowSpan > 1) spans[col] = cell.rowSpan - 1;
          col += cell.colSpan || 1;
        }
        for (; col < spans.length; col++) if (spans[col] > 0) spans[col]--;
      }
    }
  }
}

// Connect to the instructor namespace and watch one session. onSession gets every update;
// onStatus gets "live", "connecting" or "offline".
export function watchSession(code, onSession, onStatus) {
  // eslint-disable-next-line no-undef
  const socket = io("/instructor", { transports: ["websocket", "polling"] });
  onStatus("connecting");
  socket.on("connect", () => {
    socket.emit("watch", { code }, (ack) => {
      onStatus(ack && ack.ok ? "live" : "offline");
    });
  });
  socket.on("disconnect", () => onStatus("connecting"));
  socket.on("connect_error", () => onStatus("offline"));
  socket.on("session", (data) => {
    if (data && data.code === code) onSession(data);
  });
  return socket;
}

export function setLiveStatus(node, status) {
  if (!node) return;
  node.dataset.status = status;
  const text = node.querySelector(".live-text");
  text.textContent =
    status === "live" ? "Live" : status === "offline" ? "Offline – retrying" : "Connecting…";
}

// the conditions' shapes: the one set of symbols of every chart (shared/charts.js SYMBOLS)
export const CONDITION_SHAPES = Object.fromEntries(Object.entries(SYMBOLS.conditions).map(([c, s]) => [c, s.pointStyle]));
export const CONDITION_ROTATIONS = Object.fromEntries(Object.entries(SYMBOLS.conditions).map(([c, s]) => [c, s.rotation || 0]));
export const CONDITION_COLOURS = { single: "#0B5FA5", meso: "#C45A00", any: "#0A7F5A", mediated: "#7A3E9D", single_text: "#A3295A" };
export const CONDITION_SHORT = { single: "Single", meso: "MESO", any: "Free choice", mediated: "Mediated", single_text: "Single text" };
export const CONDITION_SYMBOLS = Object.fromEntries(Object.entries(SYMBOLS.conditions).map(([c, s]) => [c, s.mark]));

export function conditionBadge(cond, names) {
  return h(
    "span",
    { class: "cond cond-" + cond },
    h("span", { class: "cond-mark", "aria-hidden": "true" }),
    (names && names[cond]) || cond,
  );
}
