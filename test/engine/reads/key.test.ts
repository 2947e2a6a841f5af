import assert from "node:assert/strict";
import { appendFileSync, chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { readsKey } from "../../../engine/reads/key";
import { commit, git, write } from "../../support/git";
import { tempDir } from "../../support/tmp";

const KEY = /^reads:[0-9a-f]{40}$/;

/** A monorepo: two handlers, one importing from the other's directory, and an ignore file. */
async function monorepo(label = "reads"): Promise<string> {
  const root = await tempDir(label);
  git(root, "init", "-q", "-b", "main");
  commit(root, {
    ".gitignore": "config.json\nnode_modules/\n",
    "handlers/api/src/index.ts": 'import { ok } from "../../discount/src/check";\n',
    "handlers/discount/src/check.ts": "export const ok = 1;\n",
    "handlers/discount/src/other.ts": "export const other = 1;\n",
    "package-lock.json": "{}\n",
  });
  return root;
}

/** What a bundle of the api handler reads, as the engine records it. */
const apiReads = (root: string) => [
  path.join(root, "handlers/api"),
  path.join(root, "handlers/discount/src/check.ts"),
  path.join(root, "package-lock.json"),
];

describe("readsKey", () => {
  test("is the same for the same content at another path and another commit", async () => {
    const a = await monorepo();
    const b = await tempDir("reads-clone");
    git(b, "clone", "-q", a, "copy");
    const clone = path.join(b, "copy");
    commit(clone, { "README.md": "elsewhere\n" });
    assert.match(await readsKey(apiReads(a)), KEY);
    assert.equal(await readsKey(apiReads(a)), await readsKey(apiReads(clone)));
  });

  test("changes with a committed edit of a file it read outside the function's directory", async () => {
    const root = await monorepo();
    const before = await readsKey(apiReads(root));
    commit(root, { "handlers/discount/src/check.ts": "export const ok = 2;\n" });
    assert.notEqual(await readsKey(apiReads(root)), before);
  });

  test("does not change with an edit of a file it did not read", async () => {
    const root = await monorepo();
    const before = await readsKey(apiReads(root));
    commit(root, { "handlers/discount/src/other.ts": "export const other = 2;\n" });
    write(root, { "handlers/discount/src/other.ts": "uncommitted\n" });
    assert.equal(await readsKey(apiReads(root)), before);
  });

  test("changes with uncommitted edits, deletions and untracked files, and comes back when undone", async () => {
    const root = await monorepo();
    const clean = await readsKey(apiReads(root));
    write(root, { "handlers/api/src/index.ts": "// edited\n" });
    const edited = await readsKey(apiReads(root));
    assert.notEqual(edited, clean);
    git(root, "checkout", "--", "handlers/api/src/index.ts");
    assert.equal(await readsKey(apiReads(root)), clean);
    write(root, { "handlers/api/src/new.ts": "export {};\n" });
    assert.notEqual(await readsKey(apiReads(root)), clean, "an untracked file in a directory read");
    rmSync(path.join(root, "handlers/api/src/new.ts"));
    rmSync(path.join(root, "handlers/discount/src/check.ts"));
    assert.notEqual(await readsKey(apiReads(root)), clean, "a deleted file");
  });

  test("an ignored file it read counts by its bytes", async () => {
    const root = await monorepo();
    const config = path.join(root, "handlers/api/config.json");
    writeFileSync(config, '{"stage":"dev"}');
    const reads = [...apiReads(root), config];
    const dev = await readsKey(reads);
    writeFileSync(config, '{"stage":"prod"}');
    assert.notEqual(await readsKey(reads), dev);
    rmSync(config);
    assert.notEqual(await readsKey(reads), dev, "a missing file is not the file");
  });

  test("a sparse checkout without a file does not share the full checkout's key", async () => {
    const full = await monorepo();
    const clones = await tempDir("reads-sparse");
    git(clones, "clone", "-q", "--no-checkout", full, "sparse");
    const sparse = path.join(clones, "sparse");
    git(sparse, "sparse-checkout", "set", "--no-cone", "/handlers/api/", "/package-lock.json");
    git(sparse, "checkout", "-q", "main");
    const reads = (root: string) => [path.join(root, "handlers")];
    assert.notEqual(await readsKey(reads(sparse)), await readsKey(reads(full)));
  });

  test("in a repository with no commit yet, paths count by their bytes", async () => {
    const root = await tempDir("reads-no-commit");
    git(root, "init", "-q", "-b", "main");
    write(root, { "fn/index.js": "1" });
    const before = await readsKey([path.join(root, "fn")]);
    assert.match(before, KEY);
    appendFileSync(path.join(root, "fn/index.js"), "2");
    assert.notEqual(await readsKey([path.join(root, "fn")]), before);
  });

  test("outside a work tree, paths count by their bytes", async () => {
    const dir = await tempDir("reads-plain");
    mkdirSync(path.join(dir, "fn"));
    writeFileSync(path.join(dir, "fn/index.js"), "1");
    const before = await readsKey([path.join(dir, "fn")]);
    assert.match(before, KEY);
    appendFileSync(path.join(dir, "fn/index.js"), "2");
    assert.notEqual(await readsKey([path.join(dir, "fn")]), before);
  });

  test("keys taken at once equal the keys taken one at a time, overlapping paths and edits included", async () => {
    const root = await monorepo();
    write(root, {
      "handlers/discount/src/check.ts": "export const ok = 3;\n",
      "handlers/api/new.ts": "1",
    });
    const sets = [
      apiReads(root),
      [path.join(root, "handlers")],
      [path.join(root, "handlers/discount"), path.join(root, "handlers/discount/src/check.ts")],
      [path.join(root, "handlers/discount/src/other.ts")],
      [path.join(root, "package-lock.json"), path.join(root, "config.json")],
    ];
    const alone: string[] = [];
    for (const set of sets) alone.push(await readsKey(set));
    assert.equal(new Set(alone).size, sets.length, "the sets were meant to have different keys");
    assert.deepEqual(await Promise.all([...sets, ...sets].map((set) => readsKey(set))), [
      ...alone,
      ...alone,
    ]);
  });

  test("many keys taken at once, more paths than one shell command holds, each come out as alone", async () => {
    const root = await monorepo();
    const files = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [
        `handlers/many/${"d".repeat(60)}/file-${i}.ts`,
        `${i}\n`,
      ]),
    );
    commit(root, files);
    const names = Object.keys(files).map((name) => path.join(root, name));
    const sets = Array.from({ length: 30 }, (_, i) => names.slice(i * 10, i * 10 + 100));
    const alone: string[] = [];
    for (const set of sets) alone.push(await readsKey(set));
    assert.deepEqual(await Promise.all(sets.map((set) => readsKey(set))), alone);
  });

  test("a work tree whose path holds a line break still sees a change", async () => {
    const parent = await tempDir("reads-newline");
    const root = path.join(parent, "check\nout");
    mkdirSync(root);
    git(root, "init", "-q", "-b", "main");
    commit(root, { "fn/index.js": "1\n" });
    const before = await readsKey([path.join(root, "fn")]);
    commit(root, { "fn/index.js": "2\n" });
    assert.notEqual(await readsKey([path.join(root, "fn")]), before);
  });

  test("gives the keys the release before gave, so a state's recorded key still matches", async () => {
    const root = await tempDir("reads-recorded");
    git(root, "init", "-q", "-b", "main");
    commit(root, {
      ".gitignore": "config.json\n",
      "fn/index.js": "exports.handler = 1;\n",
      "fn/lib/util.js": "module.exports = 2;\n",
      "fn/it's [odd] *.js": "3\n",
      "ünï/shared.py": "4\n",
      "bin/run": "#!/bin/sh\n",
      "package-lock.json": "{}\n",
    });
    chmodSync(path.join(root, "bin/run"), 0o755);
    symlinkSync("../package-lock.json", path.join(root, "fn/lock"));
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "kinds");
    write(root, { "fn/config.json": "{}\n" });
    const at = (...names: string[]) => names.map((name) => path.join(root, name));
    // Keys taken by the release before this one, from the same content.
    const recorded: [string[], string][] = [
      [at("fn", "package-lock.json"), "reads:0028310370b828ec8916012861e2cd27d3d7f5e1"],
      [
        at("fn", "fn/lib", "fn/lib/util.js", "ünï/shared.py"),
        "reads:8f2073061646e42edda3797ef92ace07ea874b5c",
      ],
      [
        at("fn/config.json", "fn/lock", "bin/run", "fn/it's [odd] *.js", "missing"),
        "reads:f570b38441898d9d082692eab317ba690e780d1e",
      ],
    ];
    for (const [reads, key] of recorded) assert.equal(await readsKey(reads), key, reads.join(", "));
    appendFileSync(path.join(root, "fn/lib/util.js"), "// edited\n");
    assert.equal(await readsKey(recorded[1][0]), "reads:38a6381b4b04a53a2eb7bf231b13b92f25489149");
  });
});
