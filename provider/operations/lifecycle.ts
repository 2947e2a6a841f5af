/**
 * The resource is one object version; its operations, named as Pulumi names
 * them: createVersion, readVersion, updateVersion, deleteVersion.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { LambdaPackageError } from "../../shared/errors";
import type { LambdaPackageInputs } from "../args";
import { COMPUTED_OUTPUTS, type LambdaPackageOutputs } from "../outputs";
import {
  assertBucketReady,
  consoleUrl,
  copyVersion,
  deleteVersion as deleteObjectVersion,
  describeTarget,
  headVersion,
  withS3Client,
  type S3Settings,
} from "../s3";
import { logChanges } from "./changes";
import type { DiffOutcome } from "./diff";
import { contentKey, keyPrefixOf, layoutOf } from "./layout";
import { formatBytes } from "../../shared/format";
import { logger, logResult } from "./log";
import { obtainPackage, storePackage, withPackage, type Package, type Stored } from "./package";
import { recordedSettings, s3Settings, storeOf, type RecordedStore } from "./store";

/** Packages the source (or takes it from the build cache) and stores it as a new version. */
export async function createVersion(
  inputs: LambdaPackageInputs,
  settings: S3Settings = s3Settings(inputs),
): Promise<LambdaPackageOutputs> {
  return withS3Client(settings, async (client) => {
    const log = logger(`${inputs.bucket}/${inputs.key ?? keyPrefixOf(inputs) + "/…"}`);
    // The bucket is checked first, so a missing bucket or disabled versioning
    // costs no packaging time and nothing is ever half-uploaded.
    await bucketReady(client, inputs.bucket, settings);
    const pkg = await obtainPackage(client, inputs, log);
    return withPackage(pkg, async () => {
      const key = keyOf(inputs, pkg);
      const stored = await storePackage(client, inputs, key, pkg, log);
      return outputsOf(inputs, storeOf(settings), pkg, key, stored, log);
    });
  });
}

/**
 * Buckets this process has found ready (or is checking), by where they are
 * and whose credentials asked. A stack of 50 functions in one bucket checks
 * it once, not 50 times (two requests each): the creates the engine starts
 * at once wait for the one check under way. A check that fails is forgotten,
 * so the next operation asks again. Versioning turned off after the check is
 * still caught: every write that comes back without a version id fails.
 */
const readyBuckets = new Map<string, Promise<void>>();

function bucketReady(client: S3Client, bucket: string, settings: S3Settings): Promise<void> {
  const target = JSON.stringify([describeTarget(settings, bucket), settings.profile ?? null]);
  let ready = readyBuckets.get(target);
  if (!ready) {
    ready = assertBucketReady(client, bucket, settings);
    readyBuckets.set(target, ready);
    ready.catch(() => readyBuckets.delete(target));
  }
  return ready;
}

/**
 * An update writes to the store the object is in (changing `region` or
 * `endpoint` replaces it instead), and writes as little as it can:
 * - only settings changed: the state records them; nothing runs;
 * - what the object carries changed (metadata, tags, encryption): a new
 *   version copied from the current one in the store; nothing is packaged;
 * - what shapes the package changed: it is packaged (or taken from the build
 *   cache); when its bytes equal the current version's, which still holds
 *   them, no new version is written (a copy when headers changed too), so a
 *   function pinned to `versionId` sees no change. Otherwise a new version is
 *   stored, and a content-addressed object that moved to another key has its
 *   old version deleted, as a delete would (honouring `retainOnDelete` and
 *   `immutable`), so nothing stays behind as the current version of a key
 *   no one uses.
 */
