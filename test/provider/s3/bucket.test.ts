import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../../shared/errors";
import { assertBucketReady, createS3Client, uploadArtifact } from "../../../provider/s3";
import { countAttempts, requestFor, writeArtifact } from "../../support/artifacts";
import { tempDir } from "../../support/tmp";
import { minioFixture, withEnv } from "../../support/minio";

const minio = minioFixture();

function isError(code: string, ...fragments: string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof LambdaPackageError, `not a LambdaPackageError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), error.message);
    return true;
  };
}

describe("assertBucketReady", () => {
  test("passes for a bucket with versioning Enabled", async () => {
    const bucket = await minio.bucket();
    const client = createS3Client(minio.settings());
    await assertBucketReady(client, bucket, minio.settings());
    client.destroy();
  });

  test("names bucket, region and endpoint when the bucket does not exist", async () => {
    const client = createS3Client(minio.settings());
    await assert.rejects(
      assertBucketReady(client, "missing-bucket", minio.settings()),
      isError("BUCKET_NOT_FOUND", '"missing-bucket"', "us-east-1", minio.server.endpoint),
    );
    client.destroy();
  });

  test("says how to enable versioning when it was never enabled", async () => {
    const bucket = await minio.bucket(false);
    const client = createS3Client(minio.settings());
    await assert.rejects(
      assertBucketReady(client, bucket, minio.settings()),
      isError(
        "VERSIONING_NOT_ENABLED",
        "never enabled",
        `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled`,
        `--endpoint-url ${minio.server.endpoint}`,
      ),
    );
    client.destroy();
  });

  test("refuses a bucket whose versioning is Suspended", async () => {
    const bucket = await minio.bucket();
    await minio.admin.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: "Suspended" },
      }),
    );
    const client = createS3Client(minio.settings());
    await assert.rejects(
      assertBucketReady(client, bucket, minio.settings()),
      isError("VERSIONING_NOT_ENABLED", '"Suspended"'),
    );
    client.destroy();
  });

  test("reports rejected credentials as CREDENTIALS quickly, without retrying", async () => {
    const bucket = await minio.bucket();
    for (const [id, secret, code] of [
      ["AKIAWRONGWRONGWRONG1", "wrong-secret-key-value", "InvalidAccessKeyId"],
      [minio.server.accessKeyId, "wrong-secret-key-value", "SignatureDoesNotMatch"],
    ]) {
      await withEnv({ AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret }, async () => {
        const client = createS3Client(minio.settings({ maxAttempts: 3 }));
        const attempts = countAttempts(client);
        const started = Date.now();
        await assert.rejects(
          assertBucketReady(client, bucket, minio.settings()),
          isError("CREDENTIALS", code, "AWS_ACCESS_KEY_ID"),
        );
        client.destroy();
        // HeadBucket (403, no body) then GetBucketVersioning (names the code): one attempt each.
        assert.equal(attempts.count, 2);
        assert.ok(Date.now() - started < 5000);
      });
    }
  });

  test("reports missing credentials as CREDENTIALS without sending a request", async () => {
    const bucket = await minio.bucket();
    const empty = await tempDir("s3");
    const vars = {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_CONFIG_FILE: `${empty}/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${empty}/credentials`,
      // No instance metadata service here; make the chain's last resort fail fast.
      AWS_EC2_METADATA_DISABLED: "true",
    };
    await withEnv(vars, async () => {
      const client = createS3Client(minio.settings());
      const attempts = countAttempts(client);
      await assert.rejects(
        assertBucketReady(client, bucket, minio.settings()),
        isError("CREDENTIALS", "AWS_PROFILE"),
      );
      client.destroy();
      assert.equal(attempts.count, 0);
    });
  });

  test("an upload with rejected credentials fails in one attempt", async () => {
    const bucket = await minio.bucket();
    const temp = await tempDir("s3");
    const artifact = await writeArtifact(temp, 1024, "creds");
    await withEnv({ AWS_SECRET_ACCESS_KEY: "wrong-secret-key-value" }, async () => {
      const client = createS3Client(minio.settings({ maxAttempts: 5 }));
      const attempts = countAttempts(client);
      await assert.rejects(
        uploadArtifact(client, requestFor(artifact, bucket, "app.zip")),
        isError("CREDENTIALS", "SignatureDoesNotMatch", `s3://${bucket}/app.zip`),
      );
      client.destroy();
      assert.equal(attempts.count, 1);
    });
  });
});
