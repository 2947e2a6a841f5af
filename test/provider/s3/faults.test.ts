import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../engine/errors";
import {
  createS3Client,
  uploadArtifact,
  type UploadRequest,
  type UploadResult,
} from "../../../provider/s3";
import {
  artifactsFixture,
  logLines,
  MiB,
  requestFor,
  type Artifact,
} from "../../support/artifacts";
import { startFaultProxy, type FaultPlan, type FaultProxy } from "../../support/fault-proxy";
import { minioFixture } from "../../support/minio";

// Its own MinIO even when LAMBDA_PACKAGE_TEST_S3_ENDPOINT is set: one test kills it.
const minio = minioFixture({ ownServer: true });
const zips = artifactsFixture({
  baseline: 256 * 1024,
  single: 3 * MiB,
  parts: 12 * MiB + 4321,
});
const KEY = "fn/app.zip";
const MULTIPART: Partial<UploadRequest> = { multipartThreshold: 5 * MiB, partSize: 5 * MiB };
const LIMIT = { timeout: 60_000 };

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

type Outcome = { ok: UploadResult } | { error: unknown };

async function attempt(run: () => Promise<UploadResult>): Promise<Outcome> {
  try {
    return { ok: await run() };
  } catch (error) {
    return { error };
  }
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

function succeeded(outcome: Outcome): UploadResult {
  if ("error" in outcome) throw outcome.error;
  return outcome.ok;
}

describe("uploads under network faults", () => {
  test("a connection cut mid single PUT is retried to success", LIMIT, async () => {
    const s = await scene({ cutAfterBytes: 1 * MiB, cuts: 1 });
    const outcome = await attempt(() =>
      uploadArtifact(s.client, requestFor(zips.single, s.bucket, KEY)),
    );
    await s.close();
    assert.equal(s.proxy.stats.cuts, 1);
    succeeded(outcome);
    await assertClean(s.bucket, s.baselineVersion, outcome, zips.single);
  });

  test("a connection cut mid part is retried to success", LIMIT, async () => {
    const s = await scene({ cutAfterBytes: 2 * MiB, cuts: 1 });
    const request = requestFor(zips.parts, s.bucket, KEY, MULTIPART);
    const outcome = await attempt(() => uploadArtifact(s.client, request));
    await s.close();
    assert.equal(s.proxy.stats.cuts, 1);
    succeeded(outcome);
    await assertClean(s.bucket, s.baselineVersion, outcome, zips.parts);
  });

  for (const [name, zip, extra] of [
    ["single PUT", () => zips.single, {}],
    ["multipart upload", () => zips.parts, MULTIPART],
  ] as const) {
    test(
      `cuts on every attempt fail a ${name} clearly and leave nothing behind`,
      LIMIT,
      async (t) => {
        const s = await scene({ cutAfterBytes: 2 * MiB - 1, cuts: 50 }, 2);
        const { lines, log } = logLines();
        const request = requestFor(zip(), s.bucket, KEY, { ...extra, log });
        const outcome = await attempt(() => uploadArtifact(s.client, request));
        await s.close();
        assert.ok("error" in outcome, "cannot succeed");
        assert.ok(outcome.error instanceof LambdaPackageError);
        t.diagnostic(outcome.error.message);
        assert.equal(outcome.error.code, "S3_REQUEST_FAILED", outcome.error.message);
        assert.match(outcome.error.message, /ECONNRESET|socket hang up|EPIPE/);
        assert.ok(s.proxy.stats.cuts >= 2, `${s.proxy.stats.cuts} cuts`);
        await assertClean(s.bucket, s.baselineVersion, outcome, zip());
        assert.ok(!lines.some((l) => l.includes("could not abort")), lines.join("\n"));
      },
    );
  }

  test(
    "a bit flipped in transit fails the store's SHA-256 check and stores nothing",
    LIMIT,
    async (t) => {
      for (const [zip, extra] of [
        [zips.single, {}],
        [zips.parts, MULTIPART],
      ] as const) {
        const s = await scene({ corruptAtByte: 1 * MiB, corruptions: 1 });
        const outcome = await attempt(() =>
          uploadArtifact(s.client, requestFor(zip, s.bucket, KEY, extra)),
        );
        await s.close();
        assert.equal(s.proxy.stats.corruptions, 1);
        assert.ok("error" in outcome, "a corrupted body must not be stored");
        assert.ok(outcome.error instanceof LambdaPackageError);
        t.diagnostic(outcome.error.message);
        assert.match(outcome.error.message, /Checksum|Digest/i);
        await assertClean(s.bucket, s.baselineVersion, outcome, zip);
      }
    },
  );

  test("503 SlowDown to the first two requests is retried to success", LIMIT, async () => {
    for (const [zip, extra] of [
      [zips.single, {}],
      [zips.parts, MULTIPART],
    ] as const) {
      const s = await scene({ slowDowns: 2 });
      const outcome = await attempt(() =>
        uploadArtifact(s.client, requestFor(zip, s.bucket, KEY, extra)),
      );
      await s.close();
      assert.equal(s.proxy.stats.slowDowns, 2);
      succeeded(outcome);
      await assertClean(s.bucket, s.baselineVersion, outcome, zip);
    }
  });

  test(
    "MinIO killed with SIGKILL mid multipart upload and restarted leaves no partial object",
    LIMIT,
    async (t) => {
      let restarted: Promise<void> | undefined;
      const crash = () => {
        restarted = minio.server.kill9().then(() => minio.server.restart());
      };
      const s = await scene({ onBytes: { atBytes: 6 * MiB, run: crash } });
      const { lines, log } = logLines();
      const request = requestFor(zips.parts, s.bucket, KEY, { ...MULTIPART, concurrency: 2, log });
      const outcome = await attempt(() => uploadArtifact(s.client, request));
      await restarted;
      await s.close();
      assert.ok(restarted, "the crash happened mid-upload");
      t.diagnostic(
        "error" in outcome
          ? `outcome: clear error: ${String(outcome.error)}`
          : "outcome: retried to success",
      );
      if ("error" in outcome) {
        assert.ok(outcome.error instanceof LambdaPackageError);
        assert.equal(outcome.error.code, "S3_REQUEST_FAILED", outcome.error.message);
      }
      await assertClean(s.bucket, s.baselineVersion, outcome, zips.parts);
      assert.ok(!lines.some((l) => l.includes("could not abort")), lines.join("\n"));
    },
  );
});