export async function updateVersion(
  olds: LambdaPackageOutputs,
  news: LambdaPackageInputs,
  diff: Pick<DiffOutcome, "repackage" | "rewrite">,
): Promise<LambdaPackageOutputs> {
  const store: RecordedStore = { storeRegion: olds.storeRegion, storeEndpoint: olds.storeEndpoint };
  if (diff.repackage.length === 0 && diff.rewrite.length === 0) return kept(olds, news);
  const settings = recordedSettings({ ...olds, ...news, ...store });
  return withS3Client(settings, async (client) => {
    const log = logger(`${olds.bucket}/${olds.key}`);
    const holdsRecorded = await stillHolds(client, olds);
    if (diff.repackage.length === 0 && holdsRecorded) {
      return rewrite(client, olds, news, log);
    }
    // With an automatic key, what the last build read is where the cache looks first.
    const recorded = news.sourceKey === undefined ? olds.sourceReads : undefined;
    const pkg = await obtainPackage(client, news, log, recorded);
    return withPackage(pkg, async () => {
      const key = keyOf(news, pkg);
      if (holdsRecorded && key === olds.key && pkg.sha256 === olds.sha256) {
        logResult(
          `${olds.bucket}/${olds.key}`,
          `bytes unchanged (sha256 ${pkg.sha256}): kept version ${olds.versionId}`,
        );
        const same = { ...olds, ...pkg.source, buildKey: pkg.buildKey };
        if (diff.rewrite.length > 0) return rewrite(client, same, news, log);
        return kept(same, news);
      }
      if (holdsRecorded) await logChanges(client, olds, pkg, log);
      else
        log(
          `version ${olds.versionId} no longer holds what the state says: nothing to compare with`,
        );
      const stored = await storePackage(client, news, key, pkg, log);
      const outs = outputsOf(news, store, pkg, key, stored, log);
      if (key !== olds.key) {
        log(`the content moved from ${olds.key} to ${key}; removing the old key's version`);
        await deleteVersion(olds);
      }
      return outs;
    });
  });
}

/** The same bytes with new headers: a copy of the current version, made in the store. */
async function rewrite(
  client: S3Client,
  olds: LambdaPackageOutputs,
  news: LambdaPackageInputs,
  log: (line: string) => void,
): Promise<LambdaPackageOutputs> {
  if (olds.immutable || news.immutable) {
    log(
      `warning: metadata, tags or encryption changed, but ${olds.key} is immutable: its version ` +
        `${olds.versionId} keeps the headers it was written with`,
    );
    return kept(olds, news);
  }
  const versionId = await copyVersion(client, {
    source: { bucket: olds.bucket, key: olds.key, versionId: olds.versionId },
    bucket: olds.bucket,
    key: olds.key,
    sha256: olds.sha256,
    sourceCodeHash: olds.sourceCodeHash,
    sourceKey: news.sourceKey ?? olds.sourceKey,
    buildKey: olds.buildKey,
    metadata: news.metadata,
    tags: news.tags,
    serverSideEncryption: news.serverSideEncryption,
    kmsKeyId: news.kmsKeyId,
    log,
  });
  logResult(`${olds.bucket}/${olds.key}`, `new headers: version ${versionId}, copied in the store`);
  return { ...kept(olds, news), versionId };
}

/**
 * The recorded object, unchanged, with the new inputs. An automatic key and
 * what it was taken over stay as recorded; a given key replaces them.
 */
function kept(olds: LambdaPackageOutputs, news: LambdaPackageInputs): LambdaPackageOutputs {
  const computed = Object.fromEntries(COMPUTED_OUTPUTS.map((name) => [name, olds[name]]));
  const outs = { ...news, ...computed, key: olds.key, bucket: olds.bucket } as LambdaPackageOutputs;
  if (news.sourceKey !== undefined) delete outs.sourceReads;
  else outs.sourceKey = olds.sourceKey;
  return dropUndefined(outs);
}

/** The engine cannot carry `undefined` across its wire: a value is there, or not there. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Whether the recorded version is still there with the bytes the state says. */
async function stillHolds(client: S3Client, olds: LambdaPackageOutputs): Promise<boolean> {
  if (!olds.versionId) return false;
  const stored = await headVersion(client, olds.bucket, olds.key, olds.versionId);
  return stored?.sha256 === olds.sha256;
}

function keyOf(inputs: LambdaPackageInputs, pkg: Package): string {
  return inputs.key ?? contentKey(keyPrefixOf(inputs), pkg.sha256);
}

