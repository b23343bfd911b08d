// The MESO equivalence rule, the same as the server's (game/core): the packages of one offer
// are equivalent when their values to the proposer differ by at most the scenario's tolerance,
// plus 1e-9 of the largest value (at least 1e-9), so that sums such as 0.1 + 0.2 against 0.3
// are not told apart by rounding. A package's value is its points summed in issue order.
// Pure (no DOM): tests/js/ imports this file and checks tests/cases/equivalence.json.

/** The points of a package's options, summed left to right (issue order). */
export function sumPoints(points) {
  let sum = 0;
  for (const p of points) sum += p;
  return sum;
}

/** max - min of the values (0 for fewer than two). */
export function spread(values) {
  return values.length < 2 ? 0 : Math.max(...values) - Math.min(...values);
}

/** Whether package values are equivalent under `tolerance` (always, for fewer than two). */
export function equivalent(values, tolerance) {
  if (values.length < 2) return true;
  const scale = Math.max(1, ...values.map((v) => Math.abs(v)));
  return spread(values) <= tolerance + 1e-9 * scale;
}
