import { rm } from "node:fs/promises";
import path from "node:path";
import { build } from "../../engine/build";
import { formatBytes } from "../../engine/stage/limits";
import type { BuildResult } from "../../engine/types";
import type { LambdaPackageInputs } from "../args";
import {
  assertBucketReady,
  consoleUrl,
  createS3Client,
  deleteVersion,
  headVersion,
  uploadArtifact,
} from "../s3";
import { contentKey, keyPrefixOf, layoutOf } from "./layout";
import { logger, seconds } from "./log";
import type { LambdaPackageOutputs } from "./outputs";
import { s3Settings } from "./settings";

/** Packages the source and uploads it as a new version; returns the complete outputs. */
export async function publish(inputs: LambdaPackageInputs): Promise<LambdaPackageOutputs> {
  const settings = s3Settings(inputs);
  const client = createS3Client(settings);
  const log = logger(`${inputs.bucket}/${inputs.key ?? keyPrefixOf(inputs) + "/…"}`);
  try {
    // The bucket is checked first, so a missing bucket or disabled versioning
    // costs no packaging time and nothing is ever half-uploaded.
    await assertBucketReady(client, inputs.bucket, settings);
    const started = Date.now();
    const built = await packageSource(inputs, log);
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

function packageSource(
  inputs: LambdaPackageInputs,
  log: (l: string) => void,
): Promise<BuildResult> {
  return build({
    sourcePath: path.resolve(inputs.sourcePath),
    runtime: inputs.runtime,
    packager: inputs.packager,
    packagersDir: inputs.packagersDir,
    exclude: inputs.exclude,
    compressionLevel: inputs.compressionLevel,
    architecture: inputs.architecture,
    layer: inputs.layer,
    pythonMode: inputs.pythonMode,
    env: inputs.packagerEnv,
    inheritCredentials: inputs.inheritCredentials,
    log,
  });
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
export async function refresh(
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
export async function unpublish(props: LambdaPackageOutputs): Promise<void> {
  const log = logger(`${props.bucket}/${props.key}`);
  if (props.retainOnDelete || props.immutable) {
    const why = props.retainOnDelete ? "retainOnDelete" : "immutable objects are never deleted";
    log(`kept version ${props.versionId} (${why})`);
    return;
  }
  const client = createS3Client(s3Settings(props));
  try {
    await deleteVersion(client, props.bucket, props.key, props.versionId);
    log(`deleted version ${props.versionId}`);
  } finally {
    client.destroy();
  }
}
