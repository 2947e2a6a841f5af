/**
 * The build cache: packages kept in the bucket under their build key, so a
 * second stack or an ephemeral CI runner copies a package in the store
 * instead of building it again. The bucket the user already has is the
 * shared, durable store every runner can reach.
 *
 * A cache entry is `<prefix>/<buildKey>.zip`: a copy, made in the store, of
 * a version this tool uploaded. It is trusted no further than its bytes: a
 * hit counts only when the store's own SHA-256 of the entry (or, where the
 * store keeps none, a re-hash of its bytes) equals the `sha256` it claims.
 * The cache is best effort: anything that keeps it from answering (no
 * permission on the prefix, a cache bucket without versioning) is one
 * warning, and the package is built as without it.
 */
import { LambdaPackageError } from "../../shared/errors";
import { show } from "../../shared/format";
import type { LambdaPackageInputs } from "../args";
import { FIELDS } from "../fields";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  copyVersion,
  hashVersion,
  headLatest,
  readSmallObject,
  writeSmallObject,
  type HeaderRequest,
} from "../s3";

/** Where the entries are. */
export interface CacheLocation {
  readonly bucket: string;
  readonly prefix: string;
}

/** What a package is, as its entry's metadata records it. */
export interface CachedPackage {
  readonly sha256: string;
  readonly sourceCodeHash: string;
  readonly size: number;
  readonly unzippedSize: number;
  readonly fileCount: number;
  /** How long the build that made it took, so a hit can say what it saved. */
  readonly buildSeconds?: number;
}

/** A verified entry: the version to copy from, and what it holds. */
export interface CacheHit extends CachedPackage {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
}

// Metadata of an entry besides the sha256, source-code-hash and build-key every object carries.
const UNZIPPED_SIZE = "unzipped-size";
const FILE_COUNT = "file-count";
const BUILD_SECONDS = "build-seconds";

export function cacheLocation(inputs: LambdaPackageInputs): CacheLocation {
  const prefix = inputs.buildCachePrefix ?? FIELDS.buildCachePrefix.default;
  const other = /^s3:\/\/([^/]+)\/?(.*)$/.exec(prefix);
  const [bucket, path] = other ? [other[1], other[2]] : [inputs.bucket, prefix];
  return { bucket, prefix: path.replace(/\/+$/, "") };
}

export function entryKey(location: CacheLocation, buildKey: string): string {
  return location.prefix ? `${location.prefix}/${buildKey}.zip` : `${buildKey}.zip`;
}

/**
 * The entry for `buildKey`, when there is one whose bytes are what it says:
 * undefined on a miss, a corrupt entry (said in the log) or a cache that
 * cannot be read (a warning).
 */
export async function lookUp(
  client: S3Client,
  location: CacheLocation,
  buildKey: string,
  log: (line: string) => void,
): Promise<CacheHit | undefined> {
  const key = entryKey(location, buildKey);
  const uri = `s3://${location.bucket}/${key}`;
  try {
    const entry = await headLatest(client, location.bucket, key);
    if (!entry) {
      log(`build cache miss ${buildKey}`);
      return undefined;
    }
    if (!entry.versionId || entry.versionId === "null") {
      log(
        `warning: the build cache bucket "${location.bucket}" has no versioning, so an entry ` +
          `cannot be pinned while it is copied; building without the cache`,
      );
      return undefined;
    }
    const recorded = packageOf(entry.metadata, entry.size);
    if (typeof recorded === "string") {
      log(
        `build cache entry ${uri} (version ${entry.versionId}) is corrupt: ${recorded}; ` +
          `building instead. Delete the entry to let the next build refill it.`,
      );
      return undefined;
    }
    const actual =
      entry.checksumSha256 !== undefined
        ? Buffer.from(entry.checksumSha256, "base64").toString("hex")
        : await hashVersion(client, location.bucket, key, entry.versionId);
    if (actual !== recorded.sha256) {
      log(
        `build cache entry ${uri} (version ${entry.versionId}) is corrupt: it holds bytes with ` +
          `sha256 ${actual} but says ${recorded.sha256}; building instead. Delete ` +
          `the entry to let the next build refill it.`,
      );
      return undefined;
    }
    const saved =
      recorded.buildSeconds !== undefined
        ? `, saving a ${recorded.buildSeconds.toFixed(1)} s build`
        : "";
    log(`build cache hit ${buildKey}: ${uri} version ${entry.versionId}${saved}`);
    return { ...recorded, bucket: location.bucket, key, versionId: entry.versionId };
  } catch (error) {
    log(
      `warning: the build cache at ${uri} cannot be read (${reason(error)}); building without it`,
    );
    return undefined;
  }
}

/**
 * After a build, leaves a copy of the version just uploaded as the entry for
 * `buildKey`, made in the store. An entry already there is left alone: with
 * the same bytes it is this build's twin; with other bytes (a runner with
 * another zlib) it is as good as ours. The look and the copy are two
 * requests, and the copy has no condition a store honours (MinIO ignores
 * If-None-Match on CopyObject; a conditional PutObject would send the bytes
 * through this machine): two writers that miss at once both copy. That is
 * sound, since each writes a whole version, metadata and bytes at once, of a
 * package built for this key, and `lookUp` verifies whichever is the latest.
 */
