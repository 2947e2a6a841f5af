import type { S3Client } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../../shared/errors";
import { requireVersionId } from "../bucket";
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
    const versionId = requireVersionId(existing.versionId, uri, wanted.bucket);
    log(`${uri} already holds this zip (sha256 ${wanted.sha256}); adopted version ${versionId}`);
    return { versionId, adopted: true };
  }
  const theirs = existing.sha256 ?? "unknown: not written by this tool";
  throw new LambdaPackageError(
    "IMMUTABLE_KEY_TAKEN",
    `${uri} already holds other content (sha256 ${theirs}; this zip's is ${wanted.sha256}) and ` +
      `the object is immutable. Nothing was written. Give a new key or version, or delete the ` +
      `object if it is really unused.`,
  );
}
