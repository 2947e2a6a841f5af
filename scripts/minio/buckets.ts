import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";

/** Where an S3 API answers and the credentials it accepts; a `MinioServer` is one. */
export interface S3Endpoint {
  /** Base URL, e.g. `http://127.0.0.1:9000`; addressed path-style. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary credentials. @default none */
  sessionToken?: string;
}

/** An S3 client with the server's root credentials, for harness and test assertions. */
export function minioClient(server: S3Endpoint): S3Client {
  const { endpoint, region, accessKeyId, secretAccessKey, sessionToken } = server;
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey, sessionToken },
  });
}

async function withClient<T>(server: S3Endpoint, fn: (client: S3Client) => Promise<T>) {
  const client = minioClient(server);
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

function enableVersioning(client: S3Client, name: string) {
  return client.send(
    new PutBucketVersioningCommand({
      Bucket: name,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
}

/** CreateBucket, with versioning Enabled unless `versioned` is false. */
export async function createBucket(
  server: S3Endpoint,
  name: string,
  versioned = true,
): Promise<void> {
  await withClient(server, async (client) => {
    await client.send(new CreateBucketCommand({ Bucket: name }));
    if (versioned) await enableVersioning(client, name);
  });
}

/** CreateBucket + PutBucketVersioning Enabled. */
export function createVersionedBucket(server: S3Endpoint, name: string): Promise<void> {
  return createBucket(server, name, true);
}

/**
 * Creates `name` unless it exists, then enables versioning either way;
 * "existed" when the bucket was already there (its versioning may have been off).
 */
export function ensureVersionedBucket(
  server: S3Endpoint,
  name: string,
): Promise<"created" | "existed"> {
  return withClient(server, async (client) => {
    let outcome: "created" | "existed" = "existed";
    // HeadBucket first: AWS's us-east-1 answers 200 to re-creating an owned bucket.
    const exists = await client.send(new HeadBucketCommand({ Bucket: name })).then(
      () => true,
      (error: { name?: string }) => {
        if (error.name === "NotFound" || error.name === "NoSuchBucket") return false;
        throw error;
      },
    );
    if (!exists) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
        outcome = "created";
      } catch (error) {
        // Someone else made it between HeadBucket and CreateBucket: fine, it is ours.
        if ((error as { name?: string }).name !== "BucketAlreadyOwnedByYou") throw error;
      }
    }
    await enableVersioning(client, name);
    return outcome;
  });
}

/** Deletes every version, delete marker and open multipart upload in `name`, then the bucket. */
export function deleteBucket(server: S3Endpoint, name: string): Promise<void> {
  return withClient(server, async (client) => {
    for (;;) {
      const listed = await client.send(new ListObjectVersionsCommand({ Bucket: name }));
      const entries = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])];
      for (const { Key, VersionId } of entries) {
        await client.send(new DeleteObjectCommand({ Bucket: name, Key, VersionId }));
      }
      if (!listed.IsTruncated) break;
    }
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: name }));
    for (const { Key, UploadId } of uploads.Uploads ?? []) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: name, Key, UploadId }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: name }));
  });
}
