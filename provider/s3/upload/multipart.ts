import { setTimeout as sleep } from "node:timers/promises";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { onInterrupt } from "../../../shared/interrupt";
import { codeOf, describeSdkError, statusOf } from "../errors";
import { uploadParts, type PartOptions } from "./parts";

/** PutObject's input without a body: what both upload paths send. */
export type ObjectParams = Omit<PutObjectCommandInput, "Body"> & { Bucket: string; Key: string };

// Backoff for AbortMultipartUpload after a failure, on top of the SDK's
// retries: long enough to outlast a store restart, bounded.
const ABORT_DELAYS_MS = [0, 500, 1000, 2000, 4000];

/**
 * Multipart upload of `options.file`: CreateMultipartUpload with the object's
 * headers (metadata, Tagging, SSE, checksum algorithm), the parts, then
 * CompleteMultipartUpload, which carries `IfNoneMatch` for immutable keys.
 * Any failure aborts the upload, so no parts are left behind. Returns the
 * VersionId of the completed object.
 *
 * Not lib-storage's Upload: it re-buffers a stream body with Buffer.concat
 * into a fresh allocation per part, which profiled as the largest CPU cost
 * (page faults + GC) of a 256 MB upload; parts.ts reads the file straight
 * into a few reused part buffers instead.
 */
export async function putMultipart(
  client: S3Client,
  params: ObjectParams,
  options: PartOptions,
): Promise<string | undefined> {
  // Everything but the completion's condition goes on the creating request;
  // the object's headers come whole from objectHeaders, never field by field.
  const { IfNoneMatch, ...headers } = params;
  const { Bucket, Key, ChecksumAlgorithm } = params;
  const created = await client.send(new CreateMultipartUploadCommand(headers));
  const UploadId = created.UploadId;
  if (!UploadId)
    throw new Error(`CreateMultipartUpload of s3://${Bucket}/${Key} returned no UploadId`);
  // Interrupted (Ctrl-C, a cancelled CI job), the upload is aborted before the
  // process ends, so no parts stay behind in the bucket.
  const abortOnInterrupt = onInterrupt(() =>
    abortUpload(client, { Bucket, Key, UploadId }, options.log),
  );
  try {
    const Parts = await uploadParts(client, { Bucket, Key, UploadId, ChecksumAlgorithm }, options);
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        IfNoneMatch,
        MultipartUpload: { Parts },
      }),
    );
    return completed.VersionId;
  } catch (error) {
    await abortUpload(client, { Bucket, Key, UploadId }, options.log);
    throw error;
  } finally {
    abortOnInterrupt();
  }
}

async function abortUpload(
  client: S3Client,
  input: { Bucket: string; Key: string; UploadId: string },
  log: (line: string) => void,
): Promise<void> {
  let lastError: unknown;
  for (const delay of ABORT_DELAYS_MS) {
    if (delay) await sleep(delay);
    try {
      await client.send(new AbortMultipartUploadCommand(input));
      return;
    } catch (error) {
      // Already gone: a refused completion or an earlier abort removed it.
      if (codeOf(error) === "NoSuchUpload" || statusOf(error) === 404) return;
      lastError = error;
    }
  }
  log(
    `could not abort multipart upload ${input.UploadId} of s3://${input.Bucket}/${input.Key} ` +
      `(${describeSdkError(lastError)}); its parts stay until a lifecycle rule ` +
      `(AbortIncompleteMultipartUpload) or the store expires them`,
  );
}