export async function fill(
  client: S3Client,
  location: CacheLocation,
  buildKey: string,
  source: { bucket: string; key: string; versionId: string },
  built: CachedPackage,
  headers: Omit<HeaderRequest, "sha256" | "sourceCodeHash" | "metadata" | "tags" | "buildKey">,
  log: (line: string) => void,
): Promise<void> {
  const key = entryKey(location, buildKey);
  const uri = `s3://${location.bucket}/${key}`;
  try {
    const there = await headLatest(client, location.bucket, key);
    if (there) {
      if (there.sha256 !== built.sha256)
        log(
          `build cache entry ${uri} holds other bytes (sha256 ${there.sha256 ?? "none"}); left as it is`,
        );
      return;
    }
    await copyVersion(client, {
      ...headers,
      source,
      bucket: location.bucket,
      key,
      sha256: built.sha256,
      sourceCodeHash: built.sourceCodeHash,
      buildKey,
      metadata: {
        [UNZIPPED_SIZE]: String(built.unzippedSize),
        [FILE_COUNT]: String(built.fileCount),
        ...(built.buildSeconds !== undefined && { [BUILD_SECONDS]: built.buildSeconds.toFixed(1) }),
      },
    });
    log(`build cache: stored ${uri} for the next build with this key`);
  } catch (error) {
    log(
      `warning: the build cache at ${uri} cannot be written (${reason(error)}); the build is not shared`,
    );
  }
}

/**
 * What an entry's metadata says it holds, when every field is well formed;
 * otherwise what is wrong with it. Anyone who can write the prefix writes
 * this metadata, and it becomes the resource's outputs, so nothing is taken
 * on trust: the sha256 is checked against the bytes afterwards, and the
 * source-code-hash must be that sha256 in base64, the form Lambda compares.
 */
function packageOf(metadata: Record<string, string>, size: number): CachedPackage | string {
  const sha256 = metadata.sha256;
  if (sha256 === undefined || !/^[0-9a-f]{64}$/.test(sha256))
    return `its sha256 metadata is ${shown(sha256)}, not 64 lowercase hex digits`;
  const sourceCodeHash = Buffer.from(sha256, "hex").toString("base64");
  if (metadata["source-code-hash"] !== sourceCodeHash)
    return (
      `its source-code-hash metadata is ${shown(metadata["source-code-hash"])}, not ` +
      `${sourceCodeHash}, the base64 of its sha256`
    );
  const count = (name: string, least: number): number | string => {
    const text = metadata[name];
    // Digits only: Number() would also take "", "0x1f", "1e3" and " 7".
    const value = text !== undefined && /^[0-9]+$/.test(text) ? Number(text) : NaN;
    return Number.isSafeInteger(value) && value >= least
      ? value
      : `its ${name} metadata is ${shown(text)}, not a whole number of at least ${least}`;
  };
  const unzippedSize = count(UNZIPPED_SIZE, 0);
  if (typeof unzippedSize === "string") return unzippedSize;
  const fileCount = count(FILE_COUNT, 1);
  if (typeof fileCount === "string") return fileCount;
  // build-seconds only says what a hit saved; left out, the hit says nothing of it.
  const seconds = metadata[BUILD_SECONDS];
  const buildSeconds =
    seconds !== undefined && /^[0-9]+(\.[0-9]+)?$/.test(seconds) ? Number(seconds) : NaN;
  if (seconds !== undefined && !Number.isFinite(buildSeconds))
    return `its ${BUILD_SECONDS} metadata is ${shown(seconds)}, not a number of seconds`;
  return {
    sha256,
    sourceCodeHash,
    size,
    unzippedSize,
    fileCount,
    buildSeconds: seconds === undefined ? undefined : buildSeconds,
  };
}

/** A metadata value as the log quotes it. */
function shown(text: string | undefined): string {
  return text === undefined ? "missing" : show(text);
}

function reason(error: unknown): string {
  return error instanceof LambdaPackageError ? error.message : String(error);
}

/** A read set kept in the cache is a few paths: anything larger is not ours. */
const MAX_READS_RECORD = 64 * 1024;

/**
 * Where the cache keeps what the last build of a configuration read, by its
 * build identity (every shaping input, the packager): `<prefix>/reads/<id>.json`.
 * A resource with no record of its own (a new stack, a first `up`) looks its
 * entry up by the key of this set as its files are now. Any set gives a
 * sound key: an entry is stored under the key of what its build read, so
 * the same key means the same bytes read.
 */
function readsKeyOf(location: CacheLocation, identity: string): string {
  return location.prefix ? `${location.prefix}/reads/${identity}.json` : `reads/${identity}.json`;
}

/** The read set the cache keeps for `identity` (stored paths), or undefined. */
export async function recalledReads(
  client: S3Client,
  location: CacheLocation,
  identity: string,
  log: (line: string) => void,
): Promise<string[] | undefined> {
  const key = readsKeyOf(location, identity);
  try {
    const text = await readSmallObject(client, location.bucket, key, MAX_READS_RECORD);
    if (text === undefined) return undefined;
    const reads: unknown = JSON.parse(text);
    if (Array.isArray(reads) && reads.length > 0 && reads.every((r) => typeof r === "string"))
      return reads;
    log(`build cache: s3://${location.bucket}/${key} is not a list of paths; building instead`);
    return undefined;
  } catch (error) {
    log(
      `warning: the build cache's s3://${location.bucket}/${key} cannot be read (${reason(error)})`,
    );
    return undefined;
  }
}

/** Keeps what this build read for the next resource of the same configuration. */
export async function rememberReads(
  client: S3Client,
  location: CacheLocation,
  identity: string,
  reads: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  const key = readsKeyOf(location, identity);
  try {
    await writeSmallObject(client, location.bucket, key, JSON.stringify(reads));
  } catch (error) {
    log(
      `warning: the build cache's s3://${location.bucket}/${key} cannot be written (${reason(error)})`,
    );
  }
}
