import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GetObjectTaggingCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { copyVersion, createS3Client, uploadArtifact } from "../../../provider/s3";
import { MiB, requestFor } from "../../support/artifacts";
import { uploadFixture } from "./upload-scene";

const { minio, zips } = uploadFixture();

/** The object headers each command sent, by command name, as they went on the wire. */
function recordHeaders(client: S3Client): Map<string, Record<string, string>> {
  const sent = new Map<string, Record<string, string>>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      const kept = Object.entries(headers).filter(([name]) =>
        /^(x-amz-meta-|x-amz-tagging$|x-amz-server-side-encryption|content-type$)/.test(name),
      );
      sent.set(context.commandName!, Object.fromEntries(kept));
      return next(args);
    },
    { step: "finalizeRequest", name: "recordHeaders" },
  );
  return sent;
}

describe("object headers", () => {
  test("a single PUT, a multipart upload and a copy send and store the same headers", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    const sent = recordHeaders(client);
    const extra = {
      metadata: { Team: "payments", "build-note": "x" },
      tags: { env: "prod test", "cost/center": "a+b=c" },
      serverSideEncryption: "AES256" as const,
      multipartThreshold: 5 * MiB,
    };
    // The same zip twice, so every path carries the same sha256 metadata.
    const single = await uploadArtifact(client, {
      ...requestFor(zips.large, bucket, "single.zip", extra),
      multipartThreshold: 64 * MiB,
    });
    const multi = await uploadArtifact(client, requestFor(zips.large, bucket, "multi.zip", extra));
    const { multipartThreshold: _unused, ...copyExtra } = extra;
    const copied = await copyVersion(client, {
      ...requestFor(zips.large, bucket, "copy.zip", copyExtra),
      source: { bucket, key: "single.zip", versionId: single.versionId },
    });
    client.destroy();

    const put = sent.get("PutObjectCommand");
    assert.ok(put && Object.keys(put).length >= 5, JSON.stringify(put));
    assert.deepEqual(sent.get("CreateMultipartUploadCommand"), put);
    assert.deepEqual(sent.get("CopyObjectCommand"), put);

    const stored = async (key: string, versionId: string) => {
      const head = await minio.admin.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      );
      const tagging = await minio.admin.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
      );
      const tags = Object.fromEntries((tagging.TagSet ?? []).map((t) => [t.Key!, t.Value]));
      return {
        metadata: head.Metadata,
        tags,
        sse: head.ServerSideEncryption,
        type: head.ContentType,
      };
    };
    const expected = await stored("single.zip", single.versionId);
    assert.equal(expected.metadata?.team, "payments");
    assert.equal(expected.tags.env, "prod test");
    assert.deepEqual(await stored("multi.zip", multi.versionId), expected);
    assert.deepEqual(await stored("copy.zip", copied), expected);
    assert.ok((await minio.download(bucket, "copy.zip", copied)).equals(zips.large.bytes));
  });
});
