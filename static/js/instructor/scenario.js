// A scenario's page: the outcome-space chart and the briefs rendered from Markdown.

/* global Chart */

import { markdown } from "../play/dom.js";
import { bootData } from "./common.js";
import { bounds, setDefaults, spaceDatasets, spaceOptions } from "./charts.js";

setDefaults();
const boot = bootData();
const a = boot.analysis;
const space = {
  cloud: a.cloud,
  pareto: a.pareto,
  batnas: a.batnas,
  compromise: a.compromise && a.compromise.points,
  nash: a.nash && a.nash.points,
};
const b = bounds(space);
new Chart(document.getElementById("chart-space"), {
  type: "scatter",
  data: { datasets: spaceDatasets(space, boot.roles, b) },
  options: spaceOptions(boot.roles, b),
});

// The student page's sanitiser and its config (MARKDOWN_PURIFY: a short list of tags, no
// attributes but links', links made safe), not DOMPurify's permissive default.
for (const node of document.querySelectorAll("[data-markdown]")) {
  node.replaceChildren(...markdown(node.textContent).childNodes);
  node.classList.add("rendered");
}

// a form that deletes asks once, naming what it deletes
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (ev) => {
    if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
  });
}
