import { HeadObjectCommand } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import {
  countingPackager,
  createChecked,
  PROVIDER_FORMS,
  providerIn,
  type Provider,
} from "../support/provider";
import { minioFixture } from "../support/minio";
import { download, sha256, versionsOf } from "../support/s3";
import { tempDir } from "../support/tmp";

const minio = minioFixture();

async function sourceTree(content: string): Promise<string> {
  const dir = await tempDir("src");
  await mkdir(path.join(dir, "pkg"));
  await writeFile(
    path.join(dir, "handler.py"),
    `def handler(e, c):\n    return ${JSON.stringify(content)}\n`,
  );
  await writeFile(path.join(dir, "pkg", "data.txt"), content.repeat(100));
  return dir;
}

for (const form of PROVIDER_FORMS) {
  describe(`LambdaPackage provider (${form}) against MinIO`, () => {
    let provider: Provider;
    let counter: Awaited<ReturnType<typeof countingPackager>>;
    let bucket: string;
    let base: Record<string, unknown>;

    before(async () => {
      provider = await providerIn(form);
      bucket = await minio.bucket();
      counter = await countingPackager(await tempDir("packager"));
      base = {
        bucket,
        packager: counter.script,
        packagerEnv: counter.env,
        endpoint: minio.server.endpoint,
        forcePathStyle: true,
      };
    });

    const up = (news: Record<string, unknown>) => createChecked(provider, news);

    test("create uploads one version whose metadata, checksum and bytes match the zip", async () => {
      const sourcePath = await sourceTree("v1");
      const { id, outs } = await up({ ...base, key: "fn/create.zip", sourcePath, sourceKey: "a" });
      assert.equal(id, `s3://${bucket}/fn/create.zip`);
      assert.match(outs.versionId, /\S/);
      assert.equal(outs.sourceKey, "a");
      const bytes = await download(minio.admin, bucket, "fn/create.zip", outs.versionId);
      assert.equal(sha256(bytes), outs.sha256);
      assert.equal(outs.size, bytes.length);
      assert.equal(Buffer.from(outs.sha256, "hex").toString("base64"), outs.sourceCodeHash);
      const head = await minio.admin.send(
        new HeadObjectCommand({
          Bucket: bucket,
          Key: "fn/create.zip",
          VersionId: outs.versionId,
          ChecksumMode: "ENABLED",
        }),
      );
      assert.equal(head.Metadata?.sha256, outs.sha256);
      assert.equal(head.Metadata?.["source-key"], "a");
      assert.equal(head.ChecksumSHA256, outs.sourceCodeHash);
    });

    test("the same sourceKey is no change and runs no packager", async () => {
      const sourcePath = await sourceTree("same");
      const { outs } = await up({ ...base, key: "fn/same.zip", sourcePath, sourceKey: "k1" });
      const runs = await counter.runs();
      const checked = await provider.check(outs, {
        ...base,
        key: "fn/same.zip",
        sourcePath,
        sourceKey: "k1",
      });
      const result = await provider.diff(
        "id",
        { ...outs, __provider: "older code" },
        checked.inputs,
      );
      assert.equal(result.changes, false);
      assert.equal(await counter.runs(), runs);
    });

    test("a new sourceKey uploads a new version and keeps the old one downloadable", async () => {
      const sourcePath = await sourceTree("old");
      const first = (await up({ ...base, key: "fn/update.zip", sourcePath, sourceKey: "k1" })).outs;
      await writeFile(
        path.join(sourcePath, "handler.py"),
        "def handler(e, c):\n    return 'new'\n",
      );
      const news = (
        await provider.check(first, { ...base, key: "fn/update.zip", sourcePath, sourceKey: "k2" })
      ).inputs;
      const diff = await provider.diff("id", first, news);
      assert.equal(diff.changes, true);
      assert.deepEqual(diff.replaces, []);
      const second = (await provider.update("id", first, news)).outs;
      assert.notEqual(second.versionId, first.versionId);
      assert.equal(second.sourceKey, "k2");
      assert.equal(
        sha256(await download(minio.admin, bucket, "fn/update.zip", first.versionId)),
        first.sha256,
      );
      assert.equal(sha256(await download(minio.admin, bucket, "fn/update.zip")), second.sha256);
    });

    test("a settings-only change updates the state without packaging or uploading", async () => {
      const args = {
        ...base,
        key: "fn/settings.zip",
        sourcePath: await sourceTree("s"),
        sourceKey: "1",
      };
      const first = (await up(args)).outs;
      const runs = await counter.runs();
      const news = (await provider.check(first, { ...args, retainOnDelete: true })).inputs;
      assert.equal((await provider.diff("id", first, news)).changes, true);
      const second = (await provider.update("id", first, news)).outs;
      assert.equal(await counter.runs(), runs);
      assert.equal(second.versionId, first.versionId);
      assert.equal(second.sha256, first.sha256);
      assert.equal(second.retainOnDelete, true);
      assert.equal((await versionsOf(minio.admin, bucket, "fn/settings.zip")).versions.length, 1);
    });

    test("a replacement at the same key keeps the new object visible after the old is deleted", async () => {
      const oldOuts = (
        await up({
          ...base,
          key: "fn/replace.zip",
          sourcePath: await sourceTree("r1"),
          sourceKey: "1",
        })
      ).outs;
      // Create-before-delete: the new resource uploads first, then the old one is deleted.
      const newOuts = (
        await up({
          ...base,
          key: "fn/replace.zip",
          sourcePath: await sourceTree("r2"),
          sourceKey: "2",
        })
      ).outs;
      await provider.delete("id", oldOuts);
      assert.equal(sha256(await download(minio.admin, bucket, "fn/replace.zip")), newOuts.sha256);
      const { versions, deleteMarkers } = await versionsOf(minio.admin, bucket, "fn/replace.zip");
      assert.deepEqual(
        versions.map((v) => v.VersionId),
        [newOuts.versionId],
      );
      assert.equal(deleteMarkers.length, 0);
    });

    test("retainOnDelete leaves the version in place", async () => {
      const { outs } = await up({
        ...base,
        key: "fn/retain.zip",
        sourcePath: await sourceTree("keep"),
        sourceKey: "1",
        retainOnDelete: true,
      });
      await provider.delete("id", outs);
      assert.equal(
        sha256(await download(minio.admin, bucket, "fn/retain.zip", outs.versionId)),
        outs.sha256,
      );
    });

    test("an immutable key adopts identical content and refuses different content", async () => {
      const sourcePath = await sourceTree("imm");
      const args = { ...base, key: "fn/immutable.zip", sourcePath, immutable: true };
      const first = (await up({ ...args, sourceKey: "1" })).outs;
      const again = (await up({ ...args, sourceKey: "2" })).outs;
      assert.equal(again.versionId, first.versionId);
      const other = await sourceTree("different");
      await assert.rejects(up({ ...args, sourcePath: other, sourceKey: "3" }), (error: Error) => {
        assert.match(error.message, /fn\/immutable\.zip/);
        assert.match(error.message, new RegExp(first.sha256));
        return true;
      });
      assert.equal((await versionsOf(minio.admin, bucket, "fn/immutable.zip")).versions.length, 1);
      await provider.delete("id", first);
      assert.equal((await versionsOf(minio.admin, bucket, "fn/immutable.zip")).versions.length, 1);
    });

    test("content-addressed and semver layouts choose the key", async () => {
      const sourcePath = await sourceTree("layout");
      const content = (await up({ ...base, keyPrefix: "ca", sourcePath, sourceKey: "1" })).outs;
      assert.equal(content.key, `ca/${content.sha256}.zip`);
      const semver = (
        await up({ ...base, keyPrefix: "sv", version: "1.2.3", sourcePath, sourceKey: "1" })
      ).outs;
      assert.equal(semver.key, "sv/source/1.2.3/source.zip");
    });

    test("refresh sees a version deleted out of band as gone", async () => {
      const { outs } = await up({
        ...base,
        key: "fn/oob.zip",
        sourcePath: await sourceTree("oob"),
        sourceKey: "1",
      });
      assert.equal((await provider.read("id", outs)).id, "id");
      await provider.delete("id", outs);
      assert.equal((await provider.read("id", outs)).id, "");
    });

    test("refresh reports a version whose sha256 differs from the state, so the next up repackages", async () => {
      const args = {
        ...base,
        key: "fn/drift.zip",
        sourcePath: await sourceTree("drift"),
        sourceKey: "k1",
      };
      const { outs } = await up(args);
      const stale = { ...outs, sha256: "0".repeat(64) };
      const read = await provider.read("id", stale);
      assert.equal(read.id, "id");
      assert.equal(read.props.sha256, outs.sha256);
      assert.equal(read.props.sourceKey, "drifted:k1");
      const news = (await provider.check(read.props, args)).inputs;
      assert.equal((await provider.diff("id", read.props, news)).changes, true);
    });

    test("a missing bucket fails before packaging and names the bucket and endpoint", async () => {
      const runs = await counter.runs();
      await assert.rejects(
        up({
          ...base,
          bucket: "no-such-bucket",
          key: "x.zip",
          sourcePath: await sourceTree("x"),
          sourceKey: "1",
        }),
        (error: Error) => {
          assert.match(error.message, /no-such-bucket/);
          assert.match(error.message, new RegExp(minio.server.endpoint.replace(/[.]/g, "\\.")));
          return true;
        },
      );
      assert.equal(await counter.runs(), runs);
    });

    test("a bucket without versioning is refused with how to enable it, and nothing is uploaded", async () => {
      const plain = await minio.bucket(false);
      await assert.rejects(
        up({
          ...base,
          bucket: plain,
          key: "x.zip",
          sourcePath: await sourceTree("x"),
          sourceKey: "1",
        }),
        /versioning/i,
      );
      assert.equal((await versionsOf(minio.admin, plain, "x.zip")).versions.length, 0);
    });

    test("bad credentials give a clear error quickly, without a retry storm", async () => {
      const saved = process.env.AWS_SECRET_ACCESS_KEY;
      process.env.AWS_SECRET_ACCESS_KEY = "wrong-secret-key";
      const started = Date.now();
      try {
        await assert.rejects(
          up({ ...base, key: "creds.zip", sourcePath: await sourceTree("c"), sourceKey: "1" }),
          /credential|access denied|signature/i,
        );
      } finally {
        process.env.AWS_SECRET_ACCESS_KEY = saved;
      }
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    });
  });
}
