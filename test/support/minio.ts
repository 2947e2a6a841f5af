import { after, before } from "node:test";
import { randomBytes } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Settings } from "../../provider/s3";
import { createBucket, minioClient, startMinio, type MinioServer } from "../../scripts/minio";

/** A MinIO server for one test file, started in `before` and stopped in `after`. */
export interface MinioFixture {
  readonly server: MinioServer;
  /** Root-credential client for assertions (ListObjectVersions, GetObject, ...). */
  readonly admin: S3Client;
  /** Settings for `createS3Client` pointing at the server. */
  settings(overrides?: Partial<S3Settings>): S3Settings;
  /** Creates a bucket with a fresh name (versioning Enabled unless `versioned` is false). */
  bucket(versioned?: boolean): Promise<string>;
}

/** Variables the SDK's default chain reads; the fixture owns them while tests run. */
const CREDENTIAL_VARS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL",
];

/**
 * Registers `before`/`after` hooks that start MinIO and point the SDK's
 * default credential chain (environment variables) at it, as a user's shell
 * would after `eval "$(npm run -s minio -- start)"`.
 */
export function minioFixture(): MinioFixture {
  let server: MinioServer | undefined;
  let admin: S3Client | undefined;
  let saved: Record<string, string | undefined> = {};
  let buckets = 0;

  before(async () => {
    saved = Object.fromEntries(CREDENTIAL_VARS.map((name) => [name, process.env[name]]));
    for (const name of CREDENTIAL_VARS) delete process.env[name];
    server = await startMinio();
    admin = minioClient(server);
    process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
  });
  after(async () => {
    admin?.destroy();
    await server?.stop();
    restoreEnv(saved);
  });

  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("MinIO fixture used outside its tests");
    return value;
  };
  return {
    get server() {
      return need(server);
    },
    get admin() {
      return need(admin);
    },
    settings: (overrides = {}) => ({
      endpoint: need(server).endpoint,
      region: "us-east-1",
      ...overrides,
    }),
    bucket: async (versioned = true) => {
      buckets += 1;
      const name = `test-${buckets}-${randomBytes(4).toString("hex")}`;
      await createBucket(need(server), name, versioned);
      return name;
    },
  };
}

/** Runs `fn` with environment variables set (undefined deletes), then restores them. */
export async function withEnv<T>(
  vars: Record<string, string | undefined>,
  fn: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  restoreEnv(vars);
  try {
    return await fn();
  } finally {
    restoreEnv(saved);
  }
}

function restoreEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
