import { GetObjectCommand, ListObjectVersionsCommand, S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { after, before } from "node:test";
import { startMinio, type MinioServer } from "../../scripts/minio";

/**
 * Starts a MinIO for the current test file and points the ambient AWS chain
 * at it (the provider never takes credentials as inputs). Stopped in `after`.
 */
export function useMinio(): { server: () => MinioServer; s3: () => S3Client } {
  let server: MinioServer | undefined;
  let client: S3Client | undefined;
  const saved = { ...process.env };
  before(async () => {
    server = await startMinio();
    process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
    process.env.AWS_REGION = server.region;
    delete process.env.AWS_PROFILE;
    client = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: server.region,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  });
  after(async () => {
    client?.destroy();
    await server?.stop();
    for (const name of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_REGION",
      "AWS_PROFILE",
    ]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  return { server: () => server!, s3: () => client! };
}

export async function download(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<Buffer> {
  const response = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return Buffer.from(await response.Body!.transformToByteArray());
}

export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

export async function versionsOf(s3: S3Client, bucket: string, key: string) {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return {
    versions: (listed.Versions ?? []).filter((v) => v.Key === key),
    deleteMarkers: (listed.DeleteMarkers ?? []).filter((m) => m.Key === key),
  };
}
