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
  assert.ok(x0 < 0 && x1 > 100 && y0 < 0 && y1 > 100);
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
  assert.equal(padded.x0, x0 - (x1 - x0) * 0.1);
  assert.equal(padded.y1, y1 + (y1 - y0) * 0.1);
});
