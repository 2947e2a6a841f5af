import { CopyObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { requireVersionId } from "./bucket";
import { toLambdaPackageError } from "./errors";
import { objectHeaders, type HeaderRequest } from "./headers";

/** A server-side copy of one pinned version to a key, with the headers of a fresh write. */
export interface CopyRequest extends HeaderRequest {
  /** The version copied: never "the latest", which could change between a check and the copy. */
  source: { bucket: string; key: string; versionId: string };
  bucket: string;
  key: string;
}

/**
 * Writes a new version of `key` holding the bytes of `source`, without them
 * passing through this machine (CopyObject). Metadata and tags are replaced,
 * not copied, from the same header builder as every upload; the store
 * computes a SHA-256 checksum of the copy. Returns the new version id.
 */
export async function copyVersion(client: S3Client, request: CopyRequest): Promise<string> {
  const { source } = request;
  const headers = objectHeaders(request);
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
      }),
    );
    return requireVersionId(
      output.VersionId,
      `s3://${request.bucket}/${request.key}`,
      request.bucket,
    );
  } catch (error) {
    throw toLambdaPackageError(error, {
      action: "CopyObject",
      bucket: request.bucket,
      key: request.key,
    });
  }
}
