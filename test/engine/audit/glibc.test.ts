import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compareGlibc, highestGlibc, parseGlibc } from "../../../engine/audit/glibc";

describe("the glibc an object needs", () => {
  test("is the highest GLIBC_x.y[.z] by number, not by text", () => {
    const highest = highestGlibc(["GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.3.4", "GLIBC_2.9"]);
    assert.equal(highest?.name, "GLIBC_2.17");
    assert.deepEqual(highest?.version, [2, 17]);
  });

  test("leaves out GLIBC_PRIVATE and other libraries' versions", () => {
    const highest = highestGlibc(["GLIBC_PRIVATE", "GLIBCXX_3.4.30", "GCC_3.0", "GLIBC_2.14"]);
    assert.equal(highest?.name, "GLIBC_2.14");
  });

  test("counts GLIBC_ABI_DT_RELR as glibc 2.36, where DT_RELR came in", () => {
    const highest = highestGlibc(["GLIBC_2.34", "GLIBC_ABI_DT_RELR"]);
    assert.equal(highest?.name, "GLIBC_ABI_DT_RELR");
    assert.deepEqual(highest?.version, [2, 36]);
  });

  test("is nothing for an object that needs no glibc version", () => {
    assert.equal(highestGlibc([]), undefined);
    assert.equal(highestGlibc(["GLIBCXX_3.4"]), undefined);
  });

  test("versions compare part by part, a missing part counting as 0", () => {
    assert.ok(compareGlibc(parseGlibc("2.36"), parseGlibc("2.34")) > 0);
    assert.ok(compareGlibc(parseGlibc("2.2.5"), parseGlibc("2.26")) < 0);
    assert.equal(compareGlibc(parseGlibc("2.34"), parseGlibc("2.34.0")), 0);
  });
});
