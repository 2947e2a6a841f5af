/**
 * States written by release 0.1.0 keep working: their serialized provider
 * (which loads `pulumi-lambda-package/dist/provider/impl/index.js` and calls
 * `remove` for delete) diffs, updates, refreshes and deletes with today's code.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import requireFromString from "require-from-string";
import * as lambdaPackageProvider from "../../provider/provider";
import { minioFixture } from "../support/minio";
import { ROOT } from "../support/pulumi";
import { download, sha256, versionsOf } from "../support/s3";
import { tempDir } from "../support/tmp";
import type { Provider } from "../support/provider";

const FIXTURE = path.join(ROOT, "test", "fixtures", "state-0.1.0");
const minio = minioFixture();

describe("a state written by 0.1.0", () => {
  let oldProvider: Provider;
  let providerText: string;
  let olds: Record<string, unknown>;
  let inputs: Record<string, unknown>;
  let bucket: string;

  before(async () => {
    providerText = await readFile(path.join(FIXTURE, "provider.js"), "utf8");
    const loaded = requireFromString(providerText) as { handler: () => Provider };
    oldProvider = loaded.handler();
    bucket = await minio.bucket();
    const sourcePath = await tempDir("state-src");
    await writeFile(path.join(sourcePath, "handler.py"), 'def handler(e, c):\n    return "v010"\n');
    const recorded = JSON.parse(
      await readFile(path.join(FIXTURE, "outputs.json"), "utf8"),
    ) as Record<string, unknown>;
    // The object the state names, in this test's store; the state's own fields stay as written.
    inputs = {
      ...pick(recorded, ["key", "runtime", "sourceKey", "retainOnDelete", "metadata", "tags"]),
      bucket,
      sourcePath,
      endpoint: minio.server.endpoint,
    };
    const checked = await lambdaPackageProvider.check({}, inputs);
    const { outs } = await lambdaPackageProvider.create(checked.inputs);
    olds = {
      ...recorded,
      ...pick(outs, ["bucket", "sourcePath", "endpoint", "versionId", "sha256"]),
      ...pick(outs, ["sourceCodeHash", "size", "unzippedSize", "fileCount", "consoleUrl", "s3Uri"]),
      __provider: providerText,
    };
  });

  test("its provider loads today's implementation through the 0.1.0 entry path", () => {
    assert.match(providerText, /pulumi-lambda-package\/dist\/provider\/impl\/index\.js/);
    assert.match(providerText, /load\(\)\.remove\(/);
  });

  test("the same inputs are no change", async () => {
    const checked = await oldProvider.check(olds, inputs);
    assert.deepEqual(checked.failures, []);
    const diff = await oldProvider.diff("id", olds, checked.inputs);
    assert.equal(diff.changes, false);
  });

  test("a new sourceKey with new code updates in place and uploads a new version", async () => {
    const sourcePath = inputs.sourcePath as string;
    await writeFile(path.join(sourcePath, "handler.py"), 'def handler(e, c):\n    return "v020"\n');
    const news = (await oldProvider.check(olds, { ...inputs, sourceKey: "commit-0.2.0" })).inputs;
    const diff = await oldProvider.diff("id", olds, news);
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.replaces, []);
    const { outs } = await oldProvider.update("id", olds, news);
    assert.notEqual(outs.versionId, olds.versionId);
    assert.equal(
      sha256(await download(minio.admin, bucket, outs.key, outs.versionId)),
      outs.sha256,
    );
    assert.equal((await oldProvider.read("id", outs)).id, "id");
    olds = { ...outs, __provider: providerText };
  });

  test("delete removes exactly the recorded version", async () => {
    await oldProvider.delete("id", olds);
    const { versions, deleteMarkers } = await versionsOf(minio.admin, bucket, olds.key as string);
    assert.ok(!versions.some((v) => v.VersionId === olds.versionId));
    assert.equal(versions.length, 1, "the version from before the update stays");
    assert.equal(deleteMarkers.length, 0);
  });
});

function pick(from: object, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, (from as Record<string, unknown>)[name]]));
}
