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
    entries: [],
  });
});

test("entry lines list ranges of the archive the last from line names, paths with spaces included", async () => {
  const file = await manifest(
    "from /work/a\nentry 0 10 644 node_modules/x/index.js\nentry 10 0 755 node_modules/.bin/my tool\n" +
      "from /work/b\nentry 7 3 644 # not a comment\n",
  );
  assert.deepEqual((await readSourceManifest(file))?.entries, [
    { name: "node_modules/x/index.js", archive: "/work/a", offset: 0, size: 10, executable: false },
    {
      name: "node_modules/.bin/my tool",
      archive: "/work/a",
      offset: 10,
      size: 0,
      executable: true,
    },
    { name: "# not a comment", archive: "/work/b", offset: 7, size: 3, executable: false },
  ]);
});

test("a line it does not know, or a directory outside the package, names the line and the rule", async () => {
  for (const [text, expected] of [
    [
      "include .\ncopy everything\n",
      /"copy everything" on line 2 .*lines are "include <dir>", "exclude <pattern>", "from <absolute path>"/,
    ],
    ["entry 0 1 644 a.js\n", /"entry 0 1 644 a\.js" on line 1 .*needs a "from <archive>" line/],
    ["from relative/archive\n", /"from relative\/archive" on line 1/],
    ["from /a\nentry 0 1 600 a.js\n", /"entry 0 1 600 a\.js" on line 2/],
    ["from /a\nentry -1 1 644 a.js\n", /on line 2/],
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
