import { LambdaPackageError } from "../../engine/errors";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
// S3's limits: parts of 5 MiB to 5 GiB, at most 10,000 of them; one PUT up to 5 GiB.
const MIN_PART = 5 * MiB;
const MAX_PART = 5 * GiB;
const MAX_PARTS = 10_000;
const MAX_PUT = 5 * GiB;

/** Checks sizes and multipart settings against S3's limits before any request. */
export function checkPartSizes(
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
