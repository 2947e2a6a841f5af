/**
 * stage(): the package is the packager's output, the source it asks for (read
 * in place) and $PACKAGE_ZIP, each winning over the one before at a path.
 */
import assert from "node:assert/strict";
import { chmod, mkdir, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { normalizeBuildOptions, type BuildOptions } from "../../../engine/options";
import { preflight } from "../../../engine/preflight";
import { stage } from "../../../engine/stage";
import { LambdaPackageError } from "../../../shared/errors";
import { stagedBytes } from "../../support/staged";
import { tempDir } from "../../support/tmp";

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await tempDir("stage-src");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** Stages `sourcePath` with a packager script of `body`; returns name → content. */
async function staged(sourcePath: string, body: string, options: Partial<BuildOptions> = {}) {
  const packager = path.join(await tempDir("stage-packager"), "packager.sh");
  await writeFile(packager, `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
  await chmod(packager, 0o755);
  const normalized = normalizeBuildOptions({ sourcePath, packager, ...options });
  const files = await stage(normalized, preflight(normalized), await tempDir("stage-work"));
  const contents: Record<string, string> = {};
  for (const file of files) contents[file.name] = stagedBytes(file).toString("utf8");
  return { files, contents };
}

describe("stage", () => {
  test("the source it asks for wins over BUILD_DIR, and $PACKAGE_ZIP wins over both", async () => {
    const source = await tree({ "app.py": "source", "shared.py": "source", "zipped.py": "source" });
    const { contents } = await staged(
      source,
      [
        'echo build >"$BUILD_DIR/shared.py"',
        'echo build >"$BUILD_DIR/dep.py"',
        'echo "include ." >"$SOURCE_MANIFEST"',
        'mkdir z && echo zip >z/zipped.py && (cd z && zip -q "$PACKAGE_ZIP" zipped.py) && rm -r z',
      ].join("\n"),
    );
    assert.deepEqual(contents, {
      "app.py": "source",
      "dep.py": "build\n",
      "shared.py": "source",
      "zipped.py": "zip\n",
    });
  });

  test("the source is read in place: its files are the source's own, never a copy", async () => {
    const source = await tree({ "app.py": "x" });
    const { files } = await staged(source, 'echo "include ." >"$SOURCE_MANIFEST"');
    assert.deepEqual(
      files.map((f) => f.sourceFile),
      [path.join(source, "app.py")],
    );
  });

  test("manifest excludes match source paths; the exclude input matches package paths", async () => {
    const source = await tree({
      "handler.py": "h",
      "node_modules/x/index.js": "x",
      "lib/node_modules/y.js": "y",
      "tests/test_a.py": "t",
    });
    const { contents } = await staged(
      source,
      'printf "include python\\nexclude node_modules/\\n" >"$SOURCE_MANIFEST"',
      { exclude: ["python/tests/"] },
    );
    assert.deepEqual(Object.keys(contents).sort(), ["python/handler.py"]);
  });

  test("a path that is a file in one part and a directory in another is an error naming both", async () => {
    const source = await tree({ lib: "a file" });
    await assert.rejects(
      staged(
        source,
        'mkdir -p "$BUILD_DIR/lib" && echo x >"$BUILD_DIR/lib/x.py"\necho "include ." >"$SOURCE_MANIFEST"',
      ),
      (error: unknown) => {
        assert.ok(error instanceof LambdaPackageError && error.code === "PACKAGE_PATH_CONFLICT");
        assert.match(error.message, /"lib" is a file in one part .* \(holding "lib\/x\.py"\)/);
        return true;
      },
    );
  });

  test("entries listed as ranges of an archive are the packager's output: the source wins, excludes apply", async () => {
    const source = await tree({ "shared.js": "source" });
    const { files, contents } = await staged(
      source,
      [
        'archive="$(dirname "$SOURCE_MANIFEST")/archive"',
        'printf "onetwothreefour" >"$archive"',
        'echo build >"$BUILD_DIR/one.js"',
        "{",
        '  echo "from $archive"',
        '  echo "entry 0 3 644 one.js"',
        '  echo "entry 3 3 755 lib/two words.js"',
        '  echo "entry 6 5 644 shared.js"',
        '  echo "entry 11 4 644 docs/four.md"',
        "  echo 'include .'",
        '} >"$SOURCE_MANIFEST"',
      ].join("\n"),
      { exclude: ["docs/"] },
    );
    assert.deepEqual(contents, {
      "one.js": "one",
      "lib/two words.js": "two",
      "shared.js": "source",
    });
    const two = files.find((f) => f.name === "lib/two words.js");
    assert.equal(two?.executable, true);
    assert.equal(two?.offset, 3);
  });

  test("a listed range the archive does not hold, a missing archive or a path out of the package fail naming them", async () => {
    const source = await tree({ "a.js": "a" });
    const write = 'archive="$(dirname "$SOURCE_MANIFEST")/archive"; printf "12345" >"$archive"';
    for (const [body, expected] of [
      [
        `${write}; printf "from $archive\\nentry 3 4 644 x.js\\n" >"$SOURCE_MANIFEST"`,
        /is 5 bytes, and "x\.js" is listed at bytes 3–7/,
      ],
      [
        `printf "from $(dirname "$SOURCE_MANIFEST")/nowhere/archive\\nentry 0 1 644 x.js\\n" >"$SOURCE_MANIFEST"`,
        /\/nowhere\/archive .*does not exist/,
      ],
      [
        `${write}; printf "from $archive\\nentry 0 1 644 ../x.js\\n" >"$SOURCE_MANIFEST"`,
        /lists "\.\.\/x\.js", which is not a path inside the package/,
      ],
    ] as const) {
      await assert.rejects(staged(source, body), (error: unknown) => {
        assert.ok(error instanceof LambdaPackageError && error.code === "SOURCE_MANIFEST_INVALID");
        assert.match(error.message, expected);
        assert.ok(error.message.includes(source), "names the source");
        return true;
      });
    }
  });

  test("an archive outside the build's work dir, or a link to one, fails naming it: no file but the packager's own is listed", async () => {
    const source = await tree({ "a.js": "a" });
    const outside = path.join(await tempDir("stage-outside"), "secret");
    await writeFile(outside, "not the packager's");
    for (const body of [
      `printf "from ${outside}\\nentry 0 6 644 stolen\\n" >"$SOURCE_MANIFEST"`,
      `ln -s ${outside} "$(dirname "$SOURCE_MANIFEST")/link"; ` +
        `printf "from $(dirname "$SOURCE_MANIFEST")/link\\nentry 0 6 644 stolen\\n" >"$SOURCE_MANIFEST"`,
    ]) {
      await assert.rejects(staged(source, body), (error: unknown) => {
        assert.ok(error instanceof LambdaPackageError && error.code === "SOURCE_MANIFEST_INVALID");
        assert.ok(error.message.includes(outside), error.message);
        assert.match(
          error.message,
          /must be a file the packager wrote in the build's work directory/,
        );
        return true;
      });
    }
  });

  test("Lambda's size limit applies to the source read in place too", async () => {
    const source = await tree({ "small.txt": "s" });
    // A sparse 300 MB file costs no disk.
    await writeFile(path.join(source, "big.bin"), "");
    await truncate(path.join(source, "big.bin"), 300 * 1024 * 1024);
    await assert.rejects(staged(source, 'echo "include ." >"$SOURCE_MANIFEST"'), {
      code: "PACKAGE_TOO_LARGE",
    });
  });
});
