import { rm } from "node:fs/promises";
import { build, type BuildResult } from "../../engine/build";
import type { PackageOptions } from "../../engine/options";
import { formatBytes } from "../../shared/format";
import type { LambdaPackageInputs } from "../args";
import { BUILD_FIELDS } from "../fields";
import { COMPUTED_OUTPUTS, type LambdaPackageOutputs } from "../outputs";
import {
  assertBucketReady,
  consoleUrl,
  createS3Client,
  deleteVersion as deleteObjectVersion,
  headVersion,
  uploadArtifact,
} from "../s3";
import { contentKey, keyPrefixOf, layoutOf } from "./layout";
import { logger, seconds } from "./log";
import { s3Settings } from "./settings";

/**
 * The resource is one object version; its operations, named as Pulumi names
 * them. `createVersion` packages the source and uploads it as a new version.
 */
export async function createVersion(inputs: LambdaPackageInputs): Promise<LambdaPackageOutputs> {
  const settings = s3Settings(inputs);
  const client = createS3Client(settings);
  const log = logger(`${inputs.bucket}/${inputs.key ?? keyPrefixOf(inputs) + "/…"}`);
  try {
    // The bucket is checked first, so a missing bucket or disabled versioning
    // costs no packaging time and nothing is ever half-uploaded.
    await assertBucketReady(client, inputs.bucket, settings);
    const started = Date.now();
    const built = await build({ ...buildOptions(inputs), log });
    log(
      `packaged ${built.fileCount} files, ${formatBytes(built.unzippedSize)} → ` +
        `${formatBytes(built.size)} in ${seconds(started)}; sha256 ${built.sha256}`,
    );
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
      const region = (await client.config.region()) ?? "us-east-1";
      const url = consoleUrl(inputs.bucket, key, region);
      log(`console: ${url}`);
      return outputs(inputs, built, key, upload.versionId, url);
    } finally {
      await rm(built.path, { force: true });
    }
  } finally {
    client.destroy();
  }
}

/**
 * An update that repackages is a new version, as on create; one that only
 * changes settings keeps the object and records the new inputs.
 */
export async function updateVersion(
  olds: LambdaPackageOutputs,
  news: LambdaPackageInputs,
  repackage: boolean,
): Promise<LambdaPackageOutputs> {
  if (repackage) return createVersion(news);
  const computed = Object.fromEntries(COMPUTED_OUTPUTS.map((name) => [name, olds[name]]));
  return { ...news, ...computed, key: olds.key, bucket: olds.bucket } as LambdaPackageOutputs;
}

/** The inputs that are the engine's options, passed on by name: the field table says which. */
function buildOptions(inputs: LambdaPackageInputs): PackageOptions {
  // The compiler holds the inputs to the options' types: same names, same values.
  const picked: Pick<LambdaPackageInputs, keyof PackageOptions> = inputs;
  return Object.fromEntries(
    BUILD_FIELDS.map((name) => [name, picked[name]]),
  ) as unknown as typeof picked satisfies PackageOptions;
}

function outputs(
  inputs: LambdaPackageInputs,
  built: BuildResult,
  key: string,
  versionId: string,
  url: string,
): LambdaPackageOutputs {
  return {
    ...inputs,
    key,
    versionId,
    sha256: built.sha256,
    sourceCodeHash: built.sourceCodeHash,
    size: built.size,
    unzippedSize: built.unzippedSize,
    fileCount: built.fileCount,
    consoleUrl: url,
    s3Uri: `s3://${inputs.bucket}/${key}`,
    layout: layoutOf(inputs),
  };
}

/**
 * `pulumi refresh`: the recorded version still there and holding what we
 * uploaded? Gone → undefined (the engine drops it and the next `up` recreates
 * it). Other content → outputs that show it, so the next `up` repackages.
 */
export async function readVersion(
  props: LambdaPackageOutputs,
): Promise<LambdaPackageOutputs | undefined> {
  const client = createS3Client(s3Settings(props));
  try {
    const stored = await headVersion(client, props.bucket, props.key, props.versionId);
    if (!stored) {
      logger(`${props.bucket}/${props.key}`)(
        `version ${props.versionId} is gone; the next up recreates it`,
      );
      return undefined;
    }
    if (stored.sha256 === props.sha256) return props;
    logger(`${props.bucket}/${props.key}`)(
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
 * Deletes exactly the recorded version. Never a bare key: on a replacement at
 * the same key that would put a delete marker over the new upload.
 */
export async function deleteVersion(props: LambdaPackageOutputs): Promise<void> {
  const log = logger(`${props.bucket}/${props.key}`);
  if (props.retainOnDelete || props.immutable) {
    const why = props.retainOnDelete ? "retainOnDelete" : "immutable objects are never deleted";
    log(`kept version ${props.versionId} (${why})`);
    return;
  }
  const client = createS3Client(s3Settings(props));
  try {
    await deleteObjectVersion(client, props.bucket, props.key, props.versionId);
    log(`deleted version ${props.versionId}`);
  } finally {
    client.destroy();
  }
}
