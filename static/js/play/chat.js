// The chat log. Messages are text: never parsed as HTML.
// The log is a live region (role="log", on the list's wrapper #chat-box): only new messages are appended, as new <li>s keyed by
// their index, and the ones already shown stay the same nodes, so a screen reader reads each
// message once instead of the whole history on every new one.
import { h } from "../shared/dom.js";
import { timeOfDay } from "./dom.js";
import { partnerName } from "./model.js";

function emptyItem() {
  return h("li", { class: "muted small chat-empty" }, "No messages yet. Say hello, ask what matters to them, explain your offers.");
}

function messageItem(neg, m, index) {
  const mine = m.by === neg.role;
  const partner = partnerName(neg);
  return h(
    "li",
    { class: `chat-msg ${mine ? "by-you" : "by-partner"}`, "data-index": index },
    h("span", { class: "chat-who" }, mine ? "You" : partner, m.at ? h("span", { class: "muted" }, ` · ${timeOfDay(m.at)}`) : null),
    h("span", { class: "chat-text" }, m.text),
  );
}

/**
 * Bring the log up to date with neg.chat; true when messages were added (or the log redrawn).
 * Only another negotiation, or a history that shrank, redraws the log from scratch.
 */
export function syncChat(log, neg) {
  const partner = partnerName(neg);
  const shown = log.querySelectorAll(":scope > li.chat-msg").length;
  const sameLog = log._neg === neg.id && log._partner === partner && shown <= neg.chat.length;
  if (!sameLog) {
    log._neg = neg.id;
    log._partner = partner;
    log.replaceChildren(...(neg.chat.length ? neg.chat.map((m, i) => messageItem(neg, m, i)) : [emptyItem()]));
    return true;
  }
  if (shown === neg.chat.length) return false;
  const empty = log.querySelector(":scope > li.chat-empty");
  if (empty) empty.remove();
  for (let i = shown; i < neg.chat.length; i++) log.appendChild(messageItem(neg, neg.chat[i], i));
  return true;
}
