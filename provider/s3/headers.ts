/**
 * The headers every write of an object carries, built in one place for all of
 * them (PutObject, CreateMultipartUpload, CopyObject): what we record about
 * the zip, the user's metadata and tags, and encryption. They are checked
 * here before any request, and the provider's `check` runs the same checks in
 * preview, so a bad value never waits for `up`.
 */
import { LambdaPackageError } from "../../shared/errors";

/** Server-side encryption S3 takes: SSE-S3 or SSE-KMS. */
export const SERVER_SIDE_ENCRYPTION = ["AES256", "aws:kms"] as const;
export type ServerSideEncryption = (typeof SERVER_SIDE_ENCRYPTION)[number];

/** Metadata keys this tool writes; `headVersion` reads them back. */
export const META_SHA256 = "sha256";
export const META_SOURCE_KEY = "source-key";
export const META_SOURCE_CODE_HASH = "source-code-hash";
export const META_BUILD_KEY = "build-key";
const RESERVED_METADATA = [META_SHA256, META_SOURCE_KEY, META_SOURCE_CODE_HASH, META_BUILD_KEY];

/** What an object's headers are made from. */
export interface HeaderRequest {
  /** SHA-256 of the zip, hex; stored as metadata `sha256`. */
  sha256: string;
  /** SHA-256 of the zip, base64 (Lambda's `CodeSha256`); stored as metadata `source-code-hash`. */
  sourceCodeHash: string;
  /** The resource's sourceKey; stored as metadata `source-key`. */
  sourceKey: string;
  /** The build key of the package (see `buildIdentity`); stored as metadata `build-key`. */
  buildKey?: string;
  /** User metadata (`x-amz-meta-*`), printable ASCII, 2 KB in all with ours. */
  metadata?: Record<string, string>;
  /** Object tags, at most 10, written atomically with the object. */
  tags?: Record<string, string>;
  /** Server-side encryption. @default the bucket's default */
  serverSideEncryption?: ServerSideEncryption;
  /** KMS key id or ARN for `serverSideEncryption: "aws:kms"`. @default the account's aws/s3 key */
  kmsKeyId?: string;
  /** The object's media type. @default "application/zip" */
  contentType?: string;
}

/** The headers of a write; spread into each command's input as they are. */
export interface ObjectHeaders {
  Metadata: Record<string, string>;
  Tagging?: string;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
  ContentType: string;
}

// S3 counts the UTF-8 bytes of user metadata keys and values against 2 KB.
const METADATA_LIMIT = 2048;
const TAG_LIMIT = 10;
const HEADER_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Letters, digits, spaces and + - = . _ : / @, as S3 documents for tags.
const TAG_CHARACTERS = /^[\p{L}\p{N}\p{Zs}+\-=._:/@]*$/u;

/** Validates everything a write sends besides the body and turns it into headers. */
export function objectHeaders(request: HeaderRequest): ObjectHeaders {
  return {
    Metadata: metadataOf(request),
    Tagging: taggingOf(request.tags),
    ...encryptionOf(request),
    ContentType: request.contentType ?? "application/zip",
  };
}

function metadataOf(request: HeaderRequest): Record<string, string> {
  const ours: Record<string, string> = {
    [META_SHA256]: request.sha256,
    [META_SOURCE_KEY]: request.sourceKey,
    [META_SOURCE_CODE_HASH]: request.sourceCodeHash,
    ...(request.buildKey && { [META_BUILD_KEY]: request.buildKey }),
  };
  if (!PRINTABLE_ASCII.test(request.sourceKey)) {
    throw invalid(
      "sourceKey",
      `"${request.sourceKey}" has characters S3 metadata cannot carry`,
      "use printable ASCII (a commit SHA, a version)",
    );
  }
  const metadata = { ...ours };
  for (const [key, value] of Object.entries(request.metadata ?? {})) {
    const lower = key.toLowerCase();
    if (RESERVED_METADATA.includes(lower)) {
      throw invalid(
        `metadata.${key}`,
        `is written by this tool: ${RESERVED_METADATA.join(", ")} are set by LambdaPackage itself`,
        "rename it",
      );
    }
    if (!HEADER_TOKEN.test(key)) {
      throw invalid(`metadata.${key}`, "is not a valid header name", "use letters, digits and -_.");
    }
    if (lower in metadata)
      throw invalid(`metadata.${key}`, "is given twice (keys are case-insensitive)", "keep one");
    if (typeof value !== "string" || !PRINTABLE_ASCII.test(value)) {
      throw invalid(
        `metadata.${key}`,
        "must be a string of printable ASCII",
        "encode other values (e.g. base64)",
      );
    }
    metadata[lower] = value;
  }
  const bytes = Object.entries(metadata).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  if (bytes > METADATA_LIMIT) {
    throw invalid(
      "metadata",
      `is ${bytes} bytes with ours included; S3 allows ${METADATA_LIMIT}`,
      "shorten or drop entries (tags are another place for labels)",
    );
  }
  return metadata;
}

function taggingOf(tags: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(tags ?? {});
  if (entries.length === 0) return undefined;
  if (entries.length > TAG_LIMIT) {
    throw invalid(
      "tags",
      `has ${entries.length} tags; S3 allows at most ${TAG_LIMIT} per object`,
      "drop some or move them to metadata",
    );
  }
  for (const [key, value] of entries) {
    if ([...key].length < 1 || [...key].length > 128)
      throw invalid(`tags.${key}`, "key must be 1-128 characters", "shorten it");
    if (typeof value !== "string" || [...value].length > 256) {
      throw invalid(
        `tags.${key}`,
        "value must be a string of at most 256 characters",
        "shorten it",
      );
    }
    if (!TAG_CHARACTERS.test(key) || !TAG_CHARACTERS.test(value)) {
      throw invalid(
        `tags.${key}`,
        "has characters S3 does not allow in tags",
        "use letters, digits, spaces and + - = . _ : / @",
      );
    }
    if (key.toLowerCase().startsWith("aws:"))
      throw invalid(`tags.${key}`, "uses the reserved aws: prefix", "rename it");
  }
  // The Tagging header is a URL query string; it applies atomically with the write.
  return entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

function encryptionOf(
  request: HeaderRequest,
): Pick<ObjectHeaders, "ServerSideEncryption" | "SSEKMSKeyId"> {
  const sse = request.serverSideEncryption;
  if (sse !== undefined && !SERVER_SIDE_ENCRYPTION.includes(sse)) {
    throw invalid(
      "serverSideEncryption",
      `"${String(sse)}" is not allowed`,
      `use ${SERVER_SIDE_ENCRYPTION.map((v) => `"${v}"`).join(" or ")}`,
    );
  }
  if (request.kmsKeyId !== undefined && sse !== "aws:kms") {
    throw invalid("kmsKeyId", 'needs serverSideEncryption "aws:kms"', "set it, or drop kmsKeyId");
  }
  return { ServerSideEncryption: sse, SSEKMSKeyId: request.kmsKeyId };
}

/** `field` is the request's path (`metadata.note`); the error names the input it belongs to. */
function invalid(field: string, what: string, fix: string): LambdaPackageError {
  return new LambdaPackageError("S3_OBJECT_INVALID", `${field} ${what}; ${fix}.`, {
    field: field.split(".")[0],
  });
}
