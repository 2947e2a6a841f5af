import { rm } from "node:fs/promises";
import { build } from "../../engine/build";
import type { PackageOptions } from "../../engine/options";
import { LambdaPackageError } from "../../shared/errors";
import { formatBytes } from "../../shared/format";
import { onInterrupt } from "../../shared/interrupt";
import type { LambdaPackageInputs } from "../args";
import { BUILD_FIELDS } from "../fields";
import { COMPUTED_OUTPUTS, type LambdaPackageOutputs } from "../outputs";
import {
  assertBucketReady,
  consoleUrl,
  createS3Client,
  deleteVersion as deleteObjectVersion,
  describeTarget,
  headVersion,
  uploadArtifact,
  type S3Settings,
} from "../s3";
import { contentKey, keyPrefixOf, layoutOf } from "./layout";
import { logger, seconds } from "./log";
import { recordedSettings, s3Settings, storeOf } from "./store";

/**
 * The resource is one object version; its operations, named as Pulumi names
 * them. `createVersion` packages the source and uploads it as a new version,
 * to the store `settings` lead to (a new object's, unless given).
 */
export async function createVersion(
  inputs: LambdaPackageInputs,
  settings: S3Settings = s3Settings(inputs),
): Promise<LambdaPackageOutputs> {
  const client = createS3Client(settings);
  const store = storeOf(settings);
  const log = logger(`${inputs.bucket}/${inputs.key ?? keyPrefixOf(inputs) + "/…"}`);
  try {
    // The bucket is checked first, so a missing bucket or disabled versioning
    // costs no packaging time and nothing is ever half-uploaded.
    await assertBucketReady(client, inputs.bucket, settings);
    const started = Date.now();
    const built = await build({ ...buildOptions(inputs), secrets: secretsOf(inputs), log });
    log(
      `packaged ${built.fileCount} files, ${formatBytes(built.unzippedSize)} → ` +
        `${formatBytes(built.size)} in ${seconds(started)}; sha256 ${built.sha256}`,
    );
    // The zip is a temporary file of this process: gone when it ends, interrupted or not.
    const removeZip = () => rm(built.path, { force: true });
    const stopOnInterrupt = onInterrupt(removeZip);
    try {
      const key = inputs.key ?? contentKey(keyPrefixOf(inputs), built.sha256);
      const upload = await uploadArtifact(client, {
        bucket: inputs.bucket,
        key,
        file: built.path,
        size: built.size,
        sha256: built.sha256,
        sourceCodeHash: built.sourceCodeHash,
        sourceKey: inputs.sourceKey,
        metadata: inputs.metadata,
        tags: inputs.tags,
        serverSideEncryption: inputs.serverSideEncryption,
        kmsKeyId: inputs.kmsKeyId,
        immutable: inputs.immutable,
        log,
      });
      const url = consoleUrl(inputs.bucket, key, store.storeRegion);
      log(`console: ${url}`);
      const { path: _zip, ...zip } = built; // the temporary zip's path stays out of the state
      return {
        ...inputs,
        ...store,
        ...zip,
        key,
        versionId: upload.versionId,
        consoleUrl: url,
        s3Uri: `s3://${inputs.bucket}/${key}`,
        layout: layoutOf(inputs),
      };
    } finally {
      stopOnInterrupt();
      await removeZip();
    }
  } finally {
    client.destroy();
  }
}

/**
 * An update writes to the store the object is in (changing `region` or
 * `endpoint` replaces it instead). One that repackages uploads a new version;
 * when that moved a content-addressed object to another key, the old version
 * is deleted, as a delete would (honouring `retainOnDelete` and `immutable`),
 * so nothing is left behind as the current version of a key no one uses.
 * One that only changes settings keeps the object and records the inputs.
 */
export async function updateVersion(
  olds: LambdaPackageOutputs,
  news: LambdaPackageInputs,
  repackage: boolean,
): Promise<LambdaPackageOutputs> {
  const store = { storeRegion: olds.storeRegion, storeEndpoint: olds.storeEndpoint };
  if (!repackage) {
    const computed = Object.fromEntries(COMPUTED_OUTPUTS.map((name) => [name, olds[name]]));
    return { ...news, ...computed, key: olds.key, bucket: olds.bucket } as LambdaPackageOutputs;
  }
  const outs = await createVersion(news, recordedSettings({ ...olds, ...news, ...store }));
  if (outs.key !== olds.key) {
    logger(`${olds.bucket}/${olds.key}`)(
      `the content moved to ${outs.key}; removing this key's version`,
    );
    await deleteVersion(olds);
  }
  return outs;
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
  const client = createS3Client(settings);
  const log = logger(`${props.bucket}/${props.key}`);
  try {
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
  } finally {
    client.destroy();
  }
}

/**
 * Deletes exactly the recorded version, in the store it was written to. Never
 * a bare key: on a replacement at the same key that would put a delete marker
 * over the new upload.
 */
export async function deleteVersion(props: LambdaPackageOutputs): Promise<void> {
  const log = logger(`${props.bucket}/${props.key}`);
  if (props.retainOnDelete || props.immutable) {
    const why = props.retainOnDelete ? "retainOnDelete" : "immutable objects are never deleted";
    log(`kept version ${props.versionId} (${why})`);
    return;
  }
  const client = createS3Client(recordedSettings(props));
  try {
    await deleteObjectVersion(client, props.bucket, props.key, props.versionId);
    log(`deleted version ${props.versionId}`);
  } finally {
    client.destroy();
  }
}
