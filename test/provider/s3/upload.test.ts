import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  GetObjectAttributesCommand,
  type GetObjectAttributesCommandOutput,
  GetObjectTaggingCommand,
  HeadObjectCommand,
} from "@aws-sdk/client-s3";
import { createS3Client, uploadArtifact } from "../../../provider/s3";
import { countAttempts, logLines, MiB, requestFor, writeArtifact } from "../../support/artifacts";
import { uploadFixture } from "./upload-scene";

// What an upload stores; upload-checks.test.ts has encryption and what it refuses.
const { minio, zips } = uploadFixture();

/** The object version as the store reports it: metadata, checksum, tags, bytes. */
async function inspect(bucket: string, key: string, versionId: string) {
  const head = await minio.admin.send(
    new HeadObjectCommand({
      Bucket: bucket,
      Key: key,
      VersionId: versionId,
      ChecksumMode: "ENABLED",
    }),
  );
  // One attribute per request: MinIO rejects the comma-separated list the SDK sends.
  const attributes: GetObjectAttributesCommandOutput = {} as GetObjectAttributesCommandOutput;
  for (const name of ["Checksum", "ObjectParts", "ObjectSize"] as const) {
    const input = { Bucket: bucket, Key: key, VersionId: versionId, ObjectAttributes: [name] };
    Object.assign(attributes, await minio.admin.send(new GetObjectAttributesCommand(input)));
  }
  const tagging = await minio.admin.send(
    new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  const tags = Object.fromEntries((tagging.TagSet ?? []).map((t) => [t.Key!, t.Value]));
  const bytes = await minio.download(bucket, key, versionId);
  return { head, attributes, tags, bytes };
}

describe("uploadArtifact", () => {
  test("uploads a small zip in one PUT with our metadata, the user's, tags and a SHA-256 checksum", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const attempts = countAttempts(client);
    const { lines, log } = logLines();
    const result = await uploadArtifact(
      client,
      requestFor(zips.small, bucket, "fn/app.zip", {
        metadata: { Team: "payments" },
        tags: { env: "prod test", "cost/center": "a+b=c/d@e:f" },
        log,
      }),
    );
    client.destroy();
    assert.equal(result.adopted, false);
    assert.match(result.versionId, /^[0-9a-f-]{36}$/);
    assert.equal(attempts.count, 1, "one PutObject, nothing else");
    const { head, attributes, tags, bytes } = await inspect(bucket, "fn/app.zip", result.versionId);
    assert.deepEqual(head.Metadata, {
      sha256: zips.small.sha256,
      "source-key": "commit-abc123",
      "source-code-hash": zips.small.sourceCodeHash,
      team: "payments",
    });
    assert.equal(head.ChecksumSHA256, zips.small.sourceCodeHash);
    assert.equal(attributes.Checksum?.ChecksumSHA256, zips.small.sourceCodeHash);
    assert.equal(attributes.ObjectSize, zips.small.size);
    assert.deepEqual(tags, { env: "prod test", "cost/center": "a+b=c/d@e:f" });
    assert.ok(bytes.equals(zips.small.bytes), "downloaded bytes equal the file");
    assert.ok(
      lines.some((l) => l.includes("one PUT") && /300(\.0)? KiB/.test(l)),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((l) => l.includes(`s3://${bucket}/fn/app.zip`) && l.includes(result.versionId)),
    );
  });

  test("uploads above the threshold in parts, with tags atomic and a composite SHA-256 checksum", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const { lines, log } = logLines();
    const result = await uploadArtifact(
      client,
      requestFor(zips.large, bucket, "big.zip", {
        multipartThreshold: 5 * MiB,
        partSize: 5 * MiB,
        metadata: { team: "payments" },
        tags: { env: "prod" },
        log,
      }),
    );
    client.destroy();
    const { head, attributes, tags, bytes } = await inspect(bucket, "big.zip", result.versionId);
    assert.equal(head.Metadata?.sha256, zips.large.sha256);
    assert.equal(head.Metadata?.["source-key"], "commit-abc123");
    assert.equal(head.Metadata?.team, "payments");
    assert.equal(attributes.ObjectParts?.TotalPartsCount, 3);
    assert.match(
      head.ChecksumSHA256 ?? "",
      /^[A-Za-z0-9+/]{43}=-3$/,
      "composite checksum of 3 parts",
    );
    assert.deepEqual(tags, { env: "prod" });
    assert.ok(bytes.equals(zips.large.bytes), "downloaded bytes equal the file");
    assert.deepEqual(await minio.openUploads(bucket), []);
    assert.ok(
      lines.some((l) => /multipart, 3 parts of 5(\.0)? MiB/.test(l)),
      lines.join("\n"),
    );
  });

  test("a second upload to the same key makes a new version and keeps the old one readable", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const first = await uploadArtifact(client, requestFor(zips.small, bucket, "app.zip"));
    const changed = await writeArtifact(zips.dir, 200 * 1024, "changed");
    const second = await uploadArtifact(client, requestFor(changed, bucket, "app.zip"));
    client.destroy();
    assert.notEqual(second.versionId, first.versionId);
    const { versions } = await minio.versionsOf(bucket, "app.zip");
    assert.equal(versions.length, 2);
    assert.ok((await minio.download(bucket, "app.zip", first.versionId)).equals(zips.small.bytes));
    assert.ok((await minio.download(bucket, "app.zip", second.versionId)).equals(changed.bytes));
  });
});
