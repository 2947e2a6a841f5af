import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

const ENTRY = path.resolve(__dirname, "../../provider/entry.js");

/**
 * Runs `check` and `diff` through the entry point in a fresh process (a
 * module cache of its own) and returns the modules that process loaded.
 */
function modulesLoadedByPreview(): string[] {
  const source = mkdtempSync(path.join(os.tmpdir(), "entry-"));
  writeFileSync(path.join(source, "index.js"), "exports.handler = async () => 1;\n");
  const script = `
    const entry = require(${JSON.stringify(ENTRY)});
    (async () => {
      const news = { bucket: "my-bucket", sourcePath: ${JSON.stringify(source)}, runtime: "copy" };
      const checked = await entry.check({}, news);
      if (checked.failures.length) throw new Error(JSON.stringify(checked.failures));
      const olds = { ...checked.inputs, sourceKey: "reads:0", sourceReads: [${JSON.stringify(source)}] };
      const diff = await entry.diff("id", olds, checked.inputs);
      if (!diff.changes) throw new Error("the changed reads key planned no change");
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));
    })();
  `;
  return JSON.parse(
    execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }),
  ) as string[];
}

test("a preview's check and diff load neither the AWS SDK nor the build engine", () => {
  const loaded = modulesLoadedByPreview();
  const unwanted = loaded.filter((file) =>
    /node_modules[\\/](@aws-sdk|@smithy|execa|@cyclonedx)[\\/]|[\\/]engine[\\/](build|zip|stage|audit|python)[\\/.]|[\\/]operations[\\/]lifecycle\.js$/.test(
      file,
    ),
  );
  assert.deepEqual(unwanted, [], "a no-op preview pays for loading these");
  // The check that the test sees what it means to: the operations themselves were loaded.
  assert.ok(loaded.some((file) => file.endsWith(path.join("operations", "diff.js"))));
});
