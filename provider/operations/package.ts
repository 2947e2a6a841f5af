/**
 * Getting a package and storing it as a version: build it (or take it from
 * the build cache), then upload it (or copy the cache entry in the store).
 */
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { build } from "../../engine/build";
import { buildIdentity } from "../../engine/identity";
import type { PackageOptions } from "../../engine/options";
import { formatBytes } from "../../shared/format";
import { onInterrupt } from "../../shared/interrupt";
import type { LambdaPackageInputs } from "../args";
import { BUILD_FIELDS } from "../fields";
import { copyVersion, uploadArtifact } from "../s3";
import { cacheLocation, fill, lookUp, type CacheHit, type CachedPackage } from "./build-cache";
import { seconds } from "./log";

/** A package ready to be stored: a zip built here, or a verified build cache entry. */
export type Package = CachedPackage & { readonly buildKey: string } & (
    | { readonly kind: "built"; readonly file: string }
    | { readonly kind: "cached"; readonly entry: CacheHit }
  );

/**
 * The build key: SHA-256 over the `sourceKey`, `forceRepackage` and the
 * engine's build identity (every input that shapes the package, the
 * packager's files, the zip format). Computed from inputs alone, in
 * microseconds: no file of the source is read.
 */
export function buildKeyOf(inputs: LambdaPackageInputs): string {
  return createHash("sha256")
    .update(JSON.stringify([inputs.sourceKey, inputs.forceRepackage ?? null]))
    .update(buildIdentity(buildOptions(inputs)))
    .digest("hex");
}

/** The package for `inputs`: from the build cache when it is on and has it, else built here. */
export async function obtainPackage(
  client: S3Client,
  inputs: LambdaPackageInputs,
  log: (line: string) => void,
): Promise<Package> {
  const buildKey = buildKeyOf(inputs);
  if (inputs.buildCache) {
    const hit = await lookUp(client, cacheLocation(inputs), buildKey, log);
    if (hit) return { ...hit, buildKey, kind: "cached", entry: hit };
  }
  const started = Date.now();
  const built = await build({ ...buildOptions(inputs), secrets: secretsOf(inputs), log });
  const buildSeconds = (Date.now() - started) / 1000;
  log(
    `packaged ${built.fileCount} files, ${formatBytes(built.unzippedSize)} → ` +
      `${formatBytes(built.size)} in ${seconds(started)}; sha256 ${built.sha256}`,
  );
  return { ...built, buildKey, buildSeconds, kind: "built", file: built.path };
}

/** Runs `use` with the package, removing a built zip however it ends, interrupted or not. */
export async function withPackage<T>(pkg: Package, use: (pkg: Package) => Promise<T>): Promise<T> {
  if (pkg.kind !== "built") return use(pkg);
  const remove = () => rm(pkg.file, { force: true });
  const stopOnInterrupt = onInterrupt(remove);
  try {
    return await use(pkg);
  } finally {
    stopOnInterrupt();
    await remove();
  }
}

/**
 * Stores the package as a new version of `key`: an upload of a built zip (and
 * then, with the cache on, a copy of it into the cache), or a copy of the
 * cache entry made in the store. Returns the new version id.
 */
export async function storePackage(
  client: S3Client,
  inputs: LambdaPackageInputs,
  key: string,
  pkg: Package,
  log: (line: string) => void,
): Promise<string> {
  const headers = {
    sourceKey: inputs.sourceKey,
    buildKey: pkg.buildKey,
    metadata: inputs.metadata,
    tags: inputs.tags,
    serverSideEncryption: inputs.serverSideEncryption,
    kmsKeyId: inputs.kmsKeyId,
  };
  const fingerprint = { sha256: pkg.sha256, sourceCodeHash: pkg.sourceCodeHash };
  if (pkg.kind === "cached") {
    return copyVersion(client, {
      ...headers,
      ...fingerprint,
      source: pkg.entry,
      bucket: inputs.bucket,
      key,
      immutable: inputs.immutable,
      log,
    });
  }
  const { versionId } = await uploadArtifact(client, {
    ...headers,
    ...fingerprint,
    bucket: inputs.bucket,
    key,
    file: pkg.file,
    size: pkg.size,
    immutable: inputs.immutable,
    log,
  });
  if (inputs.buildCache) {
    const { serverSideEncryption, kmsKeyId } = inputs;
    await fill(
      client,
      cacheLocation(inputs),
      pkg.buildKey,
      { bucket: inputs.bucket, key, versionId },
      pkg,
      { sourceKey: inputs.sourceKey, serverSideEncryption, kmsKeyId },
      log,
    );
  }
  return versionId;
}

/** The inputs that are the engine's options, passed on by name: the field table says which. */
function buildOptions(inputs: LambdaPackageInputs): PackageOptions {
  // The compiler holds the inputs to the options' types: same names, same values.
  const picked: Pick<LambdaPackageInputs, keyof PackageOptions> = inputs;
  return Object.fromEntries(
    BUILD_FIELDS.map((name) => [name, picked[name]]),
  ) as unknown as typeof picked satisfies PackageOptions;
}

/** The values of the `packagerEnv` entries named secret, which the packager's log masks. */
function secretsOf(inputs: LambdaPackageInputs): string[] {
  const env = inputs.packagerEnv ?? {};
  return (inputs.secretPackagerEnv ?? []).flatMap((name) => env[name] ?? []);
}
