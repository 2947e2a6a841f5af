/**
 * The harness of the faults*.test.ts files: a store with a fault proxy in front,
 * and the invariants every fault must leave.
 */
import assert from "node:assert/strict";
import { LambdaPackageError } from "../../../shared/errors";
import {
  createS3Client,
  uploadArtifact,
  type UploadRequest,
  type UploadResult,
} from "../../../provider/s3";
import { artifactsFixture, MiB, requestFor, type Artifact } from "../../support/artifacts";
import { startFaultProxy, type FaultPlan } from "../../support/fault-proxy";
import { minioFixture } from "../../support/minio";

export const KEY = "fn/app.zip";
export const MULTIPART: Partial<UploadRequest> = { multipartThreshold: 5 * MiB, partSize: 5 * MiB };
export const LIMIT = { timeout: 60_000 };

export type Outcome = { ok: UploadResult } | { error: unknown };

export async function attempt(run: () => Promise<UploadResult>): Promise<Outcome> {
  try {
    return { ok: await run() };
  } catch (error) {
    return { error };
  }
}

export function succeeded(outcome: Outcome): UploadResult {
  if ("error" in outcome) throw outcome.error;
  return outcome.ok;
}

/**
 * Registers the hooks of a fault test file: a MinIO and the artifacts `baseline`,
 * `single` (one PUT) and `parts` (three parts with MULTIPART).
 */
export function faultFixture() {
  // Its own MinIO even when LAMBDA_PACKAGE_TEST_S3_ENDPOINT is set: the proxy needs
  // its port, and the crash test kills it.
  const minio = minioFixture({ ownServer: true });
  const zips = artifactsFixture({
    baseline: 256 * 1024,
    single: 3 * MiB,
    parts: 12 * MiB + 4321,
  });

  /** A bucket whose KEY already holds `baseline`, and a proxy with `plan` in front of the store. */
  async function scene(plan: FaultPlan, maxAttempts = 3) {
    const bucket = await minio.bucket();
    const direct = createS3Client(minio.settings());
    const { versionId } = await uploadArtifact(direct, requestFor(zips.baseline, bucket, KEY));
    direct.destroy();
    const proxy = await startFaultProxy(minio.server.port, plan);
    const client = createS3Client(minio.settings({ endpoint: proxy.endpoint, maxAttempts }));
    const close = async () => {
      client.destroy();
      await proxy.close();
    };
    return { bucket, proxy, client, baselineVersion: versionId, close };
  }

  /**
   * The invariants every fault must leave: a retried success or a clear error;
   * no open multipart upload; only whole versions (the baseline, plus the new
   * zip on success); the baseline still downloadable.
   */
  async function assertClean(
    bucket: string,
    baselineVersion: string,
    outcome: Outcome,
    zip: Artifact,
  ) {
    assert.deepEqual(await minio.openUploads(bucket), [], "no multipart upload left open");
    const { versions, deleteMarkers } = await minio.versionsOf(bucket, KEY);
    assert.deepEqual(deleteMarkers, []);
    const ids = versions.map((v) => v.VersionId).sort();
    if ("ok" in outcome) {
      assert.deepEqual(ids, [baselineVersion, outcome.ok.versionId].sort());
      assert.ok((await minio.download(bucket, KEY, outcome.ok.versionId)).equals(zip.bytes));
    } else {
      assert.ok(
        outcome.error instanceof LambdaPackageError,
        `unclear error: ${String(outcome.error)}`,
      );
      assert.match(outcome.error.message, new RegExp(`s3://${bucket}/${KEY}`));
      assert.deepEqual(ids, [baselineVersion], "no partial version");
    }
    assert.ok((await minio.download(bucket, KEY, baselineVersion)).equals(zips.baseline.bytes));
  }

  return { minio, zips, scene, assertClean };
}
