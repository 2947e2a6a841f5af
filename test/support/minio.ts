import { after, before } from "node:test";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { randomBytes } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Settings } from "../../provider/s3";
import {
  createBucket,
  deleteBucket,
  minioClient,
  startMinio,
  type MinioServer,
  type S3Endpoint,
} from "../../scripts/minio";
import { openUploads } from "./artifacts";
import { externalS3 } from "./external-s3";
import { download, versionsOf } from "./s3";

/** An S3 store for one test file, ready in `before` and cleaned up in `after`. */
export interface MinioFixture<Server extends S3Endpoint = S3Endpoint> {
  readonly server: Server;
  /** Root-credential client for assertions (ListObjectVersions, GetObject, ...). */
  readonly admin: S3Client;
  /** Settings for `createS3Client` pointing at the server. */
  settings(overrides?: Partial<S3Settings>): S3Settings;
  /** Creates a bucket with a fresh name (versioning Enabled unless `versioned` is false). */
  bucket(versioned?: boolean): Promise<string>;
  /** The versions and delete markers of exactly `key`, as `admin` lists them. */
  versionsOf(bucket: string, key: string): ReturnType<typeof versionsOf>;
  /** The bytes of a version of `key` (the latest when `versionId` is undefined). */
  download(bucket: string, key: string, versionId?: string): Promise<Buffer>;
  /** Multipart uploads still open in the bucket. */
  openUploads(bucket: string): ReturnType<typeof openUploads>;
}

export interface MinioFixtureOptions {
  /**
   * Always start a MinIO of the file's own, ignoring LAMBDA_PACKAGE_TEST_S3_ENDPOINT:
   * for tests that kill and restart the server. @default false
   */
  ownServer?: boolean;
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
 * Registers `before`/`after` hooks that start MinIO (or use the external endpoint,
 * see `externalS3`) and point the SDK's default credential chain (environment
 * variables) at it, as a user's shell would after `eval "$(npm run -s minio -- start)"`.
 */
export function minioFixture(
  options: MinioFixtureOptions & { ownServer: true },
): MinioFixture<MinioServer>;
export function minioFixture(options?: MinioFixtureOptions): MinioFixture;
export function minioFixture(options: MinioFixtureOptions = {}): MinioFixture {
  let server: MinioServer | undefined;
  let target: S3Endpoint | undefined;
  let admin: S3Client | undefined;
  let saved: Record<string, string | undefined> = {};
  const buckets: string[] = [];

  before(async () => {
    const external = options.ownServer ? undefined : externalS3();
    saved = Object.fromEntries(CREDENTIAL_VARS.map((name) => [name, process.env[name]]));
    for (const name of CREDENTIAL_VARS) delete process.env[name];
    target = external ?? (server = await startMinio());
    admin = minioClient(target);
    process.env.AWS_ACCESS_KEY_ID = target.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = target.secretAccessKey;
    if (target.sessionToken) process.env.AWS_SESSION_TOKEN = target.sessionToken;
  });
  after(async () => {
    admin?.destroy();
    // An own server's data dir goes with it; an external store keeps what is not deleted.
    if (!server && target) for (const name of buckets) await deleteBucket(target, name);
    await server?.stop();
    restoreEnv(saved);
  });

  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("MinIO fixture used outside its tests");
    return value;
  };
  return {
    get server() {
      return need(target);
    },
    get admin() {
      return need(admin);
    },
    settings: (overrides = {}) => ({
      endpoint: need(target).endpoint,
      region: need(target).region,
      ...overrides,
    }),
    bucket: async (versioned = true) => {
      const name = `test-${buckets.length + 1}-${randomBytes(4).toString("hex")}`;
      await createBucket(need(target), name, versioned);
      buckets.push(name);
      return name;
    },
    versionsOf: (bucket, key) => versionsOf(need(admin), bucket, key),
    download: (bucket, key, versionId) => download(need(admin), bucket, key, versionId),
    openUploads: (bucket) => openUploads(need(admin), bucket),
  };
}

/** Runs `fn` with environment variables set (undefined deletes), then restores them. */
export async function withEnv<T>(
  vars: Record<string, string | undefined>,
  fn: () => T | Promise<T>,
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

/**
 * Temporary credentials for the fixture's server, limited by an IAM session
 * policy (STS AssumeRole): how a test gets an identity that may not do
 * everything, e.g. write one prefix.
 */
export async function restrictedCredentials(
  server: S3Endpoint,
  policy: object,
): Promise<Record<string, string>> {
  const sts = new STSClient({
    endpoint: server.endpoint,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:xxx:xxx:xxx:xxxx",
        RoleSessionName: "restricted",
        Policy: JSON.stringify(policy),
        DurationSeconds: 900,
      }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken)
      throw new Error("AssumeRole returned no credentials");
    return {
      AWS_ACCESS_KEY_ID: Credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: Credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: Credentials.SessionToken,
    };
  } finally {
    sts.destroy();
  }
}

/** Credentials that may do anything in the store except write `bucket`'s build cache prefix. */
export function cacheWriteDenied(
  server: S3Endpoint,
  bucket: string,
): Promise<Record<string, string>> {
  return restrictedCredentials(server, {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::*"] },
      {
        Effect: "Deny",
        Action: ["s3:PutObject"],
        Resource: [`arn:aws:s3:::${bucket}/lambda-package-cache/*`],
      },
    ],
  });
}
