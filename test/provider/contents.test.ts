/**
 * The provider against the real MinIO with the checks of what a package
 * holds: a size budget and a handler stop a build before anything is stored,
 * and preview catches a handler whose module a bundle cannot hold.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { countingPackager, createChecked, providerIn, type Provider } from "../support/provider";
import { minioFixture } from "../support/minio";
import { versionsOf } from "../support/s3";
import { capturingStderr } from "../support/stderr";
import { tempDir } from "../support/tmp";

const minio = minioFixture();

/** A Python function with 40 KiB of incompressible-enough data beside it. */
async function sourceTree(): Promise<string> {
  const dir = await tempDir("src");
  await mkdir(path.join(dir, "data"));
  await writeFile(path.join(dir, "handler.py"), "def handler(e, c):\n    return 1\n");
  const noise = Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 10007).toString(36)).join("");
  await writeFile(path.join(dir, "data", "table.txt"), noise.repeat(3));
  return dir;
}

describe("LambdaPackage provider: what is in the package, against MinIO", () => {
  let provider: Provider;
  let bucket: string;
  let base: Record<string, unknown>;

  before(async () => {
    provider = await providerIn("direct");
    bucket = await minio.bucket();
    const counter = await countingPackager(await tempDir("packager"));
    base = {
      bucket,
      packager: counter.script,
      packagerEnv: counter.env,
      endpoint: minio.server.endpoint,
      forcePathStyle: true,
    };
  });

  test("a package over its sizeBudget fails before upload, with its largest contributors, and nothing is stored", async () => {
    const sourcePath = await sourceTree();
    const key = "fn/budget.zip";
    const args = { ...base, key, sourcePath, sourceKey: "1" };
    await assert.rejects(
      createChecked(provider, { ...args, sizeBudget: { zipped: 1000 } }),
      (error: Error) => {
        assert.match(error.message, /over its sizeBudget\.zipped of 1000 B \(1000 bytes\)/);
        assert.match(error.message, /own files \(2 files; largest data\/table\.txt/);
        assert.match(error.message, /nothing was uploaded/);
        return true;
      },
    );
    assert.deepEqual((await versionsOf(minio.admin, bucket, key)).versions, []);

    // Within budget it is stored; a later build over a tighter budget leaves that version alone.
    const { outs } = await createChecked(provider, { ...args, sizeBudget: { unzipped: "1 MiB" } });
    const news = (
      await provider.check(outs, { ...args, sourceKey: "2", sizeBudget: { unzipped: 2000 } })
    ).inputs;
    await assert.rejects(provider.update("id", outs, news), /over its sizeBudget\.unzipped/);
    const { versions } = await versionsOf(minio.admin, bucket, key);
    assert.deepEqual(
      versions.map((v) => v.VersionId),
      [outs.versionId],
    );
  });

  test("a cached package over the budget is built again, fails with its contributors, and is not copied", async () => {
    const sourcePath = await sourceTree();
    const args = { ...base, sourcePath, buildCache: true };
    await createChecked(provider, { ...args, key: "fn/cached-a.zip" });
    const key = "fn/cached-b.zip";
    const { text } = await capturingStderr(() =>
      assert.rejects(
        createChecked(provider, { ...args, key, sizeBudget: { unzipped: "10KB" } }),
        /over its sizeBudget\.unzipped of 9\.8 KiB \(10000 bytes\)[\s\S]*own files/,
      ),
    );
    assert.match(
      text,
      /build cache: the cached package is over sizeBudget; building it to say why/,
    );
    assert.deepEqual((await versionsOf(minio.admin, bucket, key)).versions, []);
  });

  test("a handler the module does not define fails the build with the nearest names, and nothing is stored", async () => {
    const sourcePath = await sourceTree();
    const key = "fn/handler.zip";
    await assert.rejects(
      createChecked(provider, {
        ...base,
        key,
        sourcePath,
        sourceKey: "1",
        handler: "handler.hander",
      }),
      /names "hander" in handler\.py, which does not define it at its top level\. It defines: handler\./,
    );
    assert.deepEqual((await versionsOf(minio.admin, bucket, key)).versions, []);
  });

  test("preview fails a handler whose module the bundle cannot hold, naming the bundle's file", async () => {
    const sourcePath = await tempDir("bundle-src");
    await writeFile(path.join(sourcePath, "api.ts"), "export const handler = async () => 1;\n");
    const checked = await provider.check(
      {},
      {
        bucket,
        key: "fn/bundle.zip",
        sourcePath,
        runtime: "nodejs22.x",
        bundle: { entry: "api.ts" },
        handler: "api.handler",
      },
    );
    assert.equal(checked.failures.length, 1, JSON.stringify(checked.failures));
    assert.equal(checked.failures[0].property, "handler");
    assert.match(
      checked.failures[0].reason,
      /the bundle writes index\.js: .*Set handler to "index\.handler"/,
    );
    const right = await provider.check(
      {},
      {
        bucket,
        key: "fn/bundle.zip",
        sourcePath,
        runtime: "nodejs22.x",
        bundle: { entry: "api.ts" },
        handler: "index.handler",
      },
    );
    assert.deepEqual(right.failures, []);
  });

  test("preview takes a handler naming any of a bundle's entries, and names them all when it names none", async () => {
    const sourcePath = await tempDir("bundle-entries-src");
    await writeFile(path.join(sourcePath, "orders.ts"), "export const handler = async () => 1;\n");
    await writeFile(path.join(sourcePath, "users.ts"), "export const handler = async () => 2;\n");
    const check = (handler: string) =>
      provider.check(
        {},
        {
          bucket,
          key: "fn/entries.zip",
          sourcePath,
          runtime: "nodejs22.x",
          bundle: { entries: { orders: "orders.ts", users: "users.ts" } },
          handler,
        },
      );
    assert.deepEqual((await check("users.handler")).failures, []);
    const wrong = await check("index.handler");
    assert.equal(wrong.failures.length, 1, JSON.stringify(wrong.failures));
    assert.match(
      wrong.failures[0].reason,
      /the bundle writes orders\.js, users\.js: .*"orders\.handler" or "users\.handler"/,
    );
  });
});
