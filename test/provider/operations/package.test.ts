/** The build key: what it covers, and what it must not give away. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LambdaPackageInputs } from "../../../provider/args";
import { buildKeyOf } from "../../../provider/operations/package";
import { tempDir } from "../../support/tmp";

describe("buildKeyOf", () => {
  test("a secret packagerEnv value counts by its name only, so the key gives nothing to guess a PIN against", async () => {
    const sourcePath = await tempDir("build-key");
    const inputs = (pin: string, secret: boolean): LambdaPackageInputs => ({
      bucket: "b",
      sourcePath,
      runtime: "copy",
      packagerEnv: { PIN: pin, REGION: "eu" },
      ...(secret && { secretPackagerEnv: ["PIN"] }),
    });
    const key = (pin: string, secret: boolean) => buildKeyOf(inputs(pin, secret), "reads:x");
    assert.equal(key("1234", true), key("5678", true));
    assert.notEqual(key("1234", false), key("5678", false), "a plain value shapes the key");
    assert.notEqual(key("1234", true), key("1234", false));
  });

  test("what the build read and a given sourceKey both count", async () => {
    const sourcePath = await tempDir("build-key");
    const inputs: LambdaPackageInputs = { bucket: "b", sourcePath, runtime: "copy" };
    assert.notEqual(buildKeyOf(inputs, "reads:a"), buildKeyOf(inputs, "reads:b"));
    assert.notEqual(
      buildKeyOf(inputs, "reads:a"),
      buildKeyOf({ ...inputs, sourceKey: "commit-1" }, "reads:a"),
    );
  });
});
