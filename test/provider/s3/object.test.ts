import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../../shared/errors";
import {
  consoleUrl,
  createS3Client,
  deleteVersion,
  headVersion,
  uploadArtifact,
} from "../../../provider/s3";
import { artifactsFixture, requestFor } from "../../support/artifacts";
import { minioFixture } from "../../support/minio";

const minio = minioFixture();
const zips = artifactsFixture({ first: 64 * 1024, second: 80 * 1024 });

/** A bucket holding two versions of `app.zip`. */
async function twoVersions() {
  const bucket = await minio.bucket();
  const client = createS3Client(minio.settings());
  const one = await uploadArtifact(client, requestFor(zips.first, bucket, "app.zip"));
  const two = await uploadArtifact(
    client,
    requestFor(zips.second, bucket, "app.zip", { sourceKey: "commit-def456" }),
  );
  return { bucket, client, one: one.versionId, two: two.versionId };
}

describe("headVersion", () => {
  test("reads sha256, sourceKey, size and metadata of the exact version asked for", async () => {
    const { bucket, client, one, two } = await twoVersions();
    const old = await headVersion(client, bucket, "app.zip", one);
    const latest = await headVersion(client, bucket, "app.zip", two);
    client.destroy();
    assert.deepEqual(old, {
      sha256: zips.first.sha256,
      sourceKey: "commit-abc123",
      size: zips.first.size,
      metadata: {
        sha256: zips.first.sha256,
        "source-key": "commit-abc123",
        "source-code-hash": zips.first.sourceCodeHash,
      },
      // The store's own SHA-256 of the bytes, from the checksum the upload sent.
      checksumSha256: zips.first.sourceCodeHash,
    });
    assert.equal(latest?.sha256, zips.second.sha256);
    assert.equal(latest?.sourceKey, "commit-def456");
  });

  test("is undefined once the version or the key is gone; a missing bucket is an error", async () => {
    const { bucket, client, one, two } = await twoVersions();
    await minio.admin.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: "app.zip", VersionId: one }),
    );
    assert.equal(await headVersion(client, bucket, "app.zip", one), undefined);
    assert.equal((await headVersion(client, bucket, "app.zip", two))?.sha256, zips.second.sha256);
    assert.equal(await headVersion(client, bucket, "other.zip", two), undefined);
    // The wrong store, more likely than a deleted object: never "gone".
    await assert.rejects(
      headVersion(client, "no-such-bucket-here", "app.zip", two),
      (error: unknown) =>
        error instanceof LambdaPackageError &&
        error.code === "BUCKET_NOT_FOUND" &&
        error.message.includes("no-such-bucket-here"),
    );
    client.destroy();
  });

  test("is undefined for a version id that is a delete marker", async () => {
    const { bucket, client } = await twoVersions();
    const marker = await minio.admin.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: "app.zip" }),
    );
    assert.ok(marker.DeleteMarker && marker.VersionId);
    assert.equal(await headVersion(client, bucket, "app.zip", marker.VersionId), undefined);
    client.destroy();
  });
});

describe("deleteVersion", () => {
  test("removes only that version and adds no delete marker", async () => {
    const { bucket, client, one, two } = await twoVersions();
    await deleteVersion(client, bucket, "app.zip", two);
    client.destroy();
    const { versions, deleteMarkers } = await minio.versionsOf(bucket, "app.zip");
    assert.deepEqual(
      versions.map((v) => v.VersionId),
      [one],
    );
    assert.deepEqual(deleteMarkers, []);
    assert.ok((await minio.download(bucket, "app.zip", one)).equals(zips.first.bytes));
  });

  test("treats a version that is already gone as deleted", async () => {
    const { bucket, client, one, two } = await twoVersions();
    await deleteVersion(client, bucket, "app.zip", one);
    await deleteVersion(client, bucket, "app.zip", one);
    await deleteVersion(client, "no-such-bucket-here", "app.zip", one);
    client.destroy();
    const { versions, deleteMarkers } = await minio.versionsOf(bucket, "app.zip");
    assert.deepEqual(
      versions.map((v) => v.VersionId),
      [two],
    );
    assert.deepEqual(deleteMarkers, []);
  });

  test("refuses an empty or null version id instead of deleting the bare key", async () => {
    const { bucket, client } = await twoVersions();
    for (const versionId of ["", "null"]) {
      await assert.rejects(
        deleteVersion(client, bucket, "app.zip", versionId),
        (error: unknown) =>
          error instanceof LambdaPackageError && error.code === "VERSION_ID_MISSING",
      );
    }
    client.destroy();
    const { versions, deleteMarkers } = await minio.versionsOf(bucket, "app.zip");
    assert.equal(versions.length, 2);
    assert.deepEqual(deleteMarkers, []);
  });
});

describe("consoleUrl", () => {
  test("points at the object in the S3 console, key encoded", () => {
    assert.equal(
      consoleUrl("my-bucket", "lambda/source/1.2.3/source.zip", "eu-west-1"),
      "https://s3.console.aws.amazon.com/s3/object/my-bucket?region=eu-west-1&prefix=lambda%2Fsource%2F1.2.3%2Fsource.zip",
    );
  });

  test("for an AWS endpoint given explicitly, is still the console page", () => {
    assert.match(
      consoleUrl("b", "k.zip", "eu-west-1", "https://s3.eu-west-1.amazonaws.com"),
      /^https:\/\/s3\.console\.aws\.amazon\.com\/s3\/object\/b\?region=eu-west-1/,
    );
  });

  test("for another store, is the object's path-style URL at its endpoint, not AWS's console", () => {
    assert.equal(
      consoleUrl("my-bucket", "fn/a b#1.zip", "us-east-1", "http://127.0.0.1:9000/"),
      "http://127.0.0.1:9000/my-bucket/fn/a%20b%231.zip",
    );
  });
});
