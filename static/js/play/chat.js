// The chat log. Messages are text: never parsed as HTML.
import { h, timeOfDay } from "./dom.js";

export function chatItems(neg) {
  if (!neg.chat.length) {
    return [h("li", { class: "muted small" }, "No messages yet. Say hello, ask what matters to them, explain your offers.")];
  }
  const partner = neg.partner.name || neg.partner.role_name;
  return neg.chat.map((m) => {
    const mine = m.by === neg.role;
    return h(
      "li",
      { class: `chat-msg ${mine ? "by-you" : "by-partner"}` },
      h("span", { class: "chat-who" }, mine ? "You" : partner, m.at ? h("span", { class: "muted" }, ` · ${timeOfDay(m.at)}`) : null),
      h("span", { class: "chat-text" }, m.text),
    );
  });
}
