// The student screen's formatting helpers (points, BATNA comparisons, sentences, Markdown).
// The element builder and the live region are shared with the console: ../shared/dom.js.
// Text from users is only ever set as text (textContent).
import { h } from "../shared/dom.js";
import { number, signedNumber } from "../shared/format.js";

// points as the student's screen writes them: up to 2 decimals, "—" when unknown
const POINTS = { digits: 2, locale: "en-US", empty: "—" };

export function pts(n) {
  return number(n, POINTS);
}

export function signed(n) {
  return signedNumber(n, { ...POINTS, zero: "±0" });
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
