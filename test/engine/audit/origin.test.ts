import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Origins } from "../../../engine/audit/origin";

describe("the package a native file came from", () => {
  test("is the innermost node_modules package, scoped or not", () => {
    const origins = new Origins([]);
    assert.equal(origins.of("node_modules/sharp/build/Release/sharp.node"), "npm package sharp");
    assert.equal(
      origins.of("node_modules/@img/sharp-linux-x64/lib/sharp.node"),
      "npm package @img/sharp-linux-x64",
    );
    assert.equal(origins.of("nodejs/node_modules/a/node_modules/b/build/b.node"), "npm package b");
  });

  test("is the Python distribution whose dist-info sits beside the top-level directory", () => {
    const origins = new Origins([
      "numpy-1.26.4.dist-info/RECORD",
      "numpy/core/_multiarray_umath.so",
      "python/lib/python3.12/site-packages/PyNaCl-1.5.0.dist-info/METADATA",
      "python/lib/python3.12/site-packages/pydantic_core-2.18.1.dist-info/RECORD",
    ]);
    assert.equal(origins.of("numpy/core/_multiarray_umath.so"), "Python package numpy 1.26.4");
    // auditwheel's bundled libraries live in <name>.libs/.
    assert.equal(origins.of("numpy.libs/libopenblas.so"), "Python package numpy 1.26.4");
    // Distribution names match whatever their case and separators.
    assert.equal(
      origins.of("python/lib/python3.12/site-packages/pynacl/_sodium.abi3.so"),
      "Python package PyNaCl 1.5.0",
    );
    assert.equal(
      origins.of("python/lib/python3.12/site-packages/pydantic_core/_core.so"),
      "Python package pydantic_core 2.18.1",
    );
  });

  test("is not named when the path does not tell", () => {
    const origins = new Origins(["numpy-1.26.4.dist-info/RECORD"]);
    assert.equal(origins.of("lib/native.so"), undefined);
    assert.equal(origins.of("bootstrap"), undefined);
    assert.equal(origins.of("vendor/numpy/x.so"), undefined);
  });
});
