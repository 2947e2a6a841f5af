/**
 * The build cache's entries against a real MinIO: metadata is verified before
 * it becomes outputs, and two writers racing on one entry both leave a
 * verified copy, which a reader checks whatever it finds.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, describe, test } from "node:test";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  fill,
  lookUp,
  type CacheLocation,
  type CachedPackage,
} from "../../../provider/operations/build-cache";
import { createS3Client } from "../../../provider/s3/client";
import { minioFixture } from "../../support/minio";

const minio = minioFixture();

const BYTES = Buffer.from("the bytes of a package");
const SHA256 = createHash("sha256").update(BYTES).digest("hex");
const SOURCE_CODE_HASH = createHash("sha256").update(BYTES).digest("base64");
const GOOD = {
  sha256: SHA256,
  "source-code-hash": SOURCE_CODE_HASH,
  "unzipped-size": "120",
  "file-count": "3",
  "build-seconds": "4.2",
};

/** Lines a lookUp or fill logged. */
function logged(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

describe("build cache entries", () => {
  let client: S3Client;
  let location: CacheLocation;

  before(async () => {
    client = createS3Client(minio.settings());
    location = { bucket: await minio.bucket(), prefix: "cache" };
  });

  /** An entry whose bytes are right (their sha256 is SHA256) behind the given metadata. */
  async function entry(buildKey: string, metadata: Record<string, string>): Promise<void> {
    await minio.admin.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: `cache/${buildKey}.zip`,
        Body: BYTES,
        Metadata: metadata,
      }),
    );
  }

  test("an entry with well-formed metadata and matching bytes is a hit with what it records", async () => {
    await entry("good", GOOD);
    const { lines, log } = logged();
    const hit = await lookUp(client, location, "good", log);
    assert.ok(hit, lines.join("\n"));
    assert.equal(hit.sha256, SHA256);
    assert.equal(hit.sourceCodeHash, SOURCE_CODE_HASH);
    assert.equal(hit.fileCount, 3);
    assert.equal(hit.unzippedSize, 120);
    assert.equal(hit.buildSeconds, 4.2);
  });

  const crafted: [string, Record<string, string>, RegExp][] = [
    ["a negative file-count", { "file-count": "-5" }, /its file-count metadata is "-5"/],
    ["a file-count of 0", { "file-count": "0" }, /its file-count metadata is "0"/],
    ["a fractional file-count", { "file-count": "2.5" }, /its file-count metadata is "2\.5"/],
    [
      "an unzipped-size past a safe integer",
      { "unzipped-size": "99999999999999999999" },
      /its unzipped-size metadata is "99999999999999999999"/,
    ],
    ["an unzipped-size in hex", { "unzipped-size": "0x10" }, /its unzipped-size metadata/],
    [
      "a source-code-hash that is not the sha256's",
      { "source-code-hash": Buffer.alloc(32).toString("base64") },
      /its source-code-hash metadata is .*, not .*, the base64 of its sha256/,
    ],
    [
      "an uppercase sha256",
      { sha256: SHA256.toUpperCase() },
      /its sha256 metadata is .*, not 64 lowercase hex digits/,
    ],
    ["a negative build-seconds", { "build-seconds": "-1" }, /its build-seconds metadata is "-1"/],
    ["an infinite build-seconds", { "build-seconds": "Infinity" }, /its build-seconds metadata/],
  ];
  for (const [what, change, reason] of crafted) {
    test(`an entry whose metadata holds ${what} is a miss with one line saying why`, async () => {
      const buildKey = `crafted-${crafted.findIndex(([w]) => w === what)}`;
      await entry(buildKey, { ...GOOD, ...change });
      const { lines, log } = logged();
      assert.equal(await lookUp(client, location, buildKey, log), undefined);
      assert.equal(lines.length, 1, lines.join("\n"));
      assert.match(lines[0], /^build cache entry s3:\/\/.* \(version .*\) is corrupt: /);
      assert.match(lines[0], reason);
      assert.match(lines[0], /building instead\. Delete the entry/);
    });
  }

  test("two writers that miss at once both store a verified copy, and the next build hits", async () => {
    const source = await minio.admin.send(
      new PutObjectCommand({ Bucket: location.bucket, Key: "fn.zip", Body: BYTES }),
    );
    const built: CachedPackage = {
      sha256: SHA256,
      sourceCodeHash: SOURCE_CODE_HASH,
      size: BYTES.length,
      unzippedSize: 120,
      fileCount: 3,
      buildSeconds: 4.2,
    };
    // Both writers look before either copies: each finds no entry, as two runners can.
    const racing = createS3Client(minio.settings());
    let copies = 0;
    let release: () => void = () => {};
    const bothLooked = new Promise<void>((resolve) => (release = resolve));
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "CopyObjectCommand" && ++copies === 2) release();
        if (context.commandName === "CopyObjectCommand") await bothLooked;
        return next(args);
      },
      { step: "initialize" },
    );
    const write = async () => {
      const { lines, log } = logged();
      const to = { bucket: location.bucket, key: "fn.zip", versionId: source.VersionId! };
      await fill(racing, location, "raced", to, built, { sourceKey: "k" }, log);
      return lines;
    };
    const [a, b] = await Promise.all([write(), write()]);
    for (const lines of [a, b]) assert.match(lines.join("\n"), /build cache: stored s3:\/\//);
    const { versions } = await minio.versionsOf(location.bucket, "cache/raced.zip");
    assert.equal(versions.length, 2, "both wrote: the store checks no condition on a copy");
    const { lines, log } = logged();
    const hit = await lookUp(client, location, "raced", log);
    assert.ok(hit, lines.join("\n"));
    assert.equal(hit.sha256, SHA256);
    assert.equal(hit.fileCount, 3);
  });
});
