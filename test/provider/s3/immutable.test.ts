import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { createS3Client, uploadArtifact, type UploadResult } from "../../../provider/s3";
import {
  artifactsFixture,
  countAttempts,
  logLines,
  MiB,
  requestFor,
} from "../../support/artifacts";
import { minioFixture } from "../../support/minio";

const minio = minioFixture();
const zips = artifactsFixture({
  zip: 100 * 1024,
  other: 100 * 1024,
  bigOne: 12 * MiB,
  bigTwo: 12 * MiB,
});
const KEY = "lambda/source/1.2.3/source.zip";

const multipart = { multipartThreshold: 5 * MiB, partSize: 5 * MiB };

function taken(...hashes: string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof LambdaPackageError, String(error));
    assert.equal(error.code, "IMMUTABLE_KEY_TAKEN", error.message);
    for (const hash of hashes) assert.ok(error.message.includes(hash), error.message);
    assert.ok(error.message.includes(KEY), error.message);
    return true;
  };
}

describe("uploadArtifact with immutable", () => {
  test("writes a new key once, then adopts the same content without writing again", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const created = await uploadArtifact(
      client,
      requestFor(zips.zip, bucket, KEY, { immutable: true }),
    );
    const { lines, log } = logLines();
    const again = await uploadArtifact(
      client,
      requestFor(zips.zip, bucket, KEY, { immutable: true, log }),
    );
    client.destroy();
    assert.deepEqual(created.adopted, false);
    assert.deepEqual(again, { versionId: created.versionId, adopted: true });
    assert.equal((await minio.versionsOf(bucket, KEY)).versions.length, 1);
    assert.ok(
      lines.some((l) => l.includes("only if absent")),
      lines.join("\n"),
    );
    assert.ok(lines.some((l) => l.includes(`adopted version ${created.versionId}`)));
  });

  test("refuses other content at the key, naming both hashes, and writes nothing", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const created = await uploadArtifact(
      client,
      requestFor(zips.zip, bucket, KEY, { immutable: true }),
    );
    const attempts = countAttempts(client);
    await assert.rejects(
      uploadArtifact(client, requestFor(zips.other, bucket, KEY, { immutable: true })),
      taken(zips.zip.sha256, zips.other.sha256),
    );
    client.destroy();
    // The conditional PUT (refused with 412), then the HeadObject that compared hashes.
    assert.equal(attempts.count, 2);
    const { versions } = await minio.versionsOf(bucket, KEY);
    assert.deepEqual(
      versions.map((v) => v.VersionId),
      [created.versionId],
    );
    assert.ok((await minio.download(bucket, KEY, created.versionId)).equals(zips.zip.bytes));
  });

  test("checks a large upload's key before sending any part", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const created = await uploadArtifact(
      client,
      requestFor(zips.bigOne, bucket, KEY, { immutable: true, ...multipart }),
    );
    const attempts = countAttempts(client);
    const adopted = await uploadArtifact(
      client,
      requestFor(zips.bigOne, bucket, KEY, { immutable: true, ...multipart }),
    );
    await assert.rejects(
      uploadArtifact(
        client,
        requestFor(zips.bigTwo, bucket, KEY, { immutable: true, ...multipart }),
      ),
      taken(zips.bigOne.sha256, zips.bigTwo.sha256),
    );
    client.destroy();
    assert.deepEqual(adopted, { versionId: created.versionId, adopted: true });
    assert.equal(attempts.count, 2, "one HeadObject per call, no upload");
    assert.equal((await minio.versionsOf(bucket, KEY)).versions.length, 1);
  });

  test("of two concurrent multipart writers of different content, exactly one wins", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const results = await Promise.allSettled(
      [zips.bigOne, zips.bigTwo].map((artifact) =>
        uploadArtifact(
          client,
          requestFor(artifact, bucket, KEY, { immutable: true, ...multipart }),
        ),
      ),
    );
    client.destroy();
    const won = results.filter(
      (r): r is PromiseFulfilledResult<UploadResult> => r.status === "fulfilled",
    );
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    assert.equal(won.length, 1, JSON.stringify(results));
    assert.equal(lost.length, 1);
    assert.ok(
      lost[0].reason instanceof LambdaPackageError &&
        ["IMMUTABLE_KEY_TAKEN", "IMMUTABLE_KEY_CONFLICT"].includes(lost[0].reason.code),
      String(lost[0].reason),
    );
    const winner = results[0].status === "fulfilled" ? zips.bigOne : zips.bigTwo;
    const { versions } = await minio.versionsOf(bucket, KEY);
    assert.deepEqual(
      versions.map((v) => v.VersionId),
      [won[0].value.versionId],
    );
    assert.ok((await minio.download(bucket, KEY, won[0].value.versionId)).equals(winner.bytes));
    assert.deepEqual(await minio.openUploads(bucket), [], "the loser's upload was aborted");
  });
});
