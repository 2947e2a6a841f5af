import type { S3Client } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../../shared/errors";
import { codeOf, statusOf } from "../errors";
import { headLatest, type LatestVersion } from "../object";

/** The request fields the immutable checks read. */
interface Wanted {
  bucket: string;
  key: string;
  sha256: string;
}

export interface Adopted {
  versionId: string;
  adopted: true;
}

/** 412: the key exists. 409: a concurrent conditional write to the key is in progress. */
export function isConditionalFailure(error: unknown): boolean {
  const status = statusOf(error);
  const code = codeOf(error);
  return (
    status === 412 ||
    status === 409 ||
    code === "PreconditionFailed" ||
    code === "ConditionalRequestConflict"
  );
}

/** The key's current content decides: our zip → adopt its version; anything else → refuse. */
export async function adoptExisting(
  client: S3Client,
  wanted: Wanted,
  log: (line: string) => void,
): Promise<Adopted | undefined> {
  const existing = await headLatest(client, wanted.bucket, wanted.key);
  return existing && adoptOrRefuse(wanted, existing, log);
}

/** After a refused conditional write found nothing at the key: someone is writing it now. */
export function concurrentWriter(wanted: Wanted, error: unknown): LambdaPackageError {
  return new LambdaPackageError(
    "IMMUTABLE_KEY_CONFLICT",
    `s3://${wanted.bucket}/${wanted.key}: another writer is creating this key right now ` +
      `(${codeOf(error)}); nothing was written. Run again to adopt or refuse its content.`,
    { cause: error },
  );
}

function adoptOrRefuse(
  wanted: Wanted,
  existing: LatestVersion,
  log: (line: string) => void,
): Adopted {
  const uri = `s3://${wanted.bucket}/${wanted.key}`;
  if (existing.sha256 === wanted.sha256) {
    if (!existing.versionId || existing.versionId === "null")
      throw notVersioned(uri, wanted.bucket);
    log(
      `${uri} already holds this zip (sha256 ${wanted.sha256}); adopted version ${existing.versionId}`,
    );
    return { versionId: existing.versionId, adopted: true };
  }
  const theirs = existing.sha256 ?? "unknown: not written by this tool";
  throw new LambdaPackageError(
    "IMMUTABLE_KEY_TAKEN",
    `${uri} already holds other content (sha256 ${theirs}; this zip's is ${wanted.sha256}) and ` +
      `the object is immutable. Nothing was written. Give a new key or version, or delete the ` +
      `object if it is really unused.`,
  );
}

/** The store answered without a version id: the object is not pinned and can be overwritten. */
export function notVersioned(uri: string, bucket: string): LambdaPackageError {
  return new LambdaPackageError(
    "VERSIONING_NOT_ENABLED",
    `${uri} has no version id: bucket "${bucket}" does not have versioning Enabled, so the ` +
      `object can be overwritten in place. Enable it (aws s3api put-bucket-versioning --bucket ` +
      `${bucket} --versioning-configuration Status=Enabled) and run again.`,
  );
}
