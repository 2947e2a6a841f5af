/** What a build records it read, through `build()` as the provider runs it. */
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { build } from "../../../engine/build";
import { normalizeBuildOptions } from "../../../engine/options";
import { preflight } from "../../../engine/preflight";
import { buildReads, MAX_RECORDED_READS, mergeSiblings } from "../../../engine/reads/record";
import { commit, git, write } from "../../support/git";
import { tempDir } from "../../support/tmp";

/** A repository: a handler importing a sibling's module and an installed package, git-ignored. */
async function repository(): Promise<string> {
  const root = await tempDir("record");
  git(root, "init", "-q", "-b", "main");
  commit(root, {
    ".gitignore": "node_modules/\nconfig.json\n*.log\n",
    "package.json": '{ "name": "root", "private": true }\n',
    "package-lock.json": '{ "lockfileVersion": 3, "packages": {} }\n',
    "tsconfig.json": "{}\n",
    "handlers/api/src/index.ts":
      'import { ok } from "../../discount/src/check";\nimport tiny from "tiny";\n' +
      "export const handler = async () => [ok, tiny];\n",
    "handlers/api/README.md": "# api\n",
    "handlers/discount/src/check.ts": "export const ok = 1;\n",
    "handlers/discount/src/unused.ts": "export const unused = 1;\n",
  });
  write(root, {
    "node_modules/tiny/package.json": '{ "name": "tiny", "version": "1.0.0", "main": "index.js" }',
    "node_modules/tiny/index.js": "module.exports = 'tiny';\n",
  });
  return root;
}

const relative = (root: string, paths: readonly string[]) =>
  paths.map((p) => path.relative(root, p) || ".");

describe("what a build records it read", () => {
  test("a bundle records the files it imported from elsewhere, the tsconfig and the lockfile, not node_modules", async () => {
    const root = await repository();
    const built = await build({
      sourcePath: path.join(root, "handlers/api"),
      runtime: "nodejs22.x",
      bundle: { entry: "src/index.ts" },
    });
    await rm(built.path);
    const reads = relative(root, built.reads.paths);
    for (const expected of [
      "handlers/api",
      "handlers/discount/src/check.ts",
      "tsconfig.json",
      "package.json",
      "package-lock.json",
    ])
      assert.ok(reads.includes(expected), `${expected} in ${reads.join(" ")}`);
    assert.ok(!reads.some((r) => r.includes("node_modules")), reads.join(" "));
    assert.ok(!reads.includes("handlers/discount/src/unused.ts"));
  });

  test("a packaged git-ignored file is recorded by itself, and an excluded one is not", async () => {
    const root = await repository();
    write(root, { "handlers/api/config.json": '{"stage":"dev"}', "handlers/api/debug.log": "x" });
    const built = await build({
      sourcePath: path.join(root, "handlers/api"),
      runtime: "copy",
      exclude: ["*.log"],
    });
    await rm(built.path);
    assert.deepEqual(relative(root, built.reads.paths), [
      "handlers/api",
      "handlers/api/config.json",
    ]);
  });

  test("a long set is merged into directories, never merging an ignored path away", () => {
    const files = Array.from({ length: 40 }, (_, i) => `/repo/shared/m${i}.ts`);
    const ignored = "/repo/shared/config.json";
    const merged = mergeSiblings(["/repo/fn", ...files, ignored], new Set([ignored]), "/repo");
    assert.ok(merged.length <= MAX_RECORDED_READS, merged.join(" "));
    assert.deepEqual(merged, ["/repo/fn", "/repo/shared", ignored]);
  });
});

