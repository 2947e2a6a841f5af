import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../../shared/errors";
import { createS3Client, describeTarget, uploadArtifact } from "../../../provider/s3";
import { requestFor, writeArtifact } from "../../support/artifacts";
import { tempDir } from "../../support/tmp";
import { minioFixture, withEnv } from "../../support/minio";

const minio = minioFixture();

const NO_AMBIENT = {
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL_S3: undefined,
  AWS_ENDPOINT_URL: undefined,
};

function invalidSetting(field: string) {
  return (error: unknown) =>
    error instanceof LambdaPackageError &&
    error.code === "S3_SETTINGS_INVALID" &&
    error.message.startsWith(`${field}:`);
}

describe("createS3Client", () => {
  test("takes the region from the setting, AWS_REGION, the profile's config, then us-east-1", async () => {
    const temp = await tempDir("s3");
    const config = path.join(temp, "config");
    await writeFile(config, "[default]\nregion = eu-west-3\n\n[profile ops]\nregion=ap-south-1\n");
    await withEnv({ ...NO_AMBIENT, AWS_CONFIG_FILE: config }, async () => {
      const regionOf = (settings: Parameters<typeof createS3Client>[0]) =>
        createS3Client(settings).config.region();
      assert.equal(await regionOf({ region: "us-west-2" }), "us-west-2");
      assert.equal(await regionOf({}), "eu-west-3");
      assert.equal(await regionOf({ profile: "ops" }), "ap-south-1");
      assert.equal(await regionOf({ profile: "unknown" }), "us-east-1");
      process.env.AWS_REGION = "ca-central-1";
      assert.equal(await regionOf({ profile: "ops" }), "ca-central-1");
    });
    await withEnv({ ...NO_AMBIENT, AWS_CONFIG_FILE: path.join(temp, "none") }, async () => {
      assert.equal(await createS3Client({}).config.region(), "us-east-1");
    });
  });

  test("uses AWS_ENDPOINT_URL_S3 when no endpoint is set, with path-style addressing", async () => {
    await withEnv({ ...NO_AMBIENT, AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9" }, async () => {
      const client = createS3Client({ region: "us-east-1" });
      const endpoint = await client.config.endpoint!();
      assert.equal(
        `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`,
        "http://127.0.0.1:9",
      );
      assert.equal(client.config.forcePathStyle, true);
      assert.equal(
        describeTarget({ region: "us-east-1" }, "b"),
        'bucket "b" in region us-east-1 at endpoint http://127.0.0.1:9',
      );
    });
    await withEnv(NO_AMBIENT, () => {
      const client = createS3Client({ region: "eu-west-1" });
      assert.equal(client.config.forcePathStyle, false);
      assert.equal(
        describeTarget({ region: "eu-west-1" }, "b"),
        'bucket "b" in region eu-west-1 at endpoint the AWS endpoint',
      );
    });
  });

  test("rejects a malformed endpoint, maxAttempts or checksums value, naming the field", () => {
    assert.throws(() => createS3Client({ endpoint: "127.0.0.1:9000" }), invalidSetting("endpoint"));
    assert.throws(() => createS3Client({ endpoint: "ftp://host" }), invalidSetting("endpoint"));
    assert.throws(() => createS3Client({ maxAttempts: 0 }), invalidSetting("maxAttempts"));
    assert.throws(() => createS3Client({ maxAttempts: 1.5 }), invalidSetting("maxAttempts"));
    const checksums = "sometimes" as "when_required";
    assert.throws(() => createS3Client({ checksums }), invalidSetting("checksums"));
  });

  test('checksums "when_required" sends no checksum headers; the default stores SHA-256', async () => {
    const bucket = await minio.bucket();
    const temp = await tempDir("s3");
    const zip = await writeArtifact(temp, 64 * 1024, "checksums");
    const stored = async (checksums?: "when_required" | "when_supported") => {
      const client = createS3Client(minio.settings({ checksums }));
      assert.equal(
        await client.config.requestChecksumCalculation(),
        checksums === "when_required" ? "WHEN_REQUIRED" : "WHEN_SUPPORTED",
      );
      const { versionId } = await uploadArtifact(client, requestFor(zip, bucket, "app.zip"));
      client.destroy();
      const head = await minio.admin.send(
        new HeadObjectCommand({
          Bucket: bucket,
          Key: "app.zip",
          VersionId: versionId,
          ChecksumMode: "ENABLED",
        }),
      );
      return { sha256: head.ChecksumSHA256, crc32: head.ChecksumCRC32, meta: head.Metadata };
    };
    const plain = await stored("when_required");
    assert.equal(plain.sha256, undefined);
    assert.equal(plain.crc32, undefined);
    assert.equal(plain.meta?.sha256, zip.sha256, "our metadata is written either way");
    assert.equal((await stored(undefined)).sha256, zip.sourceCodeHash);
    assert.equal((await stored("when_supported")).sha256, zip.sourceCodeHash);
  });

  test("signs the SHA-256 checksum header instead of hashing the payload a second time", async () => {
    const bucket = await minio.bucket();
    const temp = await tempDir("s3");
    const zip = await writeArtifact(temp, 64 * 1024, "signing");
    const sent = async (checksums?: "when_required") => {
      const client = createS3Client(minio.settings({ checksums }));
      let headers: Record<string, string> = {};
      client.middlewareStack.add(
        (next) => async (args) => {
          headers = { ...(args.request as { headers: Record<string, string> }).headers };
          return next(args);
        },
        { step: "deserialize", name: "captureHeaders" },
      );
      await uploadArtifact(client, requestFor(zip, bucket, "app.zip"));
      client.destroy();
      return headers;
    };
    const checksummed = await sent();
    assert.equal(checksummed["x-amz-checksum-sha256"], zip.sourceCodeHash);
    assert.equal(checksummed["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
    assert.match(checksummed.authorization, /SignedHeaders=[^,]*x-amz-checksum-sha256/);
    const plain = await sent("when_required");
    assert.equal(plain["x-amz-checksum-sha256"], undefined);
    assert.equal(
      plain["x-amz-content-sha256"],
      zip.sha256,
      "without a checksum the payload is signed",
    );
  });
});
