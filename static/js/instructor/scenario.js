// A scenario's page: the outcome-space chart and the briefs rendered from Markdown.

/* global Chart, marked, DOMPurify */

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

for (const node of document.querySelectorAll("[data-markdown]")) {
  node.innerHTML = DOMPurify.sanitize(marked.parse(node.textContent));
  node.classList.add("rendered");
}

// a form that deletes asks once, naming what it deletes
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (ev) => {
    if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
  });
}
