// The questionnaire's items as form controls. Each control sends its answer as soon as it is
// given (`save(item, value)`), and shows the server's answer (an error) beside itself.
import { h } from "../shared/dom.js";

function anchorText(item, point) {
  const a = item.anchors || {};
  return a[String(point)] || null;
}

function legend(item) {
  return h(
    "legend",
    { class: "label study-question" },
    item.text,
    item.required ? h("span", { class: "study-required" }, " (required)") : null,
  );
}

function choiceList(item, value, save, multiple) {
  const chosen = new Set(multiple ? value || [] : value === undefined || value === null ? [] : [value]);
  return h(
    "div",
    { class: "study-choices" },
    item.options.map((o) => {
      const id = `q-${item.id}-${o.id}`;
      return h(
        "label",
        { class: "study-choice", for: id },
        h("input", {
          type: multiple ? "checkbox" : "radio",
          id,
          name: `q-${item.id}`,
          value: o.id,
          checked: chosen.has(o.id),
          "data-fkey": id,
          onchange: (e) => {
            if (!multiple) return save(item, o.id);
            const box = e.target.closest(".study-choices");
            const ids = [...box.querySelectorAll("input:checked")].map((x) => x.value);
            return save(item, ids);
          },
        }),
        h("span", {}, o.label),
      );
    }),
  );
}

function likert(item, value, save) {
  const points = [];
  for (let p = 1; p <= item.points; p += 1) points.push(p);
  return h(
    "div",
    { class: "study-likert", role: "presentation", style: item.points <= 7 ? { gridTemplateColumns: `repeat(${item.points}, minmax(0, 1fr))` } : null },
    points.map((p) => {
      const id = `q-${item.id}-${p}`;
      const words = anchorText(item, p);
      return h(
        "label",
        { class: "study-point", for: id },
        h("input", {
          type: "radio",
          id,
          name: `q-${item.id}`,
          value: String(p),
          checked: value === p,
          "data-fkey": id,
          "aria-label": words ? `${p}: ${words}` : String(p),
          onchange: () => save(item, p),
        }),
        h("span", { class: "study-point-number", "aria-hidden": "true" }, String(p)),
        words ? h("span", { class: "study-anchor small muted", "aria-hidden": "true" }, words) : null,
      );
    }),
  );
}

function numberInput(item, value, save) {
  const id = `q-${item.id}`;
  return h(
    "div",
    { class: "cluster" },
    h("input", {
      type: "number",
      id,
      class: "input study-number",
      min: item.min,
      max: item.max,
      step: item.integer ? 1 : "any",
      value: value === undefined || value === null ? null : String(value),
      "data-fkey": id,
      "aria-label": item.text,
      onchange: (e) => save(item, e.target.value === "" ? null : Number(e.target.value)),
    }),
    item.unit ? h("span", { class: "muted" }, item.unit) : null,
  );
}

function slider(item, value, save) {
  const id = `q-${item.id}`;
  const shown = h("output", { class: "num study-slider-value", for: id }, value === undefined || value === null ? "not answered" : String(value));
  return h(
    "div",
    { class: "stack-sm" },
    h("input", {
      type: "range",
      id,
      class: "study-slider",
      min: item.min,
      max: item.max,
      step: item.step || 1,
      value: String(value === undefined || value === null ? item.min : value),
      "data-fkey": id,
      "aria-label": item.text,
      oninput: (e) => {
        shown.textContent = e.target.value;
      },
      onchange: (e) => save(item, Number(e.target.value)),
    }),
    h(
      "div",
      { class: "study-slider-anchors small muted" },
      h("span", {}, anchorText(item, item.min) || String(item.min)),
      shown,
      h("span", {}, anchorText(item, item.max) || String(item.max)),
    ),
  );
}

function textInput(item, value, save, long) {
  const id = `q-${item.id}`;
  const max = item.max_length || (long ? 5000 : 200);
  const attrs = {
    id,
    class: long ? "textarea" : "input",
    maxlength: max,
    "data-fkey": id,
    "aria-label": item.text,
    onchange: (e) => save(item, e.target.value),
  };
  if (long) {
    const el = h("textarea", { ...attrs, rows: 4 });
    el.value = value || "";
    return el;
  }
  return h("input", { ...attrs, type: "text", value: value || "" });
}

/** One item as a fieldset: its question, its control, and a place for the server's error. */
export function itemField(item, value, save) {
  const control =
    item.kind === "likert"
      ? likert(item, value, save)
      : item.kind === "number"
        ? numberInput(item, value, save)
        : item.kind === "slider"
          ? slider(item, value, save)
          : item.kind === "text" || item.kind === "long_text"
            ? textInput(item, value, save, item.kind === "long_text")
            : choiceList(item, value, save, item.kind === "multiple");
  return h(
    "fieldset",
    { class: "field study-item", id: `item-${item.id}`, dataset: { item: item.id } },
    legend(item),
    control,
    h("p", { class: "field-error", id: `err-${item.id}`, role: "alert" }),
  );
}
