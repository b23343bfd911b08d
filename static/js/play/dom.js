// Small DOM and formatting helpers. Text from users is only ever set as text (textContent).

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

export function clear(el) {
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

const nf = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export function pts(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  return nf.format(n);
}

export function signed(n) {
  if (n > 0) return `+${nf.format(n)}`;
  if (n < 0) return `−${nf.format(-n)}`;
  return "±0";
}

/** "+1,200 above your BATNA" with an arrow, so colour is never the only signal. */
export function vsBatna(value, batna, { short = false } = {}) {
  if (value === null || value === undefined) return null;
  const d = value - batna;
  const cls = d > 0 ? "above" : d < 0 ? "below" : "equal";
  const arrow = d > 0 ? "▲" : d < 0 ? "▼" : "=";
  const words = short
    ? `${signed(d)} vs BATNA`
    : d > 0
      ? `${pts(d)} above your BATNA`
      : d < 0
        ? `${pts(-d)} below your BATNA`
        : "equal to your BATNA";
  return h("span", { class: `vs-batna ${cls}` }, h("span", { "aria-hidden": "true" }, arrow), words);
}

export function sentence(text) {
  text = String(text || "").trim();
  if (!text) return "";
  text = text[0].toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(text) ? text : `${text}.`;
}

/** m:ss or h:mm:ss */
export function clock(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = String(seconds % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

export function clockWords(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (m === 0) return `${s} second${s === 1 ? "" : "s"}`;
  return `${m} minute${m === 1 ? "" : "s"}${s ? ` ${s} second${s === 1 ? "" : "s"}` : ""}`;
}

export function timeOfDay(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** Show (or clear) an error message in the element `el` (a .field-error), linked to control. */
export function setError(el, message) {
  if (!el) return;
  el.textContent = message ? sentence(message) : "";
}

// Briefs are Markdown from a scenario file, which may come from elsewhere: only plain text
// formatting survives. No styles (they could hide the Walk away button), no forms or inputs (a
// phishing form), no images or media (remote requests), no frames, SVG or MathML.
const MD_TAGS = [
  "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i", "a",
  "blockquote", "code", "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
];
const MD_FORBID_TAGS = [
  "style", "form", "input", "button", "textarea", "select", "option", "iframe", "object", "embed",
  "img", "video", "audio", "svg", "math",
];
export const MARKDOWN_PURIFY = {
  ALLOWED_TAGS: MD_TAGS,
  ALLOWED_ATTR: ["href", "title", "align", "colspan", "rowspan", "start"],
  FORBID_TAGS: MD_FORBID_TAGS,
  FORBID_ATTR: ["style"],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
};

/** Links: http(s) ones open in a new tab without access to this page; in-page #anchors stay;
 * any other scheme (javascript:, data:, mailto:, relative paths) keeps its text only. */
function safeLinks(root) {
  for (const a of root.querySelectorAll("a")) {
    const href = (a.getAttribute("href") || "").trim();
    let url = null;
    try {
      url = href && !href.startsWith("#") ? new URL(href) : null; // relative: no base, throws
    } catch {
      url = null;
    }
    if (url && (url.protocol === "https:" || url.protocol === "http:")) {
      a.setAttribute("href", url.href);
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
    } else if (href.startsWith("#") && href.length > 1) {
      a.removeAttribute("target");
    } else {
      a.replaceWith(...a.childNodes);
    }
  }
}

/** Sanitised Markdown as DOM (marked + DOMPurify, both vendored globals). */
export function markdown(text) {
  const div = h("div", { class: "prose" });
  const src = String(text || "");
  if (window.marked && window.DOMPurify) {
    const frag = window.DOMPurify.sanitize(window.marked.parse(src), MARKDOWN_PURIFY);
    safeLinks(frag);
    div.appendChild(frag);
  } else {
    for (const para of src.split(/\n{2,}/)) div.appendChild(h("p", null, para));
  }
  return div;
}

let liveTimer = null;
/** Announce a short message to screen readers (polite). */
export function announce(message) {
  const el = document.getElementById("sr-live");
  if (!el) return;
  el.textContent = "";
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    el.textContent = message;
  }, 50);
}
