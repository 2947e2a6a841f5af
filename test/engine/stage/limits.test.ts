import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { assertWithinLimits, MAX_UNZIPPED_BYTES } from "../../../engine/stage/limits";

const file = (name: string, size: number) => ({
  name,
  size,
  sourceFile: `/x/${name}`,
  executable: false,
});

describe("assertWithinLimits", () => {
  test("accepts a package of exactly 250 MB unzipped", () => {
    assertWithinLimits([file("a", MAX_UNZIPPED_BYTES)], "src");
  });

  test("rejects a package with no files", () => {
    assert.throws(() => assertWithinLimits([], "src"), { code: "PACKAGE_EMPTY" });
  });

  test("rejects a package over 250 MB and lists its ten largest files, largest first", () => {
    const files = Array.from({ length: 12 }, (_, i) => file(`f${i}.bin`, (i + 1) * 2_000_000));
    files.push(file("huge.bin", MAX_UNZIPPED_BYTES));
    assert.throws(
      () => assertWithinLimits(files, "src"),
      (error: LambdaPackageError) => {
        assert.equal(error.code, "PACKAGE_TOO_LARGE");
        const listed = error.message
          .split("\n")
          .slice(1)
          .map((l) => l.trim().split(/\s+/).pop());
        assert.deepEqual(listed, [
          "huge.bin",
          "f11.bin",
          "f10.bin",
          "f9.bin",
          "f8.bin",
          "f7.bin",
          "f6.bin",
          "f5.bin",
          "f4.bin",
          "f3.bin",
        ]);
        return true;
      },
    );
  });
});
