import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";

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

/**
 * Puts other bytes behind a build cache entry's metadata, as a careless hand or tool could leave
 * them: the entry still claims its sha256, and only a check of the bytes finds out.
 */
export async function corruptCacheEntry(s3: S3Client, bucket: string, buildKey: string) {
  const entry = `lambda-package-cache/${buildKey}.zip`;
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: entry }));
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: entry,
      Body: "not a zip",
      Metadata: head.Metadata,
    }),
  );
}
