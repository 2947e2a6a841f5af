import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { uploadArtifact } from "../../../provider/s3";
import { logLines, MiB, requestFor } from "../../support/artifacts";
import { attempt, faultFixture, KEY, LIMIT, MULTIPART } from "./fault-scene";

// The store itself dies mid-upload; this file's MinIO is its own (see faultFixture).
const { minio, zips, scene, assertClean } = faultFixture();

describe("uploads under network faults", () => {
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
