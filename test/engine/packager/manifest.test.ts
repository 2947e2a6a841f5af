import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { readSourceManifest } from "../../../engine/packager/manifest";
import { LambdaPackageError } from "../../../shared/errors";
import { tempDir } from "../../support/tmp";

async function manifest(text: string): Promise<string> {
  const file = path.join(await tempDir("manifest"), "source.manifest");
  await writeFile(file, text);
  return file;
}

test("no manifest means no source: seed-style packagers are unchanged", async () => {
  const dir = await tempDir("manifest");
  assert.equal(await readSourceManifest(path.join(dir, "source.manifest")), undefined);
});

test("include and exclude lines give prefixes and patterns; comments and blanks are skipped", async () => {
  const file = await manifest(
    "# the source\ninclude .\ninclude python/\ninclude ./python\n\nexclude node_modules/   # deps\nexclude *.pyc\n",
  );
  assert.deepEqual(await readSourceManifest(file), {
    includes: ["", "python/"],
    excludes: ["node_modules/", "*.pyc"],
  });
});

test("a line it does not know, or a directory outside the package, names the line and the rule", async () => {
  for (const [text, expected] of [
    [
      "include .\ncopy everything\n",
      /"copy everything" on line 2 .*lines are "include <dir>" or "exclude <pattern>"/,
    ],
    ["include ../up\n", /"include \.\.\/up" on line 1 .*inside the package/],
    ["include /abs\n", /"include \/abs" on line 1 .*inside the package/],
    ["exclude\n", /"exclude" on line 1/],
  ] as const) {
    await assert.rejects(readSourceManifest(await manifest(text)), (error: unknown) => {
      assert.ok(error instanceof LambdaPackageError && error.code === "SOURCE_MANIFEST_INVALID");
      assert.match(error.message, expected);
      assert.match(error.message, /packagers\/README\.md/);
      return true;
    });
  }
});
