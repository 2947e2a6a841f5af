import assert from "node:assert/strict";
import os from "node:os";
import { test } from "node:test";
import { serializedProvider } from "../support/provider";
import { ROOT } from "../support/pulumi";

test("the provider serialized by value loads the implementation by name and stores no path of this machine", async () => {
  // Here, inside this repository, the provider is a local module: Pulumi stores its code.
  const { text } = await serializedProvider();
  assert.match(text, /"pulumi-lambda-package\/dynamic-provider\/implementation"/);
  for (const local of [ROOT, process.cwd(), os.homedir(), os.tmpdir()]) {
    assert.ok(!text.includes(local), `the text holds ${local}`);
  }
});
