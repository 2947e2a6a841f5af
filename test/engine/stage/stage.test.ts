/**
 * stage(): the package is the packager's output, the source it asks for (read
 * in place) and $PACKAGE_ZIP, each winning over the one before at a path.
 */
import assert from "node:assert/strict";
import { chmod, mkdir, readFile, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { normalizeBuildOptions, type BuildOptions } from "../../../engine/options";
import { preflight } from "../../../engine/preflight";
import { stage } from "../../../engine/stage";
import { LambdaPackageError } from "../../../shared/errors";
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
  for (const file of files) contents[file.name] = await readFile(file.sourceFile, "utf8");
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
