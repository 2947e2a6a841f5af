import { CopyObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { requireVersionId } from "./bucket";
import { toLambdaPackageError } from "./errors";
import { objectHeaders, type HeaderRequest } from "./headers";
import { adoptExisting, concurrentWriter, isConditionalFailure } from "./upload/immutable";

/** A server-side copy of one pinned version to a key, with the headers of a fresh write. */
export interface CopyRequest extends HeaderRequest {
  /** The version copied: never "the latest", which could change between a check and the copy. */
  source: { bucket: string; key: string; versionId: string };
  bucket: string;
  key: string;
  /** Never overwrite a key that holds other content, as `uploadArtifact` does. @default false */
  immutable?: boolean;
  /** Receives what happened, one line each. */
  log?: (line: string) => void;
}

/**
 * Writes a new version of `key` holding the bytes of `source`, without them
 * passing through this machine (CopyObject). Metadata and tags are replaced,
 * not copied, from the same header builder as every upload; the store
 * computes a SHA-256 checksum of the copy. With `immutable`, a key that
 * holds the same sha256 already is adopted and one that holds other content
 * is refused (stores that ignore If-None-Match on a copy are checked first).
 * Returns the version id.
 */
export async function copyVersion(client: S3Client, request: CopyRequest): Promise<string> {
  const { source } = request;
  const log = request.log ?? (() => {});
  const headers = objectHeaders(request);
  if (request.immutable) {
    const adopted = await adoptExisting(client, request, log);
    if (adopted) return adopted.versionId;
  }
  const checksummed = (await client.config.requestChecksumCalculation()) === "WHEN_SUPPORTED";
  const copySource =
    `${encodeURIComponent(source.bucket)}/${source.key.split("/").map(encodeURIComponent).join("/")}` +
    `?versionId=${encodeURIComponent(source.versionId)}`;
  try {
    const output = await client.send(
      new CopyObjectCommand({
        Bucket: request.bucket,
        Key: request.key,
        CopySource: copySource,
        ...headers,
        MetadataDirective: "REPLACE",
        TaggingDirective: "REPLACE",
        ...(checksummed && { ChecksumAlgorithm: "SHA256" as const }),
        ...(request.immutable && { IfNoneMatch: "*" }),
      }),
    );
    const uri = `s3://${request.bucket}/${request.key}`;
    const versionId = requireVersionId(output.VersionId, uri, request.bucket);
    log(
      `copied s3://${source.bucket}/${source.key} (version ${source.versionId}) to ${uri}: version ${versionId}`,
    );
    return versionId;
  } catch (error) {
    if (request.immutable && isConditionalFailure(error)) {
      const adopted = await adoptExisting(client, request, log);
      if (adopted) return adopted.versionId;
      throw concurrentWriter(request, error);
    }
    throw toLambdaPackageError(error, {
      action: "CopyObject",
      bucket: request.bucket,
      key: request.key,
    });
  }
}
