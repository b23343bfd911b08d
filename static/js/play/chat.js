// The chat log. Messages are text: never parsed as HTML.
// The log is a live region (role="log"): only new messages are appended, as new <li>s keyed by
// their index in the whole chat, and the ones already shown stay the same nodes, so a screen
// reader reads each message once instead of the whole history on every new one.
//
// A state carries only the last messages (neg.chat) and how many there are in all
// (neg.chat_total): the first message of neg.chat is number chat_total - chat.length. Messages
// already on the page stay; those sent before the page opened and not in the state are counted
// in a note at the top ("N earlier messages are not shown").
import { h } from "../shared/dom.js";
import { timeOfDay } from "./dom.js";
import { partnerName } from "./model.js";

function emptyItem() {
  return h("li", { class: "muted small chat-empty" }, "No messages yet. Say hello, ask what matters to them, explain your offers.");
}

function olderText(n) {
  return `${n} earlier message${n === 1 ? " is" : "s are"} not shown here (the whole chat is kept in the session's record).`;
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

function total(neg) {
  return typeof neg.chat_total === "number" ? neg.chat_total : neg.chat.length;
}

/**
 * Bring the log up to date with neg.chat; true when messages were added (or the log redrawn).
 * Only another negotiation, a history that shrank or a gap (more new messages than the state
 * carries) redraws the log from scratch.
 */
export function syncChat(log, neg) {
  const partner = partnerName(neg);
  const all = total(neg);
  const first = all - neg.chat.length; // the whole chat's index of neg.chat[0]
  const shownTo = typeof log._to === "number" ? log._to : 0; // messages up to here are on the page
  const sameLog = log._neg === neg.id && log._partner === partner && shownTo <= all && shownTo >= first;
  if (!sameLog) {
    log._neg = neg.id;
    log._partner = partner;
    log._to = all;
    const items = neg.chat.map((m, i) => messageItem(neg, m, first + i));
    if (first > 0) items.unshift(h("li", { class: "muted small chat-older" }, olderText(first)));
    log.replaceChildren(...(items.length ? items : [emptyItem()]));
    return true;
  }
  if (shownTo === all) return false;
  const empty = log.querySelector(":scope > li.chat-empty");
  if (empty) empty.remove();
  for (let i = shownTo; i < all; i++) log.appendChild(messageItem(neg, neg.chat[i - first], i));
  log._to = all;
  return true;
}
