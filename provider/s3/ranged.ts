import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { TAIL_BYTES, type RangedSource } from "../../engine/listing";
import { LambdaPackageError } from "../../shared/errors";
import { codeOf, describeSdkError, statusOf, toLambdaPackageError } from "./errors";
import { formatS3Uri, type ObjectRef } from "./uri";

const MISSING_CODES = new Set(["NoSuchKey", "NoSuchVersion", "NotFound"]);

/**
 * One S3 object version as a ranged source, for `readCentralDirectory`: a
 * zip's file list costs the GET of its tail and, for a directory larger than
 * that, one more of the rest of the directory, never the whole object.
 *
 * The first request is a suffix-range GET of the last `TAIL_BYTES`, which
 * also gives the object's size (from `Content-Range`), so no HEAD is needed;
 * its bytes answer the reader's first read. Later reads are ranged GETs of
 * the same version (the one the first answer came from, when `ref` names
 * none), with `If-Match` on its ETag, so all bytes come from one object.
 *
 * @throws LambdaPackageError `S3_OBJECT_NOT_FOUND` for a key or version that
 *   is not there; the S3 layer's errors (`BUCKET_NOT_FOUND`, `ACCESS_DENIED`,
 *   `CREDENTIALS`, ...) otherwise.
 */
export async function openS3Source(client: S3Client, ref: ObjectRef): Promise<RangedSource> {
  const name = formatS3Uri(ref);
  const first = await get(client, ref, `bytes=-${TAIL_BYTES}`, undefined);
  // An empty object has no last bytes: S3 answers 416 to any range.
  const tail = first ? await body(first, TAIL_BYTES, name) : Buffer.alloc(0);
  const size = first ? totalSize(first.ContentRange, tail.length) : 0;
  const tailStart = size - tail.length;
  const pinned: ObjectRef = { ...ref, versionId: ref.versionId ?? first?.VersionId };
  return {
    name,
    size,
    async read(offset, length) {
      if (offset >= tailStart)
        return tail.subarray(offset - tailStart, offset - tailStart + length);
      const range = `bytes=${offset}-${offset + length - 1}`;
      const output = await get(client, pinned, range, first?.ETag);
      return output ? body(output, length, name) : Buffer.alloc(0);
    },
  };
}

/**
 * The bytes of a ranged GET, at most `max`: a store that ignores `Range`
 * answers with the whole object, which is not read into memory (a 5 GiB
 * object would not fit). The length is checked before the body is read.
 */
async function body(output: GetObjectCommandOutput, max: number, name: string): Promise<Buffer> {
  const length = output.ContentLength;
  if (length !== undefined && length > max) {
    // In Node the body is a stream: destroyed, the rest is never downloaded.
    (output.Body as { destroy?: () => void } | undefined)?.destroy?.();
    throw new LambdaPackageError(
      "ZIP_NOT_A_ZIP",
      `Reading ${name} asked for at most ${max} bytes and the store answered with ${length}: it ` +
        "ignored the Range header. Use an S3-compatible store that serves ranged GETs.",
    );
  }
  return Buffer.from(await output.Body!.transformToByteArray());
}

/** `bytes 0-99/1000` gives 1000; a store that ignored the range sent the whole object. */
function totalSize(contentRange: string | undefined, received: number): number {
  const total = contentRange && /\/(\d+)$/.exec(contentRange)?.[1];
  return total ? Number(total) : received;
}

/** A ranged GetObject; undefined for a range the object cannot satisfy (it is empty). */
async function get(
  client: S3Client,
  ref: ObjectRef,
  range: string,
  ifMatch: string | undefined,
): Promise<GetObjectCommandOutput | undefined> {
  const { bucket, key, versionId } = ref;
  try {
    return await client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId,
        Range: range,
        IfMatch: ifMatch,
      }),
    );
  } catch (error) {
    const code = codeOf(error);
    if (code === "InvalidRange" || statusOf(error) === 416) return undefined;
    if (MISSING_CODES.has(code) || (statusOf(error) === 404 && code !== "NoSuchBucket")) {
      throw new LambdaPackageError(
        "S3_OBJECT_NOT_FOUND",
        `${formatS3Uri(ref)} does not exist (${describeSdkError(error)}). Check the key and the ` +
          `version id: \`aws s3api list-object-versions --bucket ${bucket} --prefix ${key}\` lists them.`,
        { cause: error },
      );
    }
    throw toLambdaPackageError(error, { action: "GetObject", bucket, key });
  }
}
