// The pure helpers both screens share: the clock and the outcome space's chart data.
import assert from "node:assert/strict";
import { test } from "node:test";

import { niceRange, outcomeSpace, toXY } from "../../static/js/shared/charts.js";
import { clock, number, signedNumber } from "../../static/js/shared/format.js";

test("clock: m:ss under an hour, h:mm:ss from an hour, whole seconds rounded down", () => {
  assert.equal(clock(0), "0:00");
  assert.equal(clock(59.9), "0:59");
  assert.equal(clock(61), "1:01");
  assert.equal(clock(3599), "59:59");
  assert.equal(clock(3600), "1:00:00");
  assert.equal(clock(3725.5), "1:02:05");
  assert.equal(clock(-5), "0:00");
  assert.equal(clock(null), "–");
});

test("number and signedNumber: digits, fixed decimals, a minus sign, the empty and zero marks", () => {
  const en = { locale: "en-US" };
  assert.equal(number(1234.567, en), "1,234.57");
  assert.equal(number(1234.567, { ...en, digits: 1 }), "1,234.6");
  assert.equal(number(2, { ...en, digits: 2, fixed: true }), "2.00");
  assert.equal(number(null), "–");
  assert.equal(number(Number.NaN, { empty: "—" }), "—");
  assert.equal(signedNumber(1200, en), "+1,200");
  assert.equal(signedNumber(-300.5, en), "−300.5");
  assert.equal(signedNumber(0, { ...en, zero: "±0" }), "±0");
  assert.equal(signedNumber(0, { ...en, digits: 2, fixed: true }), "0.00");
  assert.equal(signedNumber(undefined), "–");
});

test("niceRange: round limits around the data, with room", () => {
  const [lo, hi] = niceRange(3, 97);
  assert.ok(lo < 3 && hi > 97, `${lo}..${hi}`);
  assert.equal(lo, 0);
  assert.equal(hi, 100);
  const [a, b] = niceRange(5, 5);
  assert.ok(a < 5 && b > 5);
});

test("outcomeSpace: role xRole on the x axis, the frontier by x, BATNA lines across the ranges", () => {
  const space = {
    cloud: [
      [0, 100],
      [50, 50],
      [100, 0],
      [20, 20],
    ],
    frontier: [
      [100, 0],
      [0, 100],
      [50, 50],
    ],
    batnas: [10, 30],
    nash: [50, 50],
    deal: [20, 80],
  };
  const mine = outcomeSpace(space, 0);
  assert.deepEqual(mine.frontier.map((p) => p.x), [0, 50, 100]);
  assert.deepEqual(mine.batna, { x: 10, y: 30 });
  assert.deepEqual(mine.deal, { x: 20, y: 80 });
  assert.equal(mine.compromise, null);
  const { x0, x1, y0, y1 } = mine.bounds;
  // points: the axes start at 0, not below (issue 13), and reach past the largest
  assert.ok(x0 === 0 && x1 > 100 && y0 === 0 && y1 > 100);
  assert.deepEqual(mine.batnaLines.x, [
    { x: 10, y: y0 },
    { x: 10, y: y1 },
  ]);
  assert.deepEqual(mine.batnaLines.y, [
    { x: x0, y: 30 },
    { x: x1, y: 30 },
  ]);

  const theirs = outcomeSpace(space, 1);
  assert.deepEqual(theirs.batna, { x: 30, y: 10 });
  assert.deepEqual(theirs.deal, { x: 80, y: 20 });
  assert.deepEqual(theirs.cloud[0], { x: 100, y: 0 });
  assert.deepEqual(toXY([1, 2], 1), { x: 2, y: 1 });

  const padded = outcomeSpace(space, 0, { pad: 0.1 }).bounds;
  assert.equal(padded.x0, 0); // the padding never takes an axis of points below 0
  assert.equal(padded.x1, x1 + (x1 - x0) * 0.1);
  assert.equal(padded.y1, y1 + (y1 - y0) * 0.1);
});

// ---------------------------------------------------------------- the charts' rules (issue 13)
import { readFileSync } from "node:fs";
import { fitLine, pointsRange, stack, SYMBOLS } from "../../static/js/shared/charts.js";

