// DOM helpers of both screens (the student's play page and the instructor's console).
// Text from users is only ever set as text (textContent).

/**
 * h("button", {class: "btn", onclick: fn, "aria-label": "..."}, "text", child, ...)
 * Strings and numbers become text nodes; null/false children are skipped; arrays are flattened.
 * Attributes: class, dataset (object), on<event> (function), hidden/disabled/... (booleans),
 * text (sets textContent), style (an object of CSSOM properties, e.g. {width: "40%"}: the page's
 * Content-Security-Policy blocks style="..." attributes, not the CSSOM); anything else through
 * setAttribute.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k === "text") el.textContent = v;
      else if (k === "style") {
        if (typeof v === "object") Object.assign(el.style, v);
        else el.style.cssText = String(v); // CSSOM, never the style attribute
      }
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, "");
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replace el's children, keeping focus on the element with the same data-fkey if it had it. */
export function replaceChildren(el, ...children) {
  const active = document.activeElement;
  const fkey = active && el.contains(active) ? active.dataset.fkey : null;
  clear(el);
  append(el, children);
  if (fkey) {
    const again = el.querySelector(`[data-fkey="${CSS.escape(fkey)}"]`);
    if (again && !again.disabled) again.focus({ preventScroll: true });
  }
  return el;
}

/** Rebuild el only when key changed since the last build. */
export function keyed(el, key, build) {
  if (el._key === key) return false;
  el._key = key;
  const out = build();
  replaceChildren(el, ...(Array.isArray(out) ? out : [out]));
  return true;
}

let liveTimer = null;
/**
 * Tell screen readers a short message (polite), through the page's live region #sr-live
 * (templates/base.html). The region is emptied at once and filled `wait` ms later, so the same
 * message twice is heard twice; a message given before then replaces the waiting one.
 */
export function announce(message, { wait = 50 } = {}) {
  const el = document.getElementById("sr-live");
  if (!el) return;
  el.textContent = "";
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    el.textContent = message;
  }, wait);
}
