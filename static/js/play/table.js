// The private points table: issues as rows, every option with this role's points, the best
// option per issue marked (a star and the words "best", not colour alone), the BATNA below.
import { h } from "../shared/dom.js";
import { pts } from "./dom.js";
import { bestPackageValue, bestPoints, worstPoints } from "./model.js";

export function pointsTable(scenario) {
  const maxStake = Math.max(1, ...scenario.issues.map((i) => bestPoints(i) - worstPoints(i)));
  const rows = scenario.issues.map((issue) => {
    const best = bestPoints(issue);
    const worst = worstPoints(issue);
    const stake = best - worst;
    const chips = issue.options.map((o) => {
      const isBest = o.points === best && best !== worst;
      const isWorst = o.points === worst && best !== worst;
      return h(
        "li",
        { class: `option-chip${isBest ? " best" : ""}${isWorst ? " worst" : ""}` },
        h("span", null, o.label),
        h("span", { class: "pts" }, pts(o.points)),
        h("span", { class: "visually-hidden" }, isBest ? " points, best for you" : " points"),
      );
    });
    const bestLabels = issue.options.filter((o) => o.points === best).map((o) => o.label);
    return h(
      "tr",
      null,
      h(
        "th",
        { scope: "row" },
        h("span", { class: "issue-name" }, issue.name),
        h(
          "span",
          { class: "stake", title: `Best: ${bestLabels.join(" or ")}` },
          h("span", { class: "stake-text" }, `${pts(stake)} at stake`),
          h(
            "span",
            { class: "meter", "aria-hidden": "true" },
            h("span", { class: "meter-fill", style: { width: `${Math.max(3, Math.round((100 * stake) / maxStake))}%` } }),
          ),
        ),
      ),
      h("td", { class: "options" }, h("ul", { class: "option-list" }, chips)),
    );
  });
  return [
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "table points-table" },
        h(
          "caption",
          { class: "visually-hidden" },
          "Your points for every option. The best option of each issue is marked with a star.",
        ),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, "Issue"),
            h("th", { scope: "col" }, "Options and your points"),
          ),
        ),
        h("tbody", null, rows),
      ),
    ),
    h(
      "div",
      { class: "batna-line" },
      h("span", null, "Your BATNA (no deal): ", h("strong", null, `${pts(scenario.batna)} points`)),
      h(
        "span",
        null,
        "Best possible package: ",
        h("strong", null, `${pts(bestPackageValue(scenario))} points`),
      ),
      h("span", { class: "muted" }, "★ your best option · at stake: best minus worst option"),
    ),
  ];
}
