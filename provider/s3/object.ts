import { createHash } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../shared/errors";
import { codeOf, statusOf, toLambdaPackageError } from "./errors";
import { META_SHA256, META_SOURCE_KEY } from "./headers";

/** What a stored object version says about itself. */
export interface StoredVersion {
  /** Hex SHA-256 of the zip from our `sha256` metadata; absent on objects we did not write. */
  sha256?: string;
  /** The `sourceKey` it was uploaded for, from our `source-key` metadata. */
  sourceKey?: string;
  /** Size in bytes. */
  size: number;
  /** All user metadata, keys lower-case. */
  metadata: Record<string, string>;
  /**
   * The store's own SHA-256 of the bytes, base64, when it keeps a full-object one (written with
   * a SHA-256 checksum in one request, or copied from such an object); a multipart composite
   * checksum (`…-N`) is not one and is left out.
   */
  checksumSha256?: string;
}

/** The latest version of a key, with its id: what an immutable write collided with. */
export interface LatestVersion extends StoredVersion {
  versionId?: string;
}

// 404: key or version gone. 405: the version is a delete marker. MinIO
// answers 400 for a version id it cannot parse, which cannot exist either.
const GONE_STATUSES = new Set([404, 405]);
const GONE_CODES = new Set(["NotFound", "NoSuchKey", "NoSuchVersion", "MethodNotAllowed"]);

function isGone(error: unknown): boolean {
  return GONE_STATUSES.has(statusOf(error) ?? 0) || GONE_CODES.has(codeOf(error));
}

/**
 * HeadObject with VersionId; undefined when that version (or the key) is gone
 * from a bucket that is there. A missing bucket is BUCKET_NOT_FOUND: a store
 * without the bucket is more likely the wrong store than a deleted object.
 */
export async function headVersion(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<StoredVersion | undefined> {
  const found = await head(client, bucket, key, versionId);
  return found && storedVersion(found);
}

/** HeadObject of the key's current version; undefined when there is none (or a delete marker). */
export async function headLatest(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<LatestVersion | undefined> {
  const found = await head(client, bucket, key, undefined);
  return found && { ...storedVersion(found), versionId: found.VersionId };
}

async function head(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string | undefined,
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await client.send(
      new HeadObjectCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId,
        ChecksumMode: "ENABLED",
      }),
    );
  } catch (error) {
    const context = { action: "HeadObject", bucket, key };
    // Only a missing key or version in a bucket that is there means gone. HEAD
    // answers carry no body, so a missing bucket is a bare 404 too: ask.
    if (isGone(error) && !(await bucketMissing(client, bucket, error))) return undefined;
    throw toLambdaPackageError(error, context);
  }
}

async function bucketMissing(client: S3Client, bucket: string, error: unknown): Promise<boolean> {
  if (codeOf(error) === "NoSuchBucket") return true;
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch (headBucket) {
    // 403: the bucket is there but listing is not allowed; only 404 says it is not.
    if (statusOf(headBucket) !== 404) return false;
    throw toLambdaPackageError(headBucket, { action: "HeadBucket", bucket });
  }
}

function storedVersion(output: HeadObjectCommandOutput): StoredVersion {
  const metadata = output.Metadata ?? {};
  const checksum = output.ChecksumSHA256;
  return {
    sha256: metadata[META_SHA256],
    sourceKey: metadata[META_SOURCE_KEY],
    size: output.ContentLength ?? 0,
    metadata,
    checksumSha256: checksum && !checksum.includes("-") ? checksum : undefined,
  };
}

/** SHA-256 (hex) of a version's bytes, streamed: for objects whose checksum the store does not keep. */
export async function hashVersion(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<string> {
  const hash = createHash("sha256");
  try {
    const { Body } = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
    );
    for await (const chunk of Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  } catch (error) {
    throw toLambdaPackageError(error, { action: "GetObject", bucket, key });
  }
  return hash.digest("hex");
}

/**
 * The text of a key's current version, when it is there and at most
 * `maxBytes` long (a larger one is refused before its body is read):
 * for the small records we keep beside packages.
 */
export async function readSmallObject(
  client: S3Client,
  bucket: string,
  key: string,
  maxBytes: number,
): Promise<string | undefined> {
  try {
    const { Body, ContentLength } = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
    );
    if (ContentLength === undefined || ContentLength > maxBytes) {
      (Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new LambdaPackageError(
        "S3_OBJECT_INVALID",
        `s3://${bucket}/${key} holds ${ContentLength ?? "an unknown number of"} bytes, more than ` +
          `the ${maxBytes} expected of it. Delete it; the next build writes it again.`,
      );
    }
    return await (Body as { transformToString(): Promise<string> }).transformToString();
  } catch (error) {
    if (error instanceof LambdaPackageError) throw error;
    if (isGone(error) && !(await bucketMissing(client, bucket, error))) return undefined;
    throw toLambdaPackageError(error, { action: "GetObject", bucket, key });
  }
}

/** PutObject of a small text record. */
export async function writeSmallObject(
  client: S3Client,
  bucket: string,
  key: string,
  text: string,
): Promise<void> {
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: text,
        ContentType: "application/json",
      }),
    );
  } catch (error) {
    throw toLambdaPackageError(error, { action: "PutObject", bucket, key });
  }
}

/**
 * DeleteObject with VersionId: removes exactly that version. Never a bare
 * key, which would add a delete marker and hide the newest upload. A
 * version (or bucket) that is already gone is not an error.
 */
export async function deleteVersion(
  client: S3Client,
  bucket: string,
  key: string,
  versionId: string,
): Promise<void> {
  if (!versionId || versionId === "null") {
    throw new LambdaPackageError(
      "VERSION_ID_MISSING",
      `versionId of s3://${bucket}/${key} is "${versionId}"; deleting without a real version id ` +
        `would add a delete marker over the key. Delete the version by hand if it must go.`,
    );
  }
  try {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  } catch (error) {
    if (isGone(error) || codeOf(error) === "NoSuchBucket") return;
    throw toLambdaPackageError(error, {
      action: "DeleteObject",
      bucket,
      key,
    });
  }
}

/**
 * Where a person looks at the object: AWS's console page
 * (`https://s3.console.aws.amazon.com/s3/object/<bucket>?region=<r>&prefix=<key>`), or, for an
 * object in another store (`endpoint` not AWS's), its path-style URL there: S3-compatible
 * stores have consoles of their own, at addresses we cannot know.
 */
export function consoleUrl(bucket: string, key: string, region: string, endpoint = ""): string {
  if (endpoint !== "" && !isAwsEndpoint(endpoint)) {
    const object = [bucket, ...key.split("/")].map(encodeURIComponent).join("/");
    return `${endpoint.replace(/\/+$/, "")}/${object}`;
  }
  const query = `region=${encodeURIComponent(region)}&prefix=${encodeURIComponent(key)}`;
  return `https://s3.console.aws.amazon.com/s3/object/${encodeURIComponent(bucket)}?${query}`;
}

/** An endpoint of AWS's own S3 (a regional, FIPS or dual-stack one given explicitly). */
function isAwsEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return /(^|\.)amazonaws\.com(\.cn)?$/.test(host);
}
