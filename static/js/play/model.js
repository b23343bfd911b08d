// Read-only helpers over the scenario in the last `state` (this role's points only).
// The builder sums option points for display; every figure comes from the server's state.
import { sumPoints } from "../shared/equivalence.js";

export function optionOf(scenario, issueId, optionId) {
  const issue = scenario.issues.find((i) => i.id === issueId);
  return issue ? issue.options.find((o) => o.id === optionId) || null : null;
}

/** This role's value of a package (summed in issue order, as the server does), or null while
 * an issue has no option chosen. */
export function packageValue(scenario, pkg) {
  const points = [];
  for (const issue of scenario.issues) {
    const o = pkg && pkg[issue.id] ? optionOf(scenario, issue.id, pkg[issue.id]) : null;
    if (!o) return null;
    points.push(o.points);
  }
  return sumPoints(points);
}

export function isComplete(scenario, pkg) {
  return packageValue(scenario, pkg) !== null;
}

export function samePackage(scenario, a, b) {
  return scenario.issues.every((i) => (a[i.id] || "") === (b[i.id] || ""));
}

export function bestPoints(issue) {
  return Math.max(...issue.options.map((o) => o.points));
}

export function worstPoints(issue) {
  return Math.min(...issue.options.map((o) => o.points));
}

export function bestPackageValue(scenario) {
  return scenario.issues.reduce((s, i) => s + bestPoints(i), 0);
}

export function emptyPackage(scenario) {
  const p = {};
  for (const i of scenario.issues) p[i.id] = "";
  return p;
}

/** Only the chosen options, as the contract's package ({issue_id: option_id}). */
export function cleanPackage(scenario, pkg) {
  const out = {};
  for (const i of scenario.issues) if (pkg[i.id]) out[i.id] = pkg[i.id];
  return out;
}

/** What this side calls its partner: the name they gave, else their role's name. */
export function partnerName(neg) {
  return neg.partner.name || neg.partner.role_name;
}
