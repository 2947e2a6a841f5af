import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";

const INDEX = path.resolve(__dirname, "../index.js");

test("a program importing the package loads the build engine only when build() is called", () => {
  const script = `
    const lib = require(${JSON.stringify(INDEX)});
    const before = Object.keys(require.cache).filter((f) => f.endsWith(${JSON.stringify(path.join("engine", "build.js"))}));
    lib.build({ sourcePath: "/nonexistent", runtime: "copy" }).catch(() => {
      const after = Object.keys(require.cache).filter((f) => f.endsWith(${JSON.stringify(path.join("engine", "build.js"))}));
      process.stdout.write(JSON.stringify({ before: before.length, after: after.length, exports: Object.keys(lib).sort() }));
    });
  `;
  const seen = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as {
    before: number;
    after: number;
    exports: string[];
  };
  assert.equal(seen.before, 0, "importing the package loaded engine/build");
  assert.equal(seen.after, 1, "build() did not load engine/build");
  for (const name of [
    "LambdaCode",
    "LambdaPackage",
    "build",
    "gitSourceKey",
    "gitSourceKeys",
    "LambdaPackageError",
  ]) {
    assert.ok(seen.exports.includes(name), `the package no longer exports ${name}`);
  }
});
