/**
 * What `check` says of `packagerEnv`, through the provider in both its forms:
 * it names the entry and what is wrong, and never quotes a value, since any
 * value may be a secret; a credential-like name is refused with the way a
 * token does reach a packager.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { PROVIDER_FORMS, providerIn, type Provider } from "../support/provider";
import { tempDir } from "../support/tmp";

const SECRET = "hunter2-npm-token-value";

for (const form of PROVIDER_FORMS) {
  describe(`check of packagerEnv (${form})`, () => {
    let provider: Provider;
    let base: Record<string, unknown>;

    before(async () => {
      provider = await providerIn(form);
      const sourcePath = await tempDir("check-env");
      await writeFile(path.join(sourcePath, "app.py"), "x = 1\n");
      base = { bucket: "b-1", runtime: "copy", sourceKey: "k", sourcePath };
    });

    const failures = async (packagerEnv: unknown, extra: Record<string, unknown> = {}) =>
      (await provider.check({}, { ...base, ...extra, packagerEnv })).failures ?? [];

    test("a non-string entry is named with its type, and no value of the map is quoted", async () => {
      const found = await failures(
        { INDEX_URL: SECRET, COUNT: 3 },
        { secretPackagerEnv: ["INDEX_URL"] },
      );
      assert.deepEqual(
        found.map((f) => `${f.property}: ${f.reason}`),
        ["packagerEnv: packagerEnv.COUNT must be a string; got a number"],
      );
    });

    test("a packagerEnv that is not a map says what it is, not what it holds", async () => {
      for (const [value, kind] of [
        [`INDEX_URL=${SECRET}`, "a string"],
        [[SECRET], "a list"],
      ] as const) {
        const found = await failures(value);
        assert.deepEqual(
          found.map((f) => `${f.property}: ${f.reason}`),
          [`packagerEnv: packagerEnv must be a map of string to string; got ${kind}`],
        );
      }
    });

    test("a credential-like name is refused without its value, pointing to inheritCredentials", async () => {
      const found = await failures({ NPM_TOKEN: SECRET }, { secretPackagerEnv: ["NPM_TOKEN"] });
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0].property, "packagerEnv");
      assert.ok(!found[0].reason.includes(SECRET), found[0].reason);
      assert.match(found[0].reason, /^packagerEnv "NPM_TOKEN" looks like a credential/);
      assert.match(found[0].reason, /inheritCredentials: true/);
      assert.match(found[0].reason, /environment of `pulumi up`/);
    });
  });
}
