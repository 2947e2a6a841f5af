/**
 * The process's S3 clients: operations with the same settings in the same
 * environment share one, against a real MinIO; anything the SDK would read
 * differently gets a client of its own.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { withS3Client } from "../../../provider/s3";
import { minioFixture, withEnv } from "../../support/minio";

const minio = minioFixture();

/** The client an operation with `settings` is given, after it has used it. */
async function clientFor(settings = minio.settings()): Promise<S3Client> {
  const bucket = await minio.bucket();
  return withS3Client(settings, async (client) => {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return client;
  });
}

describe("withS3Client", () => {
  test("operations with the same settings share one client, and it still works after each", async () => {
    const first = await clientFor();
    const [second, third] = await Promise.all([clientFor(), clientFor()]);
    assert.equal(second, first);
    assert.equal(third, first);
  });

  test("other settings, or other AWS_ variables, give another client", async () => {
    const shared = await clientFor();
    assert.notEqual(await clientFor(minio.settings({ maxAttempts: 2 })), shared);
    const withOtherVariable = await withEnv({ AWS_MAX_ATTEMPTS: "2" }, () => clientFor());
    assert.notEqual(withOtherVariable, shared);
    // Credentials count too: a client keeps the ones it resolved first.
    const secret = process.env.AWS_SECRET_ACCESS_KEY;
    const otherSecret = await withEnv({ AWS_SECRET_ACCESS_KEY: `${secret}-other` }, () =>
      withS3Client(minio.settings(), (client) => Promise.resolve(client)),
    );
    assert.notEqual(otherSecret, shared);
    assert.equal(await clientFor(), shared);
  });

  test("a client left out for newer ones is destroyed once its last operation ends, not before", async () => {
    const bucket = await minio.bucket();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let destroyed = 0;
    let oldest: S3Client | undefined;
    const running = withS3Client(minio.settings({ maxAttempts: 20 }), async (client) => {
      oldest = client;
      const destroy = client.destroy.bind(client);
      client.destroy = () => {
        destroyed++;
        destroy();
      };
      await held;
      // Still usable: the newer clients below pushed it out of the map while this ran.
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    });
    for (let attempts = 1; attempts <= 10; attempts++)
      await withS3Client(minio.settings({ maxAttempts: attempts }), async () => {});
    assert.equal(destroyed, 0);
    release();
    await running;
    assert.equal(destroyed, 1);
    const again = await withS3Client(minio.settings({ maxAttempts: 20 }), (client) =>
      Promise.resolve(client),
    );
    assert.notEqual(again, oldest);
  });
});
