import assert from "node:assert/strict";
import os from "node:os";
import { test } from "node:test";
import { serializedProvider } from "../support/provider";
import { ROOT } from "../support/pulumi";

test("the serialized provider loads the stable entry by name and stores no path of this machine", async () => {
  const { text } = await serializedProvider();
  assert.match(text, /"pulumi-lambda-package\/dynamic-provider"/);
  for (const local of [ROOT, process.cwd(), os.homedir(), os.tmpdir()]) {
    assert.ok(!text.includes(local), `the text holds ${local}`);
  }
});
