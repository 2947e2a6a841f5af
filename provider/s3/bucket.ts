import { GetBucketVersioningCommand, HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../shared/errors";
import { describeTarget, resolveEndpoint, type S3Settings } from "./settings";
import { statusOf, toLambdaPackageError } from "./errors";

/**
 * Checks the bucket exists and has versioning Enabled, before anything is
 * packaged or uploaded: HeadBucket, then GetBucketVersioning.
 * Missing bucket → BUCKET_NOT_FOUND; versioning off or suspended →
 * VERSIONING_NOT_ENABLED (with the command that enables it); rejected or
 * missing credentials → CREDENTIALS; denied → ACCESS_DENIED.
 */
export async function assertBucketReady(
  client: S3Client,
  bucket: string,
  settings: S3Settings,
): Promise<void> {
  const target = describeTarget(settings, bucket);
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    // A deploy role without s3:ListBucket gets 403 here yet may upload; a HEAD
    // answer also has no body to tell bad keys from denial. GetBucketVersioning,
    // which the upload needs anyway, decides and names the real error code.
    if (statusOf(error) !== 403)
      throw toLambdaPackageError(error, { action: "HeadBucket", target, bucket });
  }
  let status: string | undefined;
  try {
    ({ Status: status } = await client.send(new GetBucketVersioningCommand({ Bucket: bucket })));
  } catch (error) {
    throw toLambdaPackageError(error, { action: "GetBucketVersioning", target, bucket });
  }
  if (status !== "Enabled") {
    const state = status === undefined ? "never enabled" : `"${status}"`;
    throw versioningNotEnabled(
      `${target} has versioning ${state}`,
      bucket,
      resolveEndpoint(settings),
    );
  }
}

/**
 * A bucket without versioning, found by the bucket check or by a write that
 * came back without a version id: `finding` says which; the rest says why it
 * matters and gives the command that fixes it.
 */
export function versioningNotEnabled(
  finding: string,
  bucket: string,
  endpoint?: string,
): LambdaPackageError {
  const command =
    `aws s3api put-bucket-versioning --bucket ${bucket} ` +
    `--versioning-configuration Status=Enabled${endpoint ? ` --endpoint-url ${endpoint}` : ""}`;
  return new LambdaPackageError(
    "VERSIONING_NOT_ENABLED",
    `${finding}; Lambda code must be pinned to an object version, so versioning must be ` +
      `Enabled. Enable it with: ${command}`,
  );
}

/** The version id a write returned; a bucket that gave none has no versioning. */
export function requireVersionId(
  versionId: string | undefined,
  uri: string,
  bucket: string,
): string {
  if (versionId && versionId !== "null") return versionId;
  throw versioningNotEnabled(
    `${uri} has no version id: bucket "${bucket}" does not have versioning Enabled, so the ` +
      `object can be overwritten in place`,
    bucket,
  );
}
