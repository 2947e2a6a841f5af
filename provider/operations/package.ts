/**
 * Getting a package and storing it as a version: build it (or take it from
 * the build cache), then upload it (or copy the cache entry in the store).
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { build } from "../../engine/build";
import { overBudget } from "../../engine/contents/budget";
import { buildIdentity } from "../../engine/identity";
import type { PackageOptions } from "../../engine/options";
import { formatBytes } from "../../shared/format";
import { onInterrupt } from "../../shared/interrupt";
import type { LambdaPackageInputs } from "../args";
import { BUILD_FIELDS } from "../fields";
import { copyVersion, uploadArtifact } from "../s3";
import { readsKey } from "../../engine/reads/key";
import { isWithin } from "../../shared/paths";
import {
  cacheLocation,
  fill,
  lookUp,
  recalledReads,
  rememberReads,
  type CacheHit,
  type CachedPackage,
} from "./build-cache";
import { storedPath } from "./check";
import { absolute, recordedSource, type RecordedSource } from "./source-key";
import { seconds } from "./log";
import { readCachedSbom, recalledSbom, rememberSbom, storeSbom, type SbomRef } from "./sbom";

/** A package ready to be stored: a zip built here, or a verified build cache entry. */
export type Package = CachedPackage & {
  readonly buildKey: string;
  /** The build identity (`identityOf`), taken once per package: it hashes the packager's files. */
  readonly identity: string;
  /** The key it is recorded under, and with an automatic key, what its build read. */
  readonly source: RecordedSource;
  /** Its CycloneDX document (JSON); none for a cache entry that has none beside it. */
  readonly sbom?: string;
} & (
    | {
        readonly kind: "built";
        readonly file: string;
        /** What the build read, absolute paths (engine/reads). */
        readonly reads: readonly string[];
      }
    | { readonly kind: "cached"; readonly entry: CacheHit }
  );

/**
 * The build key: SHA-256 over the key of what the build read (engine/reads:
 * the source's files as they are, ignored ones included), the `sourceKey`
 * when one is given, `forceRepackage` and the engine's build identity (every
 * input that shapes the package, the packager's files, the zip format). Two
 * builds with one build key read the same bytes with the same settings, so
 * a cache entry made by one is what the other would build. Secret values of
 * `packagerEnv` count by their names only, so the key, which is an output and
 * object metadata, gives nothing to guess them against.
 */
export function buildKeyOf(
  inputs: LambdaPackageInputs,
  readKey: string,
  identity: string = identityOf(inputs),
): string {
  return createHash("sha256")
    .update(JSON.stringify([readKey, inputs.sourceKey ?? null, inputs.forceRepackage ?? null]))
    .update(identity)
    .digest("hex");
}

/** The engine's build identity of `inputs`, secret values masked (`identityOptions`). */
function identityOf(inputs: LambdaPackageInputs): string {
  return buildIdentity(identityOptions(inputs));
}

/**
 * The package for `inputs`: from the build cache when it is on and has it, else built here.
 * `recorded` is what the state says the last build read (stored paths), when it says.
 */
export async function obtainPackage(
  client: S3Client,
  inputs: LambdaPackageInputs,
  log: (line: string) => void,
  recorded?: readonly string[],
): Promise<Package> {
  const identity = identityOf(inputs);
  if (inputs.buildCache) {
    const location = cacheLocation(inputs);
    const reads = recorded ?? (await recalledReads(client, location, identity, log));
    if (reads) {
      const paths = reads.map(absolute);
      const readKey = await readsKey(paths);
      const buildKey = buildKeyOf(inputs, readKey, identity);
      const sbomRead = readCachedSbom(client, location, buildKey);
      const hit = await lookUp(client, location, buildKey, log);
      // The budget is no part of the key: a cached package over it is built here, whose
      // check then fails with what the package holds, before anything is stored.
      if (hit && overBudget(inputs.sizeBudget, hit.size, hit.unzippedSize).length > 0) {
        log("build cache: the cached package is over sizeBudget; building it to say why");
      } else if (hit) {
        const source = recordedSource(inputs, paths, readKey);
        const sbom = await recalledSbom(sbomRead, location, buildKey, hit.sha256, log);
        return { ...hit, buildKey, identity, source, sbom, kind: "cached", entry: hit };
      }
    } else log("build cache: no record of what this configuration reads yet; building");
  }
  const started = Date.now();
  const built = await build({ ...buildOptions(inputs), secrets: secretsOf(inputs), log });
  const buildSeconds = (Date.now() - started) / 1000;
  log(
    `packaged ${built.fileCount} files, ${formatBytes(built.unzippedSize)} → ` +
      `${formatBytes(built.size)} in ${seconds(started)}; sha256 ${built.sha256}`,
  );
  for (const note of built.reads.notes) log(`warning: ${note}`);
  const key = await readsKey(built.reads.paths);
  const source = recordedSource(inputs, built.reads.paths, key);
  if (inputs.sourceKey !== undefined) warnUncovered(inputs, built.reads.paths, log);
  const { reads, path: file, ...zip } = built;
  const buildKey = buildKeyOf(inputs, key, identity);
  const pkg = { ...zip, buildKey, identity, buildSeconds, source, reads: reads.paths, file };
  return { ...pkg, kind: "built" };
}

