/**
 * The bucket check of `createVersion`, against a real MinIO: creates started
 * at once share one check of a bucket, and a check that failed is asked
 * again by the next create.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import type { LambdaPackageInputs } from "../../../provider/args";
import { createVersion } from "../../../provider/operations/lifecycle";
import { s3Settings } from "../../../provider/operations/store";
import { withS3Client } from "../../../provider/s3";
import { minioFixture } from "../../support/minio";
import { tempDir } from "../../support/tmp";

const minio = minioFixture();

describe("createVersion's bucket check", () => {
  let sourcePath: string;
  before(async () => {
    sourcePath = await tempDir("lifecycle");
    await mkdir(path.join(sourcePath, "app"));
    await writeFile(path.join(sourcePath, "app", "main.py"), "x = 1\n");
  });

  const inputs = (bucket: string, key: string): LambdaPackageInputs => ({
    bucket,
    key,
    sourcePath,
    runtime: "copy",
    sourceKey: "commit-1",
    endpoint: minio.server.endpoint,
  });

  /** Counts, by command, the requests the operations' shared client sends from now on. */
  async function countRequests(settings: ReturnType<typeof s3Settings>) {
    const counts = new Map<string, number>();
    await withS3Client(settings, (client) => {
      client.middlewareStack.add(
        (next, context) => (args) => {
          counts.set(context.commandName!, (counts.get(context.commandName!) ?? 0) + 1);
          return next(args);
        },
        { step: "initialize", name: `count-${Math.random()}` },
      );
      return Promise.resolve();
    });
    return counts;
  }

  test("ten creates started at once in a bucket check it once", async () => {
    const bucket = await minio.bucket();
    const counts = await countRequests(s3Settings(inputs(bucket, "x")));
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createVersion(inputs(bucket, `fn/${i}.zip`))),
    );
    assert.equal(new Set(created.map((outs) => outs.key)).size, 10);
    assert.equal(counts.get("GetBucketVersioningCommand"), 1);
  });

  test("a bucket whose check failed is checked again by the next create", async () => {
    const bucket = await minio.bucket(false);
    await assert.rejects(createVersion(inputs(bucket, "a.zip")), /versioning/i);
    await minio.admin.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    );
    const outs = await createVersion(inputs(bucket, "a.zip"));
    assert.match(outs.versionId, /\S/);
  });
});
