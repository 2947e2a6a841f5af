import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import type { LambdaPackageInputs } from "../../../provider/args";
import { diffInputs } from "../../../provider/operations/diff";
import { UNKNOWN } from "../../../provider/operations/unknown";

const inputs: LambdaPackageInputs = {
  bucket: "b-1",
  key: "fn.zip",
  sourcePath: "src",
  runtime: "python3.12",
  sourceKey: "sha-1",
  exclude: ["tests/"],
  metadata: { team: "a" },
};
const olds = {
  ...inputs,
  versionId: "v1",
  sha256: "00",
  layout: "key",
  __provider: "exports.handler = old code",
};

describe("diffInputs", () => {
  test("finds no change when the inputs are the same, whatever the provider code", () => {
    assert.deepEqual(diffInputs({ ...olds, __provider: "new code" }, { ...inputs }), {
      changes: false,
      replaces: [],
      repackage: [],
      rewrite: [],
    });
  });

  test("the URN a resource passes for its log is no change: a state written without it, or another", () => {
    const urn =
      "urn:pulumi:dev::demo::lambda-package:index:LambdaCode$pulumi-nodejs:dynamic/lambda-package:LambdaPackage::api-package";
    const news = { ...inputs, __urn: urn } as LambdaPackageInputs;
    const none = { changes: false, replaces: [], repackage: [], rewrite: [] };
    assert.deepEqual(diffInputs(olds, news), none);
    assert.deepEqual(diffInputs({ ...olds, __urn: `${urn}-old` }, news), none);
  });

  test("a new sourceKey is an in-place update that repackages", () => {
    const result = diffInputs(olds, { ...inputs, sourceKey: "sha-2" });
    assert.deepEqual(result, {
      changes: true,
      replaces: [],
      repackage: ["sourceKey"],
      rewrite: [],
    });
  });

  test("packaging inputs repackage, in place", () => {
    for (const change of [
      { runtime: "python3.13" },
      { exclude: ["docs/"] },
      { architecture: "arm64" as const },
      { forceRepackage: "1" },
    ]) {
      const result = diffInputs(olds, { ...inputs, ...change });
      assert.equal(result.changes, true, JSON.stringify(change));
      assert.deepEqual(result.replaces, [], JSON.stringify(change));
      assert.deepEqual(result.repackage, Object.keys(change));
      assert.deepEqual(result.rewrite, []);
    }
  });

  test("metadata, tags and encryption rewrite the object's headers, in place, without repackaging", () => {
    for (const change of [
      { metadata: { team: "b" } },
      { tags: { a: "b" } },
      { serverSideEncryption: "AES256" as const },
    ]) {
      const result = diffInputs(olds, { ...inputs, ...change });
      assert.equal(result.changes, true, JSON.stringify(change));
      assert.deepEqual(result.replaces, [], JSON.stringify(change));
      assert.deepEqual(result.repackage, [], JSON.stringify(change));
      assert.deepEqual(result.rewrite, Object.keys(change));
    }
  });

  test("a new bucket or key replaces", () => {
    assert.deepEqual(diffInputs(olds, { ...inputs, bucket: "b-2" }).replaces, ["bucket"]);
    assert.deepEqual(diffInputs(olds, { ...inputs, key: "other.zip" }).replaces, ["key"]);
  });

  test("a settings-only change is a change that does not repackage", () => {
    const result = diffInputs(olds, { ...inputs, retainOnDelete: true });
    assert.deepEqual(result, { changes: true, replaces: [], repackage: [], rewrite: [] });
  });

  test("nativeCheck only gates builds, so changing it alone records the setting and repackages nothing", () => {
    for (const nativeCheck of ["warn", "off"] as const) {
      const result = diffInputs(olds, { ...inputs, nativeCheck });
      assert.deepEqual(
        result,
        { changes: true, replaces: [], repackage: [], rewrite: [] },
        nativeCheck,
      );
    }
  });

  test("maps compare by content, not key order", () => {
    const result = diffInputs(
      { ...olds, metadata: { a: "1", b: "2" } },
      { ...inputs, metadata: { b: "2", a: "1" } },
    );
    assert.equal(result.changes, false);
  });

  test("content-addressed keys replace only when the prefix changes", () => {
    const content = { ...inputs, key: undefined };
    const old = { ...olds, key: "lambda/abc.zip", layout: "content" };
    assert.equal(diffInputs(old, { ...content, sourceKey: "sha-2" }).replaces.length, 0);
    assert.deepEqual(diffInputs(old, { ...content, keyPrefix: "other" }).replaces, ["key"]);
    assert.deepEqual(diffInputs(old, { ...content, key: "pinned.zip" }).replaces, ["key"]);
  });

  test("an unknown value in preview counts as a change", () => {
    assert.equal(diffInputs(olds, { ...inputs, sourceKey: UNKNOWN }).changes, true);
    assert.deepEqual(diffInputs(olds, { ...inputs, bucket: UNKNOWN }).replaces, ["bucket"]);
  });
});

describe("diffInputs on paths", () => {
  test("a path stored absolute by an older release equals the same path stored relative", () => {
    const absolute = { ...olds, sourcePath: path.resolve("src") };
    assert.equal(diffInputs(absolute, { ...inputs, sourcePath: "src" }).changes, false);
    assert.deepEqual(diffInputs(absolute, { ...inputs, sourcePath: "other" }).repackage, [
      "sourcePath",
    ]);
  });
});
