import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { FinalizeRequestMiddleware, MetadataBearer } from "@smithy/types";
import {
  openFileSource,
  readCentralDirectory,
  TAIL_BYTES,
  type ZipListing,
} from "../../../engine/listing";
import { writeZip } from "../../../engine/zip";
import { createS3Client, openS3Source } from "../../../provider/s3";
import { LambdaPackageError } from "../../../shared/errors";
import { minioFixture } from "../../support/minio";
import { tempDir } from "../../support/tmp";

const minio = minioFixture();

/** A client that records every request's method, Range header and the bytes of its answer. */
function countingClient(): {
  client: S3Client;
  requests: { method: string; range?: string; bytes: number }[];
} {
  const client = createS3Client(minio.settings());
  const requests: { method: string; range?: string; bytes: number }[] = [];
  const record: FinalizeRequestMiddleware<object, MetadataBearer> = (next) => async (args) => {
    const request = args.request as { method: string; headers: Record<string, string> };
    const entry: { method: string; range?: string; bytes: number } = {
      method: request.method,
      range: request.headers.range ?? request.headers.Range,
      bytes: 0,
    };
    requests.push(entry);
    const result = await next(args);
    const headers = (result.response as { headers?: Record<string, string> }).headers ?? {};
    entry.bytes = Number(headers["content-length"] ?? 0);
    return result;
  };
  client.middlewareStack.add(record, { step: "finalizeRequest", name: "countRequests" });
  return { client, requests };
}

/** A zip of `count` tiny files with long names: a central directory larger than the tail. */
async function manyFiles(count: number, content: string): Promise<string> {
  const dir = await tempDir("ranged");
  const file = path.join(dir, `${content}.txt`);
  await writeFile(file, content);
  const entries = Array.from({ length: count }, (_, i) => ({
    name: `node_modules/some-package/lib/deeply/nested/module-${String(i).padStart(5, "0")}.js`,
    sourceFile: file,
    size: content.length,
    executable: false,
  }));
  const zip = path.join(dir, `${content}.zip`);
  await writeZip(entries, zip, { level: 9, mtime: 0 });
  return zip;
}

async function localListing(zip: string): Promise<ZipListing> {
  const source = await openFileSource(zip);
  try {
    return await readCentralDirectory(source);
  } finally {
    await source.close();
  }
}

async function put(bucket: string, key: string, body: Buffer): Promise<string> {
  const output = await minio.admin.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
  );
  assert.ok(output.VersionId);
  return output.VersionId;
}

describe("openS3Source", () => {
  test("lists each version of a zip from its tail and directory, with ranged GETs only", async () => {
    const bucket = await minio.bucket();
    const first = await manyFiles(3000, "one");
    const second = await manyFiles(10, "two");
    const v1 = await put(bucket, "app.zip", await readFile(first));
    const v2 = await put(bucket, "app.zip", await readFile(second));
    const { client, requests } = countingClient();
    const old = await readCentralDirectory(
      await openS3Source(client, { bucket, key: "app.zip", versionId: v1 }),
    );
    assert.deepEqual(old, await localListing(first));
    const size = (await readFile(first)).length;
    const directory = size - (await readFile(first)).readUInt32LE(size - 22 + 16);
    assert.ok(directory > TAIL_BYTES && size > directory);
    assert.equal(requests.length, 2);
    assert.ok(requests.every((r) => r.method === "GET" && r.range?.startsWith("bytes=")));
    assert.equal(requests[0].range, `bytes=-${TAIL_BYTES}`);
    assert.equal(
      requests.reduce((sum, r) => sum + r.bytes, 0),
      directory,
      "the directory and end record, not the entries",
    );

    requests.length = 0;
    const latest = await readCentralDirectory(
      await openS3Source(client, { bucket, key: "app.zip", versionId: v2 }),
    );
    assert.deepEqual(latest, await localListing(second));
    const current = await readCentralDirectory(
      await openS3Source(client, { bucket, key: "app.zip" }),
    );
    assert.deepEqual(current, latest);
    assert.equal(requests.length, 2, "a small zip is one ranged GET");
    client.destroy();
  });

  test("a missing key or version is S3_OBJECT_NOT_FOUND naming the URI", async () => {
    const bucket = await minio.bucket();
    const v1 = await put(bucket, "app.zip", await readFile(await manyFiles(1, "x")));
    const client = createS3Client(minio.settings());
    const notFound = (uri: string) => (error: unknown) =>
      error instanceof LambdaPackageError &&
      error.code === "S3_OBJECT_NOT_FOUND" &&
      error.message.includes(uri) &&
      error.message.includes("list-object-versions");
    await assert.rejects(
      openS3Source(client, { bucket, key: "other.zip" }),
      notFound(`s3://${bucket}/other.zip`),
    );
    const wrongVersion = v1.replace(/[0-9a-f]/, (c) => (c === "0" ? "1" : "0"));
    await assert.rejects(
      openS3Source(client, { bucket, key: "app.zip", versionId: wrongVersion }),
      notFound(`s3://${bucket}/app.zip?versionId=${wrongVersion}`),
    );
    await assert.rejects(
      openS3Source(client, { bucket: "no-such-bucket-here", key: "app.zip" }),
      (error: unknown) => error instanceof LambdaPackageError && error.code === "BUCKET_NOT_FOUND",
    );
    client.destroy();
  });

  test("an empty object or one that is not a zip is ZIP_NOT_A_ZIP naming the URI", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    await put(bucket, "empty.zip", Buffer.alloc(0));
    await put(bucket, "text.zip", Buffer.from("not a zip at all\n".repeat(100)));
    for (const key of ["empty.zip", "text.zip"]) {
      const source = await openS3Source(client, { bucket, key });
      await assert.rejects(
        readCentralDirectory(source),
        (error: unknown) =>
          error instanceof LambdaPackageError &&
          error.code === "ZIP_NOT_A_ZIP" &&
          error.message.includes(`s3://${bucket}/${key}`),
      );
    }
    client.destroy();
  });
});