/**
 * A given `sourceKey` is the user's promise that it changes when the code
 * does; the build knows what it read, so it says where the promise is
 * likely not kept: files outside `sourcePath`, which a key of the function's
 * directory does not cover.
 */
function warnUncovered(
  inputs: LambdaPackageInputs,
  reads: readonly string[],
  log: (line: string) => void,
): void {
  const source = realpathSync(path.resolve(inputs.sourcePath));
  // The packager counts in the build key already; a key is about the source.
  const packager = [inputs.packager, inputs.packagersDir].flatMap((p) =>
    p === undefined ? [] : [realpathSync(path.resolve(p))],
  );
  const outside = reads.filter((file) => !isWithin(file, source) && !packager.includes(file));
  if (outside.length === 0) return;
  const names = outside.map((file) => path.relative(process.cwd(), file) || ".");
  log(
    `warning: ${inputs.sourcePath} read ${names.join(", ")}, outside its sourcePath; unless its ` +
      `sourceKey covers ${outside.length === 1 ? "it" : "them"}, a change there will not ` +
      `repackage it. Leave sourceKey out to key on what the build reads.`,
  );
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

/** What storing a package wrote: the zip's new version, and its SBOM's. */
export interface Stored {
  readonly versionId: string;
  readonly sbom?: SbomRef;
}

/**
 * Stores the package as a new version of `key`, and its SBOM beside it
 * (operations/sbom.ts). The zip is an upload of a built zip (and then, with
 * the cache on, a copy of it into the cache), or a copy of the cache entry
 * made in the store.
 */
export async function storePackage(
  client: S3Client,
  inputs: LambdaPackageInputs,
  key: string,
  pkg: Package,
  log: (line: string) => void,
): Promise<Stored> {
  const document = pkg.sbom;
  if (document === undefined) return { versionId: await storeZip(client, inputs, key, pkg, log) };
  const sbomRequest = {
    ...objectHeadersOf(inputs, pkg),
    bucket: inputs.bucket,
    key,
    immutable: inputs.immutable,
  };
  const storeDocument = () => storeSbom(client, sbomRequest, document, log);
  let versionId: string;
  let sbom: SbomRef | undefined;
  if (inputs.immutable) {
    // An immutable key keeps what is first written to it: the document is written only once
    // its zip is, so a zip that fails leaves no document behind to refuse the next one.
    versionId = await storeZip(client, inputs, key, pkg, log);
    sbom = await storeDocument();
  } else {
    // Two objects, neither written from the other: both requests at once. Both are waited
    // for, so a failure of one is reported only once the other has ended.
    const [zip, doc] = await Promise.allSettled([
      storeZip(client, inputs, key, pkg, log),
      storeDocument(),
    ]);
    if (zip.status === "rejected") throw zip.reason;
    if (doc.status === "rejected") throw doc.reason;
    [versionId, sbom] = [zip.value, doc.value];
  }
  if (inputs.buildCache && pkg.kind === "built")
    await rememberSbom(client, cacheLocation(inputs), pkg.buildKey, document, log);
  return { versionId, sbom };
}

async function storeZip(
  client: S3Client,
  inputs: LambdaPackageInputs,
  key: string,
  pkg: Package,
  log: (line: string) => void,
): Promise<string> {
  const headers = objectHeadersOf(inputs, pkg);
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
      { sourceKey: pkg.source.sourceKey, serverSideEncryption, kmsKeyId },
      log,
    );
    const reads = pkg.reads.map(storedPath);
    await rememberReads(client, cacheLocation(inputs), pkg.identity, reads, log);
  }
  return versionId;
}

/** The headers every object of a package is written with, the zip and its SBOM alike. */
function objectHeadersOf(inputs: LambdaPackageInputs, pkg: Package) {
  return {
    sourceKey: pkg.source.sourceKey,
    buildKey: pkg.buildKey,
    metadata: inputs.metadata,
    tags: inputs.tags,
    serverSideEncryption: inputs.serverSideEncryption,
    kmsKeyId: inputs.kmsKeyId,
  };
}

/** The inputs that are the engine's options, passed on by name: the field table says which. */
function buildOptions(inputs: LambdaPackageInputs): PackageOptions {
  // The compiler holds the inputs to the options' types: same names, same values.
  const picked: Pick<LambdaPackageInputs, keyof PackageOptions> = inputs;
  return Object.fromEntries(
    BUILD_FIELDS.map((name) => [name, picked[name]]),
  ) as unknown as typeof picked satisfies PackageOptions;
}

/** The build options with the values of secret `packagerEnv` entries replaced by a mark. */
function identityOptions(inputs: LambdaPackageInputs): PackageOptions {
  const secret = new Set(inputs.secretPackagerEnv ?? []);
  const env = inputs.packagerEnv;
  if (!env || secret.size === 0) return buildOptions(inputs);
  const masked = Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, secret.has(name) ? "(secret)" : value]),
  );
  return { ...buildOptions(inputs), packagerEnv: masked };
}

/** The values of the `packagerEnv` entries named secret, which the packager's log masks. */
function secretsOf(inputs: LambdaPackageInputs): string[] {
  const env = inputs.packagerEnv ?? {};
  return (inputs.secretPackagerEnv ?? []).flatMap((name) => env[name] ?? []);
}
