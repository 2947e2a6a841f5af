import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { checkInputs } from "../../../provider/operations/check";
import { UNKNOWN } from "../../../provider/operations/unknown";
import { tempDir } from "../../support/tmp";

async function source(files: Record<string, string> = { "app.py": "x" }): Promise<string> {
  const dir = await tempDir("check");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

const reasons = (news: Record<string, unknown>) =>
  checkInputs(news).failures.map((f) => `${f.property}: ${f.reason}`);

describe("checkInputs", () => {
  test("accepts minimal valid inputs and fails nothing", async () => {
    const sourcePath = await source();
    const { failures } = checkInputs({
      bucket: "my-bucket",
      sourcePath,
      runtime: "copy",
      sourceKey: "abc",
    });
    assert.deepEqual(failures, []);
  });

  test("names every missing required input and suggests a git SHA for sourceKey", () => {
    const found = reasons({});
    assert.ok(found.some((r) => r.startsWith("bucket: bucket is required")));
    assert.ok(found.some((r) => r.startsWith("sourcePath: sourcePath is required")));
    assert.ok(found.some((r) => /sourceKey: .*git commit SHA/.test(r)));
    assert.ok(found.some((r) => r.startsWith('runtime: give "runtime"')));
  });

  test("rejects values of the wrong shape with the field, the value and what is allowed", async () => {
    const sourcePath = await source();
    const found = reasons({
      bucket: "Bad_Bucket",
      sourcePath,
      sourceKey: "k",
      runtime: "copy",
      architecture: "x86",
      compressionLevel: 11,
      exclude: "node_modules",
      endpoint: "not a url",
      colour: "blue",
    });
    assert.ok(found.some((r) => /^bucket: .*S3 bucket name.*"Bad_Bucket"/.test(r)));
    assert.ok(found.some((r) => /^architecture: .*"x86_64", "arm64"; got "x86"/.test(r)));
    assert.ok(
      found.some((r) => /^compressionLevel: .*0 \(store\) to 9 \(smallest\); got 11/.test(r)),
    );
    assert.ok(found.some((r) => /^exclude: .*list of strings/.test(r)));
    assert.ok(found.some((r) => /^endpoint: .*URL/.test(r)));
    assert.ok(found.some((r) => /^colour: colour is not an input/.test(r)));
  });

  test("reports a source directory that does not exist, with the resolved path", () => {
    const found = reasons({
      bucket: "b-1",
      sourcePath: "/no/such/dir",
      runtime: "copy",
      sourceKey: "k",
    });
    assert.ok(found.some((r) => /^sourcePath: .*does not exist.*\/no\/such\/dir/.test(r)));
  });

  test("computes the semver key so preview can show it", async () => {
    const sourcePath = await source();
    const { inputs, failures } = checkInputs({
      bucket: "b-1",
      sourcePath,
      runtime: "copy",
      sourceKey: "k",
      keyPrefix: "team/lambda/",
      version: "1.2.3",
    });
    assert.deepEqual(failures, []);
    assert.equal(inputs.key, "team/lambda/source/1.2.3/source.zip");
  });

  test("reads the version from pyproject.toml or package.json when asked", async () => {
    const py = await source({
      "pyproject.toml": '[build-system]\nx = 1\n[project]\nname = "a"\nversion = "0.1.7"\n',
    });
    const js = await source({ "package.json": '{"name":"a","version":"2.0.0-rc.1"}' });
    const base = { bucket: "b-1", runtime: "copy", sourceKey: "k" };
    assert.equal(
      checkInputs({ ...base, sourcePath: py, versionFrom: "pyproject.toml" }).inputs.key,
      "lambda/source/0.1.7/source.zip",
    );
    assert.equal(
      checkInputs({ ...base, sourcePath: js, versionFrom: "package.json" }).inputs.version,
      "2.0.0-rc.1",
    );
  });

  test("rejects a version that is not semver and a key given together with a version", async () => {
    const sourcePath = await source();
    const base = { bucket: "b-1", runtime: "copy", sourceKey: "k", sourcePath };
    assert.ok(
      reasons({ ...base, version: "v1.2" }).some((r) =>
        /^version: .*not a semantic version/.test(r),
      ),
    );
    assert.ok(
      reasons({ ...base, version: "1.2.3", key: "x.zip" }).some((r) => /^key: give either/.test(r)),
    );
  });

  test("rejects our own metadata names, too many tags, and credential-like packager variables", async () => {
    const sourcePath = await source();
    const base = { bucket: "b-1", runtime: "copy", sourceKey: "k", sourcePath };
    const tags = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, "v"]));
    assert.ok(
      reasons({ ...base, metadata: { SHA256: "x" } }).some((r) =>
        /^metadata: .*set by LambdaPackage/.test(r),
      ),
    );
    assert.ok(reasons({ ...base, tags }).some((r) => /^tags: .*11 tags.*at most 10/.test(r)));
    assert.ok(
      reasons({ ...base, packagerEnv: { NPM_TOKEN: "x" } }).some((r) =>
        /^packagerEnv: .*credential/.test(r),
      ),
    );
  });

  test("stores the source path relative to the project directory", () => {
    const { inputs } = checkInputs({
      bucket: "b-1",
      sourcePath: path.resolve("test"),
      runtime: "copy",
      sourceKey: "k",
    });
    assert.equal(inputs.sourcePath, "test");
  });

  test("stores packager paths relative too, and reports one that does not exist", () => {
    const base = { bucket: "b-1", sourcePath: "test", sourceKey: "k" };
    const { inputs } = checkInputs({
      ...base,
      packager: path.resolve("packagers/copy"),
      packagersDir: path.resolve("packagers"),
    });
    assert.equal(inputs.packager, path.join("packagers", "copy"));
    assert.equal(inputs.packagersDir, "packagers");
    assert.ok(
      reasons({ ...base, packager: "no/such/script.sh" }).some((r) =>
        /^packager: .*does not exist/.test(r),
      ),
    );
    assert.ok(
      reasons({ ...base, packagersDir: "package.json" }).some((r) =>
        /^packagersDir: .*not a directory/.test(r),
      ),
    );
  });

  test("lets unknown preview values through without failing on them", () => {
    const { failures } = checkInputs({
      bucket: UNKNOWN,
      sourcePath: UNKNOWN,
      runtime: "copy",
      sourceKey: UNKNOWN,
    });
    assert.deepEqual(failures, []);
  });
});