test("fitLine spans its own condition's x values only", () => {
  const line = fitLine({ intercept: 10, slope: 2 }, [300, 120, 200]);
  assert.deepEqual(line, [
    { x: 120, y: 250 },
    { x: 300, y: 610 },
  ]);
  assert.equal(fitLine(null, [1, 2]), null);
  assert.equal(fitLine({ intercept: 0, slope: 1 }, []), null);
});

test("stack merges identical points and counts them", () => {
  const s = stack([
    { x: 1, y: 2, id: "a" },
    { x: 3, y: 4, id: "b" },
    { x: 1, y: 2, id: "c" },
    { x: 1, y: 2, id: "d" },
  ]);
  assert.equal(s.length, 2);
  assert.deepEqual([s[0].count, s[0].id, s[0].items.map((i) => i.id)], [3, "a", ["a", "c", "d"]]);
  assert.equal(s[1].count, 1);
});

test("axes of points never start below 0 when no value is below 0; else they reach the data", () => {
  const [lo, hi] = pointsRange([0, 40, 900]);
  assert.equal(lo, 0);
  assert.ok(hi >= 900);
  const [lo2] = pointsRange([-50, 100]);
  assert.ok(lo2 <= -50);
  const space = outcomeSpace({ cloud: [[0, 0], [100, 900]], frontier: [[100, 900]], batnas: [0, 0] }, 0, { pad: 0.05 });
  assert.equal(space.bounds.x0, 0);
  assert.equal(space.bounds.y0, 0);
});

test("one set of symbols: the outcome marks differ from each other and from the conditions", () => {
  const marks = ["deal", "noDeal", "nash", "compromise"].map((k) => SYMBOLS[k].pointStyle);
  assert.equal(new Set(marks).size, marks.length);
  const conds = Object.values(SYMBOLS.conditions).map((s) => s.pointStyle);
  for (const m of marks) assert.ok(!conds.includes(m), `${m} is also a condition's shape`);
  // every condition of every protocol has its own shape (a shape and its rotation) and mark
  const all = ["single", "meso", "any", "mediated", "single_text"];
  assert.deepEqual(Object.keys(SYMBOLS.conditions).sort(), [...all].sort());
  const seen = Object.values(SYMBOLS.conditions).map((s) => `${s.pointStyle}@${s.rotation || 0}`);
  assert.equal(new Set(seen).size, all.length, `two conditions share a shape: ${seen}`);
  const ms = Object.values(SYMBOLS.conditions).map((s) => s.mark);
  assert.equal(new Set(ms).size, all.length);
});

test("both screens' charts take their symbols from SYMBOLS, and the docs say the same", () => {
  const student = readFileSync(new URL("../../static/js/play/charts.js", import.meta.url), "utf8");
  const instructor = readFileSync(new URL("../../static/js/instructor/charts.js", import.meta.url), "utf8") +
    readFileSync(new URL("../../static/js/instructor/debrief.js", import.meta.url), "utf8");
  for (const src of [student, instructor]) {
    // no chart names a marker shape of its own: every pointStyle but lines comes from SYMBOLS
    const own = [...src.matchAll(/pointStyle:\s*"(\w+)"/g)].map((m) => m[1]).filter((s) => s !== "line");
    assert.deepEqual(own, [], `shapes not from SYMBOLS: ${own}`);
  }
  for (const key of ["deal", "nash"]) {
    assert.ok(student.includes(`SYMBOLS.${key}`) && instructor.includes(`SYMBOLS.${key}`), key);
  }
  const docs = ["student.md", "instructor.md"].map((f) => readFileSync(new URL(`../../docs/${f}`, import.meta.url), "utf8"));
  for (const key of ["deal", "noDeal", "nash"]) {
    assert.ok(docs[0].includes(SYMBOLS[key].mark), `docs/student.md lacks ${key} ${SYMBOLS[key].mark}`);
  }
  for (const key of ["deal", "nash", "compromise"]) {
    assert.ok(docs[1].includes(SYMBOLS[key].mark), `docs/instructor.md lacks ${key} ${SYMBOLS[key].mark}`);
  }
  for (const s of Object.values(SYMBOLS.conditions)) assert.ok(docs[1].includes(s.mark));
});
