import { LambdaPackageError } from "../../shared/errors";

/** One S3 object, or one version of it. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  /** A version id; undefined means the current version. */
  readonly versionId?: string;
}

const VERSION_QUERY = "?versionId=";

/**
 * `s3://bucket/key` or `s3://bucket/key?versionId=…`, as the CLI takes and
 * prints objects. The key is everything after the bucket, as written (no
 * percent-decoding); only a trailing `?versionId=` is the version, so a key
 * may hold `?` itself.
 * @throws LambdaPackageError `BAD_S3_URI` naming the text and the form expected.
 */
export function parseS3Uri(text: string): ObjectRef {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(text);
  const at = match ? match[2].lastIndexOf(VERSION_QUERY) : -1;
  const key = match && at >= 0 ? match[2].slice(0, at) : match?.[2];
  const versionId = match && at >= 0 ? match[2].slice(at + VERSION_QUERY.length) : undefined;
  if (!match || !key || versionId === "") {
    throw new LambdaPackageError(
      "BAD_S3_URI",
      `"${text}" is not an S3 object URI; give s3://<bucket>/<key>, optionally with ?versionId=<id>.`,
    );
  }
  return { bucket: match[1], key, ...(versionId !== undefined && { versionId }) };
}

/** The URI of `ref`: `s3://bucket/key`, with `?versionId=…` when it names a version. */
export function formatS3Uri(ref: ObjectRef): string {
  const version = ref.versionId === undefined ? "" : `${VERSION_QUERY}${ref.versionId}`;
  return `s3://${ref.bucket}/${ref.key}${version}`;
}
