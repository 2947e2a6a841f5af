import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { uploadArtifact } from "../../../provider/s3";
import { logLines, MiB, requestFor } from "../../support/artifacts";
import { attempt, faultFixture, KEY, LIMIT, MULTIPART, succeeded } from "./fault-scene";

// Connection cuts; see faults-checksum-throttle.test.ts and faults-crash.test.ts for the rest.
const { zips, scene, assertClean } = faultFixture();

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
});
