import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { nearestNames } from "../../shared/nearest";

describe("nearestNames", () => {
  test("a name that is the start of a longer one finds it", () => {
    assert.deepEqual(nearestNames("packagers", ["packagers-dir", "packager", "runtime"]), [
      "packager",
      "packagers-dir",
    ]);
  });

  test("a typo within a third of the name's length finds the name, closest first", () => {
    assert.deepEqual(nearestNames("handlr", ["handler", "handle", "hander", "main"]), [
      "hander",
      "handle",
      "handler",
    ]);
    assert.deepEqual(nearestNames("lambda_handlr", ["lambda_handler", "main"]), ["lambda_handler"]);
  });

  test("nothing close gives no names, and at most max are given", () => {
    assert.deepEqual(nearestNames("zzzz", ["handler", "main"]), []);
    assert.equal(nearestNames("ab", ["ab1", "ab2", "ab3", "ab4"], 2).length, 2);
  });
});