describe("what a copy + install build records it read", () => {
  test("a workspace member records the root's lockfile and settings and the members it depends on", async () => {
    const root = await tempDir("record-workspace");
    git(root, "init", "-q", "-b", "main");
    commit(root, {
      "package.json": JSON.stringify({ name: "root", private: true, workspaces: ["packages/*"] }),
      "package-lock.json": '{ "lockfileVersion": 3, "packages": {} }\n',
      ".npmrc": "legacy-peer-deps=true\n",
      "packages/fn/package.json": JSON.stringify({
        name: "@acme/fn",
        dependencies: { "@acme/util": "1.0.0" },
      }),
      "packages/fn/index.js": "exports.handler = async () => 1;\n",
      "packages/util/package.json": JSON.stringify({ name: "@acme/util", version: "1.0.0" }),
      "packages/other/package.json": JSON.stringify({ name: "@acme/other", version: "1.0.0" }),
    });
    const options = normalizeBuildOptions({
      sourcePath: path.join(root, "packages/fn"),
      runtime: "nodejs22.x",
    });
    const reads = buildReads(options, preflight(options), root, []);
    assert.deepEqual(relative(root, reads.paths), [
      ".npmrc",
      "package-lock.json",
      "package.json",
      "packages/fn",
      "packages/util",
    ]);
  });
});

describe("what a python build records it read", () => {
  test("a uv workspace member records the root's uv.lock and pyproject.toml and the members it installs, not the others", async () => {
    const root = await tempDir("record-uv-workspace");
    git(root, "init", "-q", "-b", "main");
    const idna = `{ url = "https://files.example/idna-3.11-py3-none-any.whl", hash = "sha256:${"1".repeat(64)}" }`;
    commit(root, {
      "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
      "uv.lock": [
        'version = 1\nrevision = 3\nrequires-python = ">=3.12"\n',
        '[manifest]\nmembers = ["api", "core", "other"]\n',
        '[[package]]\nname = "api"\nversion = "0.1.0"\nsource = { virtual = "packages/api" }\ndependencies = [{ name = "core" }]\n',
        '[[package]]\nname = "core"\nversion = "0.1.0"\nsource = { editable = "packages/core" }\ndependencies = [{ name = "idna" }]\n',
        `[[package]]\nname = "idna"\nversion = "3.11"\nsource = { registry = "https://pypi.org/simple" }\nwheels = [${idna}]\n`,
        '[[package]]\nname = "other"\nversion = "0.1.0"\nsource = { editable = "packages/other" }\n',
      ].join("\n"),
      "packages/api/pyproject.toml": '[project]\nname = "api"\n',
      "packages/api/handler.py": "def handler(event, context):\n    return 1\n",
      "packages/core/pyproject.toml": '[project]\nname = "core"\n',
      "packages/other/pyproject.toml": '[project]\nname = "other"\n',
    });
    const options = normalizeBuildOptions({
      sourcePath: path.join(root, "packages/api"),
      runtime: "python3.12",
    });
    const reads = buildReads(options, preflight(options), root, []);
    assert.deepEqual(relative(root, reads.paths), [
      "packages/api",
      "packages/core",
      "pyproject.toml",
      "uv.lock",
    ]);
    assert.deepEqual(reads.notes, []);
    // pythonMode "package" installs the project alone: only its directory.
    const alone = normalizeBuildOptions({ ...options, pythonMode: "package" });
    assert.deepEqual(relative(root, buildReads(alone, preflight(alone), root, []).paths), [
      "packages/api",
    ]);
  });

  test("a python plan that can no longer be made records the whole work tree, and says so", async () => {
    const root = await tempDir("record-uv-broken");
    git(root, "init", "-q", "-b", "main");
    commit(root, {
      "fn/pyproject.toml": '[project]\nname = "fn"\n',
      "fn/uv.lock": "version = 99\n",
      "fn/handler.py": "def handler(event, context):\n    return 1\n",
      "shared/util.py": "X = 1\n",
    });
    const options = normalizeBuildOptions({
      sourcePath: path.join(root, "fn"),
      runtime: "python3.12",
    });
    const reads = buildReads(options, preflight(options), root, []);
    assert.deepEqual(relative(root, reads.paths), ["."]);
    assert.equal(reads.notes.length, 1);
    assert.match(
      reads.notes[0],
      /^the python plan could not be read again \(.*uv\.lock version 99/,
    );
  });
});
