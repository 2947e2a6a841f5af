import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../../shared/errors";
import { Semaphore } from "../../../shared/semaphore";
import { formatBytes } from "../../../shared/format";
import { requireVersionId } from "../bucket";
import { toLambdaPackageError } from "../errors";
import { objectHeaders, type HeaderRequest } from "../headers";
import { assertFileSize, readVerified } from "./artifact";
import { adoptExisting, concurrentWriter, isConditionalFailure } from "./immutable";
import { putMultipart, type ObjectParams } from "./multipart";

export interface UploadRequest extends HeaderRequest {
  /** Bucket name; versioning must be Enabled (see `assertBucketReady`). */
  bucket: string;
  /** Object key, e.g. `lambda/3f2a….zip`. */
  key: string;
  /** Path of the zip to upload. */
  file: string;
  /** Size of the zip in bytes; checked against the file. The `sha256` is checked as it is read. */
  size: number;
  /** Never overwrite a key that holds other content: write with If-None-Match: *. @default false */
  immutable?: boolean;
  /** Bytes above which multipart is used. @default 16 MiB */
  multipartThreshold?: number;
  /** Multipart part size in bytes, at least 5 MiB. @default 8 MiB */
  partSize?: number;
  /** Parts uploaded at once; memory use is about concurrency × partSize. @default 4 */
  concurrency?: number;
  /** Receives progress lines. */
  log?: (line: string) => void;
}

export interface UploadResult {
  /** Version id of the object holding the zip; never "" or "null". */
  versionId: string;
  /** True when `immutable` found identical content already there and kept it. */
  adopted: boolean;
}

const MiB = 1024 * 1024;

/**
 * Uploads the zip as a new object version: one PutObject with a Buffer body
 * up to `multipartThreshold`, a multipart upload of Buffer parts above it. Both send
 * SHA-256 checksums the store verifies, metadata, tags and SSE in the
 * creating request. With `immutable`, an existing key is adopted when its
 * sha256 matches and refused (IMMUTABLE_KEY_TAKEN) otherwise.
 */
export async function uploadArtifact(
  client: S3Client,
  request: UploadRequest,
): Promise<UploadResult> {
  const log = request.log ?? (() => {});
  return UPLOAD_SLOTS.run(
    () => upload(client, request, log),
    (running, ahead) =>
      log(`waiting to upload (${running} uploads running, ${ahead} waiting before this one)`),
  );
}

/**
 * Uploads at once in this process. Each holds up to `concurrency × partSize`
 * of buffers (32 MiB by default) and shares the network with the others;
 * four keep a link busy without a stack of 50 functions holding 1.6 GB.
 */
const UPLOAD_SLOTS = new Semaphore(4);

async function upload(
  client: S3Client,
  request: UploadRequest,
  log: (line: string) => void,
): Promise<UploadResult> {
  const plan = {
    threshold: request.multipartThreshold ?? 16 * MiB,
    partSize: request.partSize ?? 8 * MiB,
    concurrency: request.concurrency ?? 4,
  };
  checkPartSizes(request.size, plan.threshold, plan.partSize, plan.concurrency);
  const headers = objectHeaders(request);
  await assertFileSize(request.file, request);
  const multipart = request.size > plan.threshold;
  if (request.immutable && multipart) {
    // Check first rather than send hundreds of MB to have the completion refused.
    const adopted = await adoptExisting(client, request, log);
    if (adopted) return adopted;
  }
  const checksummed = (await client.config.requestChecksumCalculation()) === "WHEN_SUPPORTED";
  const params: ObjectParams = {
    Bucket: request.bucket,
    Key: request.key,
    ...headers,
    ...(checksummed && { ChecksumAlgorithm: "SHA256" as const }),
    ...(request.immutable && { IfNoneMatch: "*" }),
  };
  const uri = `s3://${request.bucket}/${request.key}`;
  const how = multipart
    ? `multipart, ${Math.ceil(request.size / plan.partSize)} parts of ${formatBytes(plan.partSize)}`
    : "one PUT";
  const condition = request.immutable ? ", only if absent" : "";
  log(`uploading ${request.file} (${formatBytes(request.size)}) to ${uri} (${how}${condition})`);
  const started = performance.now();
  let returned: string | undefined;
  try {
    returned = multipart
      ? await putMultipart(client, params, { ...request, ...plan, log })
      : await putSingle(client, params, request, checksummed);
  } catch (error) {
    return await afterFailure(client, request, error, multipart ? "MultipartUpload" : "PutObject");
  }
  const versionId = requireVersionId(returned, uri, request.bucket);
  const elapsed = (performance.now() - started) / 1000;
  const rate = (request.size / MiB / Math.max(elapsed, 1e-3)).toFixed(1);
  log(`uploaded ${uri} in ${elapsed.toFixed(2)} s (${rate} MiB/s): version ${versionId}`);
  return { versionId, adopted: false };
}

/** A refused conditional write of an immutable key decides by the key's content; else the error. */
async function afterFailure(
  client: S3Client,
  request: UploadRequest,
  error: unknown,
  action: string,
): Promise<UploadResult> {
  if (!(request.immutable && isConditionalFailure(error))) {
    throw toLambdaPackageError(error, { action, bucket: request.bucket, key: request.key });
  }
  const adopted = await adoptExisting(client, request, request.log ?? (() => {}));
  if (adopted) return adopted;
  throw concurrentWriter(request, error);
}

async function putSingle(
  client: S3Client,
  params: ObjectParams,
  request: UploadRequest,
  checksummed: boolean,
): Promise<string | undefined> {
  // A Buffer body, never a stream: the SDK retries Buffers but not streams (#5479, #6770).
  const body = await readVerified(request.file, request);
  const output = await client.send(
    new PutObjectCommand({
      ...params,
      Body: body,
      ContentLength: body.length,
      // The whole-object hash is known: the store verifies exactly what we claim.
      ...(checksummed && { ChecksumSHA256: request.sourceCodeHash }),
    }),
  );
  return output.VersionId;
}

const GiB = 1024 * MiB;
// S3's limits: parts of 5 MiB to 5 GiB, at most 10,000 of them; one PUT up to 5 GiB.
const MIN_PART = 5 * MiB;
const MAX_PART = 5 * GiB;
const MAX_PARTS = 10_000;
const MAX_PUT = 5 * GiB;

/** Checks sizes and multipart settings against S3's limits before any request. */
function checkPartSizes(
  size: number,
  threshold: number,
  partSize: number,
  concurrency: number,
): void {
  if (!Number.isSafeInteger(size) || size < 0) throw invalid("size", `${size} is not a byte count`);
  if (!Number.isSafeInteger(threshold) || threshold < 0 || threshold > MAX_PUT) {
    throw invalid("multipartThreshold", `${threshold} must be 0 to 5 GiB`);
  }
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART || partSize > MAX_PART) {
    throw invalid("partSize", `${partSize} must be 5 MiB to 5 GiB`);
  }
  if (size > threshold && Math.ceil(size / partSize) > MAX_PARTS) {
    throw invalid(
      "partSize",
      `${partSize} would split ${size} bytes into more than ${MAX_PARTS} parts; raise it`,
    );
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw invalid("concurrency", `${concurrency} must be an integer from 1 to 64`);
  }
}

function invalid(field: string, what: string): LambdaPackageError {
  return new LambdaPackageError("S3_OBJECT_INVALID", `${field}: ${what}.`);
}
