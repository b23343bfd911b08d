// The builder's equivalence rule (static/js/shared/equivalence.js, the very file the browser
// loads) against every case of tests/cases/equivalence.json, which the server's tests read too.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { equivalent, sumPoints } from "../../static/js/shared/equivalence.js";

const cases = JSON.parse(readFileSync(new URL("../cases/equivalence.json", import.meta.url), "utf8")).cases;

test("the case file holds cases", () => {
  assert.ok(cases.length >= 10, `only ${cases.length} cases`);
  assert.ok(cases.some((c) => c.equivalent) && cases.some((c) => !c.equivalent));
});

for (const [i, c] of cases.entries()) {
  test(`case ${i}: ${c.note}`, () => {
    const values = c.packages.map(sumPoints);
    assert.equal(equivalent(values, c.tolerance), c.equivalent, `values ${values}, tolerance ${c.tolerance}`);
  });
}

test("packages are summed in issue order", () => {
  assert.equal(sumPoints([0.1, 0.2]), 0.1 + 0.2);
  assert.notEqual(sumPoints([0.1, 0.2]), 0.3);
  assert.equal(sumPoints([]), 0);
});

test("one package, or none, is equivalent to itself", () => {
  assert.equal(equivalent([5], 0), true);
  assert.equal(equivalent([], 0), true);
});
