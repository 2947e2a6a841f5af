/**
 * A resource stays tied to the store it was written to, and a move to
 * another key or store leaves nothing behind in the old place.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createBucket, startMinio, type MinioServer } from "../../scripts/minio";
import {
  countingPackager,
  createChecked,
  PROVIDER_FORMS,
  providerIn,
  type Provider,
} from "../support/provider";
import { minioFixture, withEnv } from "../support/minio";
import { versionsOf } from "../support/s3";
import { tempDir } from "../support/tmp";
import { LambdaPackageError } from "../../shared/errors";

const minio = minioFixture();
let other: MinioServer;
before(async () => {
  other = await startMinio();
});
after(() => other.stop());

async function sourceTree(content: string): Promise<string> {
  const dir = await tempDir("src");
  await mkdir(path.join(dir, "pkg"));
  await writeFile(path.join(dir, "handler.py"), `X = ${JSON.stringify(content)}\n`);
  return dir;
}

for (const form of PROVIDER_FORMS) {
  describe(`LambdaPackage stores and moves (${form})`, () => {
    let provider: Provider;
    let base: Record<string, unknown>;
    let bucket: string;

    before(async () => {
      provider = await providerIn(form);
      bucket = await minio.bucket();
      const counter = await countingPackager(await tempDir("packager"));
      base = { bucket, packager: counter.script, packagerEnv: counter.env, sourceKey: "1" };
    });

    const create = (news: Record<string, unknown>) => createChecked(provider, news);

    test("refresh and delete use the store a version was written to, whatever the environment says later", async () => {
      // No endpoint input: the environment chooses the store at create.
      const sourcePath = await sourceTree("env");
      const { outs } = await withEnv({ AWS_ENDPOINT_URL_S3: minio.server.endpoint }, () =>
        create({ ...base, key: "fn/env.zip", sourcePath }),
      );
      assert.equal(outs.storeEndpoint, minio.server.endpoint);
      // Later runs point the environment at another store, which has no such bucket.
      await withEnv({ AWS_ENDPOINT_URL_S3: other.endpoint }, async () => {
        const read = await provider.read("id", outs);
        assert.equal(read.id, "id", "the state keeps the resource");
        await provider.delete("id", outs);
      });
      const { versions } = await versionsOf(minio.admin, bucket, "fn/env.zip");
      assert.ok(!versions.some((v) => v.VersionId === outs.versionId), "deleted in its own store");
    });

    test("refresh against a store without the bucket is an error, not a deleted object", async () => {
      const { outs } = await create({
        ...base,
        key: "fn/wrong-store.zip",
        sourcePath: await sourceTree("w"),
        endpoint: minio.server.endpoint,
      });
      const moved = { ...outs, endpoint: other.endpoint };
      await assert.rejects(provider.read("id", moved), (error: unknown) => {
        assert.ok(error instanceof LambdaPackageError);
        assert.equal(error.code, "BUCKET_NOT_FOUND");
        assert.match(error.message, /state keeps the resource/);
        assert.ok(error.message.includes(other.endpoint), error.message);
        return true;
      });
    });

    test("a content-addressed update to new bytes deletes the old version and moves the key", async () => {
      const sourcePath = await sourceTree("v1");
      const args = { ...base, keyPrefix: "moves", sourcePath, endpoint: minio.server.endpoint };
      const first = await create(args);
      assert.equal(first.id, "s3://" + bucket + "/moves/");
      await writeFile(path.join(sourcePath, "handler.py"), 'X = "v2"\n');
      const news = (await provider.check(first.outs, { ...args, sourceKey: "2" })).inputs;
      const diff = await provider.diff(first.id, first.outs, news);
      assert.deepEqual([diff.changes, diff.replaces], [true, []]);
      const { outs } = await provider.update(first.id, first.outs, news);
      assert.notEqual(outs.key, first.outs.key);
      const old = await versionsOf(minio.admin, bucket, first.outs.key);
      assert.deepEqual([old.versions, old.deleteMarkers], [[], []], "nothing left at the old key");
      assert.equal((await versionsOf(minio.admin, bucket, outs.key)).versions.length, 1);

      // With retainOnDelete the old version stays, as a delete would leave it.
      await writeFile(path.join(sourcePath, "handler.py"), 'X = "v3"\n');
      const kept = { ...outs, retainOnDelete: true };
      const next = (await provider.check(kept, { ...args, sourceKey: "3", retainOnDelete: true }))
        .inputs;
      const third = (await provider.update(first.id, kept, next)).outs;
      assert.notEqual(third.key, outs.key);
      assert.equal((await versionsOf(minio.admin, bucket, outs.key)).versions.length, 1);
    });

    test("a new endpoint replaces: the object is written to the new store and deleted from the old", async () => {
      const otherBucket = `moved-${form}`;
      await createBucket(other, otherBucket);
      const args = {
        ...base,
        bucket: otherBucket,
        key: "fn/move.zip",
        sourcePath: await sourceTree("m"),
      };
      // The same bucket name in both stores, as after a migration.
      await createBucket(minio.server, otherBucket);
      const first = await create({ ...args, endpoint: minio.server.endpoint });
      const news = (await provider.check(first.outs, { ...args, endpoint: other.endpoint })).inputs;
      const diff = await provider.diff(first.id, first.outs, news);
      assert.deepEqual(diff.replaces, ["endpoint"]);
      // Create-before-delete, as the engine runs a replacement.
      const second = await provider.create(news);
      await provider.delete(first.id, first.outs);
      assert.equal(second.outs.storeEndpoint, other.endpoint);
      const inOld = await versionsOf(minio.admin, otherBucket, "fn/move.zip");
      assert.deepEqual(inOld.versions, []);
    });
  });
}
