// A Lane's ring of segments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Lane, STATE_ID } from "../web/lane.js";

const segs = (l) => Array.from({ length: l.count }, (_, i) => { const s = l.seg(i); return [s.s, s.t0, s.t1]; });

test("a segment lasts until the next starts; one that lasts no time is replaced", () => {
  const l = new Lane(0, 8);
  l.push(STATE_ID.think, 0, 0, -1);
  l.push(STATE_ID.run, 5, 1, 2);
  l.push(STATE_ID.lockWait, 5, 1, 2);
  l.push(STATE_ID.lockWrite, 9, 1, 2);
  assert.deepEqual(segs(l), [["think", 0, 5], ["lockWait", 5, 9], ["lockWrite", 9, null]]);
  assert.equal(l.first(6), 1);
  assert.equal(l.first(100), 2);
});

test("a full ring drops its oldest segment", () => {
  const l = new Lane(0, 4);
  for (let t = 0; t < 6; t++) l.push(t % 2 ? STATE_ID.run : STATE_ID.think, t, 0, -1);
  assert.equal(l.count, 4);
  assert.deepEqual(segs(l).map((s) => s[1]), [2, 3, 4, 5]);
});