function outputsOf(
  inputs: LambdaPackageInputs,
  store: RecordedStore,
  pkg: Package,
  key: string,
  { versionId, sbom }: Stored,
  log: (line: string) => void,
): LambdaPackageOutputs {
  const url = consoleUrl(inputs.bucket, key, store.storeRegion, store.storeEndpoint);
  log(`${store.storeEndpoint === "" ? "console" : "object"}: ${url}`);
  logResult(
    `${inputs.bucket}/${key}`,
    `stored version ${versionId} of s3://${inputs.bucket}/${key}: ${pkg.fileCount} files, ` +
      `${formatBytes(pkg.size)}, sha256 ${pkg.sha256.slice(0, 12)}…` +
      (pkg.kind === "cached" ? " (from the build cache)" : "") +
      (sbom ? "; its SBOM beside it (.cdx.json)" : "; no SBOM"),
  );
  return dropUndefined({
    ...inputs,
    ...store,
    ...pkg.source,
    key,
    versionId,
    sha256: pkg.sha256,
    sourceCodeHash: pkg.sourceCodeHash,
    size: pkg.size,
    unzippedSize: pkg.unzippedSize,
    fileCount: pkg.fileCount,
    buildKey: pkg.buildKey,
    sbom,
    consoleUrl: url,
    s3Uri: `s3://${inputs.bucket}/${key}`,
    layout: layoutOf(inputs),
  });
}

/**
 * `pulumi refresh`: the recorded version still there and holding what we
 * uploaded? Gone → undefined (the engine drops it and the next `up` recreates
 * it). Other content → outputs that show it, so the next `up` repackages. A
 * missing bucket is an error, never "gone": it is more likely the wrong store.
 */
export async function readVersion(
  props: LambdaPackageOutputs,
): Promise<LambdaPackageOutputs | undefined> {
  const settings = recordedSettings(props);
  return withS3Client(settings, async (client) => {
    const log = logger(`${props.bucket}/${props.key}`);
    const stored = await headVersion(client, props.bucket, props.key, props.versionId).catch(
      (error: unknown) => {
        if (!(error instanceof LambdaPackageError) || error.code !== "BUCKET_NOT_FOUND")
          throw error;
        throw new LambdaPackageError(
          "BUCKET_NOT_FOUND",
          `refresh of s3://${props.bucket}/${props.key}: ${describeTarget(settings, props.bucket)} ` +
            `does not exist, so the state keeps the resource as it is. If the store moved, set ` +
            `\`endpoint\` or \`region\`; if the bucket is gone for good, remove the resource with ` +
            `\`pulumi state delete <urn>\`.`,
          { cause: error },
        );
      },
    );
    if (!stored) {
      log(`version ${props.versionId} is gone; the next up recreates it`);
      return undefined;
    }
    if (stored.sha256 === props.sha256) return props;
    log(
      `drift: version ${props.versionId} holds sha256 ${stored.sha256 ?? "(none)"}, state says ${props.sha256}`,
    );
    // A sourceKey no program sets makes the next `up` see a change and repackage.
    return {
      ...props,
      sha256: stored.sha256 ?? "",
      sourceKey: `drifted:${stored.sourceKey ?? ""}`,
    };
  });
}

/**
 * Deletes exactly the recorded version, and the recorded version of its SBOM,
 * in the store they were written to. Never a bare key: on a replacement at
 * the same key that would put a delete marker over the new upload.
 */
export async function deleteVersion(props: LambdaPackageOutputs): Promise<void> {
  const label = `${props.bucket}/${props.key}`;
  if (props.retainOnDelete || props.immutable) {
    const why = props.retainOnDelete ? "retainOnDelete" : "immutable objects are never deleted";
    logResult(label, `kept version ${props.versionId} (${why})`);
    return;
  }
  await withS3Client(recordedSettings(props), async (client) => {
    await deleteObjectVersion(client, props.bucket, props.key, props.versionId);
    if (props.sbom)
      await deleteObjectVersion(client, props.bucket, props.sbom.key, props.sbom.versionId);
    const sbom = props.sbom ? ` and SBOM version ${props.sbom.versionId}` : "";
    logResult(label, `deleted version ${props.versionId}${sbom}`);
  });
}
