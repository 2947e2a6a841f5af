/**
 * An update writes as little as it can: identical bytes keep their version,
 * new headers are a copy in the store, and the build cache lets a second
 * stack copy a package instead of building it.
 */
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { DeleteObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import {
  countingPackager,
  createChecked,
  PROVIDER_FORMS,
  providerIn,
  type Provider,
} from "../support/provider";
import { cacheWriteDenied, minioFixture, withEnv } from "../support/minio";
import { corruptCacheEntry, download, sha256, versionsOf } from "../support/s3";
import { capturingStderr } from "../support/stderr";
import { tempDir } from "../support/tmp";

const minio = minioFixture();

async function sourceTree(content: string): Promise<string> {
  const dir = await tempDir("src");
  await writeFile(path.join(dir, "handler.py"), `X = ${JSON.stringify(content)}\n`);
  return dir;
}

for (const form of PROVIDER_FORMS) {
  describe(`LambdaPackage versions (${form})`, () => {
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
      };
    });

    const create = (news: Record<string, unknown>) => createChecked(provider, news);

    async function update(olds: object, news: Record<string, unknown>) {
      const checked = (await provider.check(olds, news)).inputs;
      const diff = await provider.diff("id", olds, checked);
      assert.equal(diff.changes, true);
      return capturingStderr(() => provider.update("id", olds, checked));
    }

    for (const layout of ["key", "content"] as const) {
      test(`a new sourceKey with identical bytes keeps the version and records the key (${layout})`, async () => {
        const args = {
          ...base,
          ...(layout === "key" ? { key: `same/${form}.zip` } : { keyPrefix: `same-${form}` }),
          sourcePath: await sourceTree("same"),
          sourceKey: "commit-1",
        };
        const { outs: first } = await create(args);
        const runs = await counter.runs();
        const { value, text } = await update(first, { ...args, sourceKey: "commit-2" });
        assert.equal(await counter.runs(), runs + 1, "it packaged to compare");
        assert.equal(value.outs.versionId, first.versionId);
        assert.equal(value.outs.key, first.key);
        assert.equal(value.outs.sourceKey, "commit-2");
        assert.match(
          text,
          new RegExp(
            `bytes unchanged \\(sha256 ${first.sha256}\\): kept version ${first.versionId}`,
          ),
        );
        assert.equal((await versionsOf(minio.admin, bucket, first.key)).versions.length, 1);
      });
    }

    test("identical bytes whose version is gone are uploaded again", async () => {
      const args = {
        ...base,
        key: `gone/${form}.zip`,
        sourcePath: await sourceTree("gone"),
        sourceKey: "1",
      };
      const { outs: first } = await create(args);
      await minio.admin.send(
        new DeleteObjectCommand({ Bucket: bucket, Key: first.key, VersionId: first.versionId }),
      );
      const { value, text } = await update(first, { ...args, sourceKey: "2" });
      assert.notEqual(value.outs.versionId, first.versionId);
      assert.equal(sha256(await download(minio.admin, bucket, first.key)), first.sha256);
      assert.match(
        text,
        new RegExp(`version ${first.versionId} no longer holds what the state says`),
      );
    });

    test("an update that uploads logs which files were added, removed and changed", async () => {
      const sourcePath = await sourceTree("v1");
      await writeFile(path.join(sourcePath, "old.py"), "gone = 1\n");
      await writeFile(path.join(sourcePath, "same.py"), "same = 1\n");
      const args = { ...base, key: `why/${form}.zip`, sourcePath, sourceKey: "1" };
      const { outs: first } = await create(args);
      await writeFile(path.join(sourcePath, "handler.py"), 'X = "v2"\n');
      await rm(path.join(sourcePath, "old.py"));
      await writeFile(path.join(sourcePath, "new.py"), "new = 1\n");
      const { text } = await update(first, { ...args, sourceKey: "2" });
      assert.match(
        text,
        new RegExp(
          `changes since version ${first.versionId}: 1 added, 1 removed, 1 changed, 1 the same`,
        ),
      );
      assert.match(text, / {2}added: new\.py\n/);
      assert.match(text, / {2}removed: old\.py\n/);
      assert.match(text, / {2}changed: handler\.py \(crc32\)\n/);
    });

    test("new metadata and tags copy the version in the store with the new headers, packaging nothing", async () => {
      const args = {
        ...base,
        key: `headers/${form}.zip`,
        sourcePath: await sourceTree("h"),
        sourceKey: "1",
        metadata: { team: "a" },
      };
      const { outs: first } = await create(args);
      const runs = await counter.runs();
      const { value } = await update(first, {
        ...args,
        metadata: { team: "b" },
        tags: { env: "prod" },
      });
      assert.equal(await counter.runs(), runs, "nothing was packaged");
      assert.notEqual(value.outs.versionId, first.versionId);
      assert.equal(value.outs.sha256, first.sha256);
      const head = await minio.admin.send(
        new HeadObjectCommand({ Bucket: bucket, Key: first.key, VersionId: value.outs.versionId }),
      );
      assert.equal(head.Metadata?.team, "b");
      assert.equal(head.Metadata?.sha256, first.sha256);
      assert.equal(
        sha256(await download(minio.admin, bucket, first.key, value.outs.versionId)),
        first.sha256,
      );
    });

    test("a second stack with the build cache copies the first's package and runs no packager", async () => {
      const sourcePath = await sourceTree(`cached-${form}`);
      const args = { ...base, sourcePath, sourceKey: "commit-c", buildCache: true };
      const { value: first, text: firstLog } = await capturingStderr(() =>
        create({ ...args, key: `stack-a/${form}.zip` }),
      );
      // A configuration's first build has nothing to look up by: no record of what it reads.
      assert.match(firstLog, /build cache: no record of what this configuration reads yet/);
      assert.match(
        firstLog,
        /build cache: stored s3:\/\/.*lambda-package-cache\/[0-9a-f]{64}\.zip/,
      );
      const runs = await counter.runs();
      const { value: second, text } = await capturingStderr(() =>
        create({ ...args, key: `stack-b/${form}.zip` }),
      );
      assert.equal(await counter.runs(), runs, "no packager ran");
      assert.match(text, /build cache hit [0-9a-f]{64}: .* saving a \d+\.\d s build/);
      assert.equal(second.outs.sha256, first.outs.sha256);
      assert.equal(second.outs.buildKey, first.outs.buildKey);
      assert.equal(second.outs.fileCount, first.outs.fileCount);
      assert.equal(
        sha256(await download(minio.admin, bucket, second.outs.key, second.outs.versionId)),
        first.outs.sha256,
      );
    });

    test("a corrupt cache entry is detected, reported and built instead", async () => {
      const sourcePath = await sourceTree(`corrupt-${form}`);
      const args = { ...base, sourcePath, sourceKey: "commit-x", buildCache: true };
      const { outs: first } = await create({ ...args, key: `corrupt-a/${form}.zip` });
      await corruptCacheEntry(minio.admin, bucket, first.buildKey);
      const runs = await counter.runs();
      const { value, text } = await capturingStderr(() =>
        create({ ...args, key: `corrupt-b/${form}.zip` }),
      );
      assert.equal(await counter.runs(), runs + 1, "it built");
      assert.match(
        text,
        /build cache entry .* is corrupt: it holds bytes with sha256 [0-9a-f]{64} but says/,
      );
      assert.equal(value.outs.sha256, first.sha256);
    });

    test("a cache in a bucket without versioning degrades to a normal build with one warning", async () => {
      const plain = await minio.bucket(false);
      const sourcePath = await sourceTree(`plain-${form}`);
      const args = {
        ...base,
        sourcePath,
        sourceKey: "k",
        buildCache: true,
        buildCachePrefix: `s3://${plain}/cache`,
      };
      await create({ ...args, key: `plain-a/${form}.zip` });
      const runs = await counter.runs();
      const { value, text } = await capturingStderr(() =>
        create({ ...args, key: `plain-b/${form}.zip` }),
      );
      assert.equal(await counter.runs(), runs + 1);
      assert.equal(
        text.match(/warning: the build cache bucket .* has no versioning/g)?.length,
        1,
        text,
      );
      assert.match(value.outs.versionId, /\S/);
    });
  });
}

describe("the build cache without permission to write its prefix", () => {
  test("degrades to a normal build with one warning", async () => {
    const provider = await providerIn("direct");
    const bucket = await minio.bucket();
    const counter = await countingPackager(await tempDir("packager"));
    const credentials = await cacheWriteDenied(minio.server, bucket);
    const args = {
      bucket,
      key: "denied/fn.zip",
      packager: counter.script,
      packagerEnv: counter.env,
      endpoint: minio.server.endpoint,
      sourcePath: await sourceTree("denied"),
      sourceKey: "k",
      buildCache: true,
    };
    const { value, text } = await withEnv(credentials, () =>
      capturingStderr(async () => {
        const checked = await provider.check({}, args);
        return provider.create(checked.inputs);
      }),
    );
    assert.equal(text.match(/warning: the build cache at .* cannot be written/g)?.length, 1, text);
    assert.match(text, /denied/i);
    assert.equal(
      sha256(await download(minio.admin, bucket, "denied/fn.zip", value.outs.versionId)),
      value.outs.sha256,
    );
    const entries = await versionsOf(
      minio.admin,
      bucket,
      `lambda-package-cache/${value.outs.buildKey}.zip`,
    );
    assert.deepEqual(entries.versions, []);
  });
});
