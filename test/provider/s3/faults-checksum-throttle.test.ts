import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { uploadArtifact } from "../../../provider/s3";
import { MiB, requestFor } from "../../support/artifacts";
import { attempt, faultFixture, KEY, LIMIT, MULTIPART, succeeded } from "./fault-scene";

// A corrupted body and throttling, each in one PUT and in parts.
const { zips, scene, assertClean } = faultFixture();

describe("uploads under network faults", () => {
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
});
