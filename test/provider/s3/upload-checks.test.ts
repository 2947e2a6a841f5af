import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { writeFile } from "node:fs/promises";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../../shared/errors";
import { createS3Client, uploadArtifact } from "../../../provider/s3";
import { countAttempts, MiB, requestFor, writeArtifact } from "../../support/artifacts";
import { uploadFixture } from "./upload-scene";

// Encryption, and what uploadArtifact refuses; upload.test.ts has what an upload stores.
const { minio, zips } = uploadFixture();

describe("uploadArtifact", () => {
  test("refuses bad metadata, tags and encryption before sending any request", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const attempts = countAttempts(client);
    const cases: [Partial<Parameters<typeof requestFor>[3]>, RegExp][] = [
      [{ metadata: { SHA256: "x" } }, /metadata\.SHA256 is written by this tool/],
      [{ metadata: { note: "x".repeat(2000) } }, /metadata is \d+ bytes .*2048/],
      [{ metadata: { "bad key": "x" } }, /metadata\.bad key is not a valid header name/],
      [{ metadata: { note: "naïve" } }, /metadata\.note must be a string of printable ASCII/],
      [
        { tags: Object.fromEntries([...Array(11).keys()].map((i) => [`t${i}`, "v"])) },
        /tags has 11 tags/,
      ],
      [{ tags: { k: "v".repeat(257) } }, /tags\.k value must be .* 256 characters/],
      [{ tags: { k: "a&b" } }, /tags\.k has characters S3 does not allow in tags/],
      [{ kmsKeyId: "key" }, /kmsKeyId needs serverSideEncryption "aws:kms"/],
      [{ partSize: 1 * MiB, multipartThreshold: 0 }, /partSize: .* must be 5 MiB to 5 GiB/],
    ];
    for (const [extra, message] of cases) {
      await assert.rejects(
        uploadArtifact(client, requestFor(zips.small, bucket, "bad.zip", extra)),
        (error: unknown) => error instanceof LambdaPackageError && message.test(error.message),
        `expected ${message}`,
      );
    }
    client.destroy();
    assert.equal(attempts.count, 0);
    assert.deepEqual((await minio.versionsOf(bucket, "bad.zip")).versions, []);
  });

  test("encrypts with SSE-S3 and SSE-KMS when asked", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const aes = await uploadArtifact(
      client,
      requestFor(zips.small, bucket, "aes.zip", { serverSideEncryption: "AES256" }),
    );
    const kms = await uploadArtifact(
      client,
      requestFor(zips.large, bucket, "kms.zip", {
        serverSideEncryption: "aws:kms",
        kmsKeyId: "minio-test-key",
        multipartThreshold: 5 * MiB,
      }),
    );
    client.destroy();
    const aesHead = await minio.admin.send(
      new HeadObjectCommand({ Bucket: bucket, Key: "aes.zip", VersionId: aes.versionId }),
    );
    const kmsHead = await minio.admin.send(
      new HeadObjectCommand({ Bucket: bucket, Key: "kms.zip", VersionId: kms.versionId }),
    );
    assert.equal(aesHead.ServerSideEncryption, "AES256");
    assert.equal(kmsHead.ServerSideEncryption, "aws:kms");
    assert.ok((await minio.download(bucket, "kms.zip", kms.versionId)).equals(zips.large.bytes));
  });

  test("stores nothing when the file no longer matches its sha256, in one PUT or in parts", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const copy = await writeArtifact(zips.dir, zips.large.size, "tampered");
    const stale = { ...copy, sha256: zips.large.sha256 };
    for (const threshold of [64 * MiB, 5 * MiB]) {
      await assert.rejects(
        uploadArtifact(
          client,
          requestFor(stale, bucket, "app.zip", { multipartThreshold: threshold }),
        ),
        (error: unknown) =>
          error instanceof LambdaPackageError &&
          error.code === "ARTIFACT_CHANGED" &&
          error.message.includes(copy.file),
      );
    }
    await writeFile(copy.file, "short");
    await assert.rejects(
      uploadArtifact(client, requestFor(copy, bucket, "app.zip")),
      (error: unknown) => error instanceof LambdaPackageError && error.code === "ARTIFACT_CHANGED",
    );
    client.destroy();
    assert.deepEqual((await minio.versionsOf(bucket, "app.zip")).versions, []);
    assert.deepEqual(await minio.openUploads(bucket), []);
  });

  test("fails with VERSIONING_NOT_ENABLED, not a null version id, on an unversioned bucket", async () => {
    const bucket = await minio.bucket(false);
    const client = createS3Client(minio.settings());
    await assert.rejects(
      uploadArtifact(client, requestFor(zips.small, bucket, "app.zip")),
      (error: unknown) =>
        error instanceof LambdaPackageError &&
        error.code === "VERSIONING_NOT_ENABLED" &&
        error.message.includes("put-bucket-versioning"),
    );
    client.destroy();
  });
});
