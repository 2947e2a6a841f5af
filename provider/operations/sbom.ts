/**
 * The software bill of materials beside each package version: the engine's
 * CycloneDX document (engine/sbom), stored as its own object version at
 * `<key>.cdx.json`, written with the zip's headers by the same upload, and
 * recorded in the state as `sbom: { key, versionId }`. A delete of the
 * recorded zip version deletes the recorded document version with it.
 *
 * With the build cache, the document is kept beside the entry
 * (`<prefix>/<buildKey>.cdx.json`); a hit uses it only when its serial number
 * is the one derived from the entry's sha256, which says it describes those
 * bytes.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../shared/errors";
import { readSmallObject, uploadArtifact, writeSmallObject, type HeaderRequest } from "../s3";
import { entryKey, type CacheLocation } from "./build-cache";

/** Where a package's document is: its own object version. */
export interface SbomRef {
  key: string;
  versionId: string;
}

/** The document's key beside the zip's. */
export function sbomKeyOf(key: string): string {
  return `${key}.cdx.json`;
}

/** CycloneDX's registered media type for its JSON form. */
const MEDIA_TYPE = "application/vnd.cyclonedx+json";

/** S3's limit on a key's length, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/** A document larger than this in the cache is not one we wrote (a package lists hundreds, not millions). */
const MAX_CACHED_SBOM = 16 * 1024 * 1024;

/**
 * Uploads `sbom` as a new version of `<key>.cdx.json` with the zip's headers
 * (and immutability) but its own hashes and media type.
 */
export async function storeSbom(
  client: S3Client,
  request: Omit<HeaderRequest, "sha256" | "sourceCodeHash" | "contentType"> & {
    bucket: string;
    key: string;
    immutable?: boolean;
  },
  sbom: string,
  log: (line: string) => void,
): Promise<SbomRef | undefined> {
  const key = sbomKeyOf(request.key);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    log(
      `warning: no SBOM stored: ${key} is longer than S3's ${MAX_KEY_BYTES} bytes; use a shorter key`,
    );
    return undefined;
  }
  const body = Buffer.from(sbom);
  const digest = createHash("sha256").update(body).digest();
  const dir = await mkdtemp(path.join(os.tmpdir(), "lambda-package-sbom-"));
  try {
    const file = path.join(dir, "sbom.cdx.json");
    await writeFile(file, body);
    const stored = await uploadArtifact(client, {
      ...request,
      key,
      file,
      size: body.length,
      sha256: digest.toString("hex"),
      sourceCodeHash: digest.toString("base64"),
      contentType: MEDIA_TYPE,
      // The package's own line names the document beside it; the upload's progress lines, which
      // would name a temporary file, are one log call each of the engine's for every function.
      log: (line) => {
        if (line.startsWith("warning")) log(line);
      },
    }).catch((error: unknown) => {
      // An immutable key keeps the document first written beside the same zip; a document
      // written by another release of this tool may differ, which is no reason to fail.
      if (!(error instanceof LambdaPackageError) || error.code !== "IMMUTABLE_KEY_TAKEN")
        throw error;
      log(`warning: ${key} is immutable and holds another document; it is kept, no SBOM recorded`);
      return undefined;
    });
    return stored && { key, versionId: stored.versionId };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function cacheKeyOf(location: CacheLocation, buildKey: string): string {
  return entryKey(location, buildKey).replace(/\.zip$/, ".cdx.json");
}

/** Keeps the document beside the cache entry for `buildKey`; best effort, as the cache is. */
export async function rememberSbom(
  client: S3Client,
  location: CacheLocation,
  buildKey: string,
  sbom: string,
  log: (line: string) => void,
): Promise<void> {
  const key = cacheKeyOf(location, buildKey);
  try {
    await writeSmallObject(client, location.bucket, key, sbom);
  } catch (error) {
    log(
      `warning: the build cache's s3://${location.bucket}/${key} cannot be written (${String(error)})`,
    );
  }
}

/** A read of the document kept beside a cache entry: its text, none, or why it failed. */
export type CachedSbomRead = Promise<{ text?: string; error?: Error }>;

/**
 * Starts reading the document kept beside the cache entry for `buildKey`.
 * It is read while the entry itself is looked up, which saves a round trip
 * on every hit; on a miss the answer is dropped. It never rejects.
 */
export function readCachedSbom(
  client: S3Client,
  location: CacheLocation,
  buildKey: string,
): CachedSbomRead {
  const key = cacheKeyOf(location, buildKey);
  return readSmallObject(client, location.bucket, key, MAX_CACHED_SBOM).then(
    (text) => ({ text }),
    (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }),
  );
}

/**
 * The document `read` from beside the cache entry for `buildKey`, when it
 * describes the zip with `sha256`; otherwise undefined, said in the log.
 */
export async function recalledSbom(
  read: CachedSbomRead,
  location: CacheLocation,
  buildKey: string,
  sha256: string,
  log: (line: string) => void,
): Promise<string | undefined> {
  const uri = `s3://${location.bucket}/${cacheKeyOf(location, buildKey)}`;
  const { text, error } = await read;
  if (error !== undefined) {
    log(`warning: the build cache's ${uri} cannot be read (${String(error)}); no SBOM is stored`);
    return undefined;
  }
  try {
    if (text === undefined) {
      log(`warning: the build cache has no SBOM beside this entry (${uri}); none is stored`);
      return undefined;
    }
    const serial = (JSON.parse(text) as { serialNumber?: unknown }).serialNumber;
    // Loaded here, not with the provider: a preview, which stores nothing, never pays for it.
    const { serialNumberOf } = await import("../../engine/sbom");
    if (serial === serialNumberOf(sha256)) return text;
    log(`warning: ${uri} describes another zip than the entry's; no SBOM is stored`);
    return undefined;
  } catch (error) {
    log(`warning: the build cache's ${uri} cannot be read (${String(error)}); no SBOM is stored`);
    return undefined;
  }
}
