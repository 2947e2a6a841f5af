import assert from "node:assert/strict";
import { symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { manifestLine, readSourceManifest } from "../../../engine/packager/manifest";
import { LambdaPackageError } from "../../../shared/errors";
import { tempDir } from "../../support/tmp";

/** A work dir holding `text` as its manifest; `${WORK}` in the text is the work dir. */
async function manifest(text: string): Promise<{ file: string; workDir: string }> {
  const workDir = await tempDir("manifest");
  const file = path.join(workDir, "source.manifest");
  await writeFile(file, text.replaceAll("${WORK}", workDir));
  return { file, workDir };
}

async function read(text: string) {
  const { file, workDir } = await manifest(text);
  return readSourceManifest(file, workDir);
}

test("no manifest means no source: seed-style packagers are unchanged", async () => {
  const dir = await tempDir("manifest");
  assert.equal(await readSourceManifest(path.join(dir, "source.manifest"), dir), undefined);
});

test("include and exclude lines give prefixes and patterns; comments and blanks are skipped", async () => {
  const text =
    "# the source\ninclude .\ninclude python/\ninclude ./python\n\nexclude node_modules/   # deps\nexclude *.pyc\n";
  assert.deepEqual(await read(text), {
    includes: ["", "python/"],
    excludes: ["node_modules/", "*.pyc"],
    entries: [],
  });
});

test("entry lines list ranges of the archive the last from line names, paths with spaces included", async () => {
  const { file, workDir } = await manifest(
    "from ${WORK}/a\nentry 0 10 644 node_modules/x/index.js\nentry 10 0 755 node_modules/.bin/my tool\n" +
      "from ${WORK}/b\nentry 7 3 644 # not a comment\n",
  );
  const [a, b] = [path.join(workDir, "a"), path.join(workDir, "b")];
  assert.deepEqual((await readSourceManifest(file, workDir))?.entries, [
    { name: "node_modules/x/index.js", archive: a, offset: 0, size: 10, executable: false },
    {
      name: "node_modules/.bin/my tool",
      archive: a,
      offset: 10,
      size: 0,
      executable: true,
    },
    { name: "# not a comment", archive: b, offset: 7, size: 3, executable: false },
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
    ["from ${WORK}/a\nentry 0 1 600 a.js\n", /"entry 0 1 600 a\.js" on line 2/],
    ["from ${WORK}/a\nentry -1 1 644 a.js\n", /on line 2/],
    ["include ../up\n", /"include \.\.\/up" on line 1 .*inside the package/],
    ["include /abs\n", /"include \/abs" on line 1 .*inside the package/],
    ["exclude\n", /"exclude" on line 1/],
  ] as const) {
    await assert.rejects(read(text), (error: unknown) => {
      assert.ok(error instanceof LambdaPackageError && error.code === "SOURCE_MANIFEST_INVALID");
      assert.match(error.message, expected);
      assert.match(error.message, /packagers\/README\.md/);
      return true;
    });
  }
});

test("a from archive outside the build's work dir, or reached through a link out of it, is SOURCE_MANIFEST_INVALID naming it", async () => {
  const outside = path.join(await tempDir("manifest-outside"), "secret");
  await writeFile(outside, "not the packager's");
  for (const [text, expected] of [
    [`from ${outside}\nentry 0 5 644 stolen\n`, outside],
    ["from ${WORK}/../elsewhere\nentry 0 5 644 stolen\n", "/../elsewhere"],
    ["from ${WORK}\n", "from /"],
    ["from ${WORK}/link\nentry 0 5 644 stolen\n", `it leads to ${outside}`],
  ] as const) {
    const { file, workDir } = await manifest(text);
    await symlink(outside, path.join(workDir, "link"));
    await assert.rejects(readSourceManifest(file, workDir), (error: unknown) => {
      assert.ok(error instanceof LambdaPackageError && error.code === "SOURCE_MANIFEST_INVALID");
      assert.ok(error.message.includes(expected), `${expected} in ${error.message}`);
      assert.match(error.message, /build's work directory/);
      assert.ok(error.message.includes(workDir));
      return true;
    });
  }
});

test("a line is written only when it reads back as itself: a line break or comment in a value is refused", () => {
  assert.equal(
    manifestLine({ entry: "node_modules/.bin/my tool", offset: 3, size: 4, executable: true }),
    "entry 3 4 755 node_modules/.bin/my tool",
  );
  assert.equal(manifestLine({ from: "/work/npm-packages" }), "from /work/npm-packages");
  assert.equal(manifestLine({ exclude: "node_modules/" }), "exclude node_modules/");
  for (const line of [
    { entry: "node_modules/.bin/x\nexclude index.js", offset: 0, size: 1, executable: false },
    { entry: "a\u2028b", offset: 0, size: 1, executable: false },
    { entry: "a\rb", offset: 0, size: 1, executable: false },
    { from: "/work/a\nentry 0 9 644 stolen" },
    { include: "a b" },
    { exclude: "x # y" },
    { exclude: "x\ninclude ." },
  ]) {
    assert.throws(
      () => manifestLine(line),
      /cannot be a line of \$SOURCE_MANIFEST/,
      JSON.stringify(line),
    );
  }
});
