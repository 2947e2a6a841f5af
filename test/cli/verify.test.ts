/**
 * `lambda-package verify` as a user runs it: the second build runs from a
 * copy of the source at another path, so a package that holds the checkout's
 * path is caught, and one that does not passes.
 */
import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { cli } from "../support/cli";
import { commit, git, write } from "../support/git";
import { tempDir } from "../support/tmp";

/** A packager script that copies the source and writes `line` (shell, evaluated) into where.txt. */
async function packagerWriting(line: string): Promise<string> {
  const script = path.join(await tempDir("verify-pk"), "where.sh");
  await writeFile(
    script,
    `#!/bin/sh\nset -e\ncp -R "$SOURCE_PATH/." "$BUILD_DIR/"\necho "${line}" > "$BUILD_DIR/where.txt"\n`,
  );
  await chmod(script, 0o755);
  return script;
}

/** A directory outside any git work tree holding one handler. */
async function plainSource(): Promise<string> {
  const dir = realpathSync(await tempDir("verify-src"));
  await writeFile(path.join(dir, "handler.py"), "def handler(e, c):\n    return 1\n");
  return dir;
}

describe("lambda-package verify", { timeout: 120_000 }, () => {
  test("a bundle importing a sibling directory and an installed package, with its map, is the same from a copy at another path", async () => {
    const root = realpathSync(await tempDir("verify-checkout"));
    git(root, "init", "-q");
    commit(root, {
      ".gitignore": "node_modules/\n",
      "shared/greet.ts": "export const greet = (name: string): string => `hello ${name}`;\n",
      "services/api/src/handler.ts":
        'import { shout } from "shout";\nimport { greet } from "../../../shared/greet";\n' +
        "export const handler = async () => shout(greet('lambda'));\n",
    });
    // An installed package at the work tree's top, ignored by git as node_modules are:
    // the copy must bring it along, and the map names it relative to the source.
    write(root, {
      "node_modules/shout/package.json":
        '{ "name": "shout", "version": "1.0.0", "main": "index.js" }\n',
      "node_modules/shout/index.js": "exports.shout = (s) => s.toUpperCase();\n",
    });
    const result = await cli([
      "verify",
      path.join(root, "services", "api"),
      "-r",
      "nodejs22.x",
      "--entry",
      "src/handler.ts",
      "--sourcemap",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /reproducible: two builds gave identical bytes, the second from a copy at another path/,
    );
    assert.match(result.stdout, new RegExp(`copied: +the git work tree ${root} \\(\\d+ files\\)`));
  });

  test("a source outside git is verified from a copy of sourcePath alone, and says so", async () => {
    const src = await plainSource();
    const result = await cli(["verify", src, "-r", "copy"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`copied: +${src} alone \\(1 files; no git work tree`));
  });

  test("a packager that writes the source's absolute path fails verify, naming the entry and the path", async () => {
    const src = await plainSource();
    const packager = await packagerWriting("$SOURCE_PATH");
    const result = await cli(["verify", src, "--packager", packager]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /Two builds of .* differ/);
    assert.match(
      result.stderr,
      /changed: where\.txt \(crc32, size\): it holds the checkout's absolute path/,
    );
    assert.ok(result.stderr.includes(src), result.stderr);
    assert.match(result.stderr, /depends on where the source is checked out/);
  });

  test("a packager that writes the checkout's directory name fails verify, saying the name is embedded", async () => {
    const root = realpathSync(await tempDir("verify-named"));
    git(root, "init", "-q");
    commit(root, { "fn/handler.py": "def handler(e, c):\n    return 1\n" });
    // What a relative path out of the source through the checkout's name looks like.
    const packager = await packagerWriting('../$(basename "$(dirname "$SOURCE_PATH")")/fn');
    const result = await cli(["verify", path.join(root, "fn"), "--packager", packager]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stderr,
      new RegExp(
        `where\\.txt .*it holds the checkout's directory name \\("${path.basename(root)}"`,
      ),
    );
  });

  test("a packager that fails only in the copy says the copy's build failed and what was copied", async () => {
    const root = realpathSync(await tempDir("verify-fails"));
    git(root, "init", "-q");
    commit(root, { "fn/handler.py": "def handler(e, c):\n    return 1\n" });
    const packager = path.join(await tempDir("verify-pk"), "only-here.sh");
    await writeFile(
      packager,
      `#!/bin/sh\ncase "$SOURCE_PATH" in ${root}/*) touch "$BUILD_DIR/x" ;; *) exit 3 ;; esac\n`,
    );
    await chmod(packager, 0o755);
    const result = await cli(["verify", path.join(root, "fn"), "--packager", packager]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stderr,
      new RegExp(`copied the git work tree ${root} .* and built it there, which failed`),
    );
  });
});
