import { LambdaPackageError } from "../../shared/errors";

/** IAM actions behind the S3 operations we call, for access-denied hints. */
const PERMISSIONS: Record<string, string> = {
  HeadBucket: "s3:ListBucket",
  GetBucketVersioning: "s3:GetBucketVersioning",
  PutObject: "s3:PutObject (and s3:PutObjectTagging with tags)",
  MultipartUpload: "s3:PutObject and s3:AbortMultipartUpload",
  HeadObject: "s3:GetObject and s3:GetObjectVersion",
  GetObject: "s3:GetObject (and s3:GetObjectVersion for a version id)",
  DeleteObject: "s3:DeleteObjectVersion",
  CopyObject:
    "s3:GetObjectVersion on the source and s3:PutObject (and s3:PutObjectTagging) on the target",
};

/** What failed, for messages: `action` is the S3 operation. */
export interface S3ErrorContext {
  action: string;
  /** From `describeTarget` where the settings are known. @default `bucket "<bucket>"` */
  target?: string;
  bucket: string;
  key?: string;
}

/** The parts of an SDK error we read; SDK errors are plain objects with these fields. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const CREDENTIAL_CODES = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidToken",
  "TokenRefreshRequired",
  "InvalidClientTokenId",
  "CredentialsProviderError",
]);

const CREDENTIAL_HINT =
  "Check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE " +
  "(run `aws sso login` when a session expired), and that the endpoint is the store the keys belong to.";

/** HTTP status of an SDK error, if it got as far as a response. */
export function statusOf(error: unknown): number | undefined {
  return (error as SdkErrorShape)?.$metadata?.httpStatusCode;
}

/** S3 error code (`NoSuchKey`, `PreconditionFailed`, ...) or the Node error code (`ECONNRESET`). */
export function codeOf(error: unknown): string {
  const shape = error as SdkErrorShape;
  // HEAD answers have no body; MinIO still names the code in a header.
  const header = shape?.$response?.headers?.["x-minio-error-code"];
  if (header) return header;
  // The SDK names socket failures TimeoutError; the Node code says what happened.
  if (shape?.code && /^E[A-Z_]+$/.test(shape.code)) return shape.code;
  return shape?.name && shape.name !== "Error" ? shape.name : (shape?.code ?? "Error");
}

function messageOf(error: unknown): string | undefined {
  const shape = error as SdkErrorShape;
  const header = shape?.$response?.headers?.["x-minio-error-desc"];
  if (header) return header.replace(/^"|"$/g, "").replace(/\.$/, "");
  if (
    !shape?.message ||
    shape.message === "UnknownError" ||
    shape.message.endsWith(codeOf(error))
  ) {
    return undefined;
  }
  return shape.message.replace(/\.$/, "");
}

/** One line describing an SDK error: code, HTTP status, attempts, message. */
export function describeSdkError(error: unknown): string {
  if (error instanceof LambdaPackageError) return error.message;
  const shape = error as SdkErrorShape;
  const status = statusOf(error);
  const attempts = shape?.$metadata?.attempts;
  const parts = [codeOf(error)];
  if (status !== undefined) parts.push(`HTTP ${status}`);
  if (attempts !== undefined && attempts > 1) parts.push(`after ${attempts} attempts`);
  const message = messageOf(error);
  // A HEAD error without a code is all AWS gives: say so rather than print "Unknown".
  if (parts[0] === "Unknown") parts[0] = "no error code (HEAD responses have no body)";
  return `${parts.join(", ")}${message ? `: ${message}` : ""}`;
}

/**
 * Maps an SDK error to the `LambdaPackageError` a user can act on. Errors
 * already mapped pass through, so callers can wrap whole sequences.
 */
export function toLambdaPackageError(error: unknown, context: S3ErrorContext): LambdaPackageError {
  if (error instanceof LambdaPackageError) return error;
  const code = codeOf(error);
  const status = statusOf(error);
  const detail = describeSdkError(error);
  const target = context.target ?? `bucket "${context.bucket}"`;
  const where = context.key
    ? `s3://${context.bucket}/${context.key}${context.target ? ` (${context.target})` : ""}`
    : target;
  if (CREDENTIAL_CODES.has(code) || /could not load credentials/i.test(String(detail))) {
    return new LambdaPackageError(
      "CREDENTIALS",
      `${context.action} on ${where} failed: the AWS credentials are missing or were rejected (${detail}). ${CREDENTIAL_HINT}`,
      { cause: error },
    );
  }
  if (code === "NoSuchBucket" || (status === 404 && context.action === "HeadBucket")) {
    return new LambdaPackageError(
      "BUCKET_NOT_FOUND",
      `${target} does not exist (${context.action}: ${detail}). Create it with versioning ` +
        `enabled, or fix \`bucket\`, \`region\` or \`endpoint\`.`,
      { cause: error },
    );
  }
  const region = (error as SdkErrorShape)?.$response?.headers?.["x-amz-bucket-region"];
  if (status === 301 || code === "PermanentRedirect" || code === "AuthorizationHeaderMalformed") {
    const hint = region
      ? `it is in region ${region}; set \`region\` to "${region}"`
      : "set `region`";
    return new LambdaPackageError(
      "BUCKET_WRONG_REGION",
      `${target} is not in that region (${detail}): ${hint}.`,
      { cause: error },
    );
  }
  if (code === "AccessDenied" || status === 403) {
    const permission = PERMISSIONS[context.action] ?? `s3:${context.action}`;
    const vague =
      code === "AccessDenied" ? "" : " (or the credentials are not valid for this store)";
    return new LambdaPackageError(
      "ACCESS_DENIED",
      `${context.action} on ${where} was denied${vague}: ${detail}. The identity needs ` +
        `${permission} on the bucket (and kms:GenerateDataKey for aws:kms encryption).`,
      { cause: error },
    );
  }
  const hint = hintFor(code);
  return new LambdaPackageError(
    "S3_REQUEST_FAILED",
    `${context.action} on ${where} failed: ${detail}.${hint}`,
    { cause: error },
  );
}

function hintFor(code: string): string {
  if (/^E[A-Z_]+$/.test(code) || code === "TimeoutError") {
    return " The connection to the store failed; check the endpoint and network, then run again.";
  }
  if (code === "XAmzContentChecksumMismatch" || code === "BadDigest" || code === "InvalidDigest") {
    return " The store received other bytes than were sent and kept nothing; run again.";
  }
  return "";
}
