import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import {
  answerFromObjects,
  closeReaders,
  lsTreePaths,
  revParsePaths,
} from "../../../engine/git/from-objects";
import { commit, git } from "../../support/git";
import { tempDir } from "../../support/tmp";

const ENV = { ...process.env, LC_ALL: "C", LANGUAGE: "" };
const lsTree = (names: readonly string[]) => [
  "ls-tree",
  "-z",
  "--full-tree",
  "HEAD",
  "--",
  ...names,
];

/**
 * A repository with every kind of entry: files, an executable, a symbolic
 * link, nested directories, a submodule (a commit entry), and names with
 * spaces, line breaks, non-ASCII letters and pattern characters.
 */
async function everyKind(objectFormat: "sha1" | "sha256" = "sha1"): Promise<string> {
  const root = await tempDir(`ls-tree-${objectFormat}`);
  git(root, "init", "-q", "-b", "main", `--object-format=${objectFormat}`);
  commit(root, {
    "a/b/f.js": "1\n",
    "a/g.js": "2\n",
    "bin/run": "#!/bin/sh\n",
    "with space/it's [odd] *.js": "3\n",
    "line\nbreak/x": "4\n",
    "ünïcödé/ñ.py": "5\n",
    "top.txt": "6\n",
    "package-lock.json": "{}\n",
  });
  chmodSync(path.join(root, "bin/run"), 0o755);
  symlinkSync("a/g.js", path.join(root, "link"));
  // A submodule: a repository of its own inside, recorded as a commit entry.
  const sub = path.join(root, "sub");
  mkdirSync(sub);
  git(sub, "init", "-q", `--object-format=${objectFormat}`);
  commit(sub, { "inside.txt": "7\n" });
  git(root, "-c", "advice.addEmbeddedRepo=false", "add", "-A");
  git(root, "commit", "-q", "-m", "kinds");
  return root;
}

/** The records `git ls-tree` lists for exactly the named paths, sorted. */
function gitsRecords(root: string, names: readonly string[]): string[] {
  const output = execFileSync("git", ["--literal-pathspecs", ...lsTree(names)], {
    cwd: root,
    encoding: "utf8",
  });
  return records(output).filter((r) => names.includes(r.slice(r.indexOf("\t") + 1)));
}

const records = (output: string) => output.split("\0").filter(Boolean).sort();

/** Sets of paths as readsKey asks them, overlapping, absent and odd ones included. */
const QUESTIONS: readonly (readonly string[])[] = [
  ["a/b/f.js", "a/g.js", "bin/run", "link", "sub", "top.txt"],
  ["a", "a/b", "package-lock.json"],
  ["a/b", "a/b/f.js"],
  ["a", "a"],
  ["with space", "with space/it's [odd] *.js", "line\nbreak", "line\nbreak/x"],
  ["ünïcödé", "ünïcödé/ñ.py"],
  [".", "a", "top.txt"],
  ["missing", "a/missing", "top.txt/below", "sub/inside", "link/below", "a/b/f.js/x"],
  ["A", "a/B", "a/b/F.js"],
];

describe("answerFromObjects, the ls-tree of HEAD", () => {
  for (const format of ["sha1", "sha256"] as const) {
    test(`lists for each path what git ls-tree lists for it, in a ${format} repository`, async () => {
      const root = await everyKind(format);
      // The fixture holds each path of the first question, submodule and link included.
      assert.equal(gitsRecords(root, QUESTIONS[0]).length, QUESTIONS[0].length);
      for (const names of QUESTIONS) {
        const answer = await answerFromObjects(lsTree(names), root, ENV);
        assert.ok(answer !== undefined, `${JSON.stringify(names)} was not answered`);
        assert.deepEqual(records(answer), gitsRecords(root, names), JSON.stringify(names));
      }
      closeReaders();
    });
  }

  test("lists every kind of entry: blob, executable, link, tree and commit", async () => {
    const root = await everyKind();
    const answer = await answerFromObjects(
      lsTree(["a/g.js", "bin/run", "link", "a/b", "sub"]),
      root,
      ENV,
    );
    const kinds = records(answer!).map((r) => r.split(" ").slice(0, 2).join(" "));
    assert.deepEqual(kinds.sort(), [
      "040000 tree",
      "100644 blob",
      "100755 blob",
      "120000 blob",
      "160000 commit",
    ]);
    closeReaders();
  });

  test("sees a commit, a checkout, packed refs and a gc made while it runs", async () => {
    const root = await everyKind();
    const ask = async () =>
      records((await answerFromObjects(lsTree(["a", "top.txt"]), root, ENV))!);
    const first = await ask();
    assert.deepEqual(first, gitsRecords(root, ["a", "top.txt"]));
    commit(root, { "a/g.js": "changed\n" });
    const second = await ask();
    assert.notDeepEqual(second, first);
    assert.deepEqual(second, gitsRecords(root, ["a", "top.txt"]));
    git(root, "checkout", "-q", "HEAD~1");
    assert.deepEqual(await ask(), first);
    git(root, "checkout", "-q", "-b", "other");
    commit(root, { "top.txt": "7\n" });
    git(root, "pack-refs", "--all");
    git(root, "gc", "-q", "--prune=now");
    assert.deepEqual(await ask(), gitsRecords(root, ["a", "top.txt"]));
    closeReaders();
  });

  test("leaves a repository with no commit to git ls-tree, which fails there", async () => {
    const root = await tempDir("ls-tree-empty");
    git(root, "init", "-q");
    writeFileSync(path.join(root, "f"), "1\n");
    assert.equal(await answerFromObjects(lsTree(["f"]), root, ENV), undefined);
    closeReaders();
  });

  test("answers only the ls-tree of HEAD with plain paths", () => {
    assert.deepEqual(lsTreePaths(lsTree(["a", "b/c", "."])), ["a", "b/c", "."]);
    assert.equal(lsTreePaths(["ls-tree", "-z", "HEAD", "--", "a"]), undefined);
    assert.equal(lsTreePaths(["ls-tree", "-z", "--full-tree", "main", "--", "a"]), undefined);
    assert.equal(lsTreePaths(["ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", "a"]), undefined);
    assert.equal(lsTreePaths(lsTree([])), undefined);
    for (const odd of ["a/", "/a", "a//b", "./a", "a/../b", ".."])
      assert.equal(lsTreePaths(lsTree([odd])), undefined, odd);
  });

  test("a reader whose git process dies leaves the questions to git ls-tree, and says so", async (t) => {
    const root = await everyKind();
    const names = ["a", "top.txt"];
    assert.ok(await answerFromObjects(lsTree(names), root, ENV));
    const said: string[] = [];
    t.mock.method(process.stderr, "write", (text: string) => said.push(text) > 0);
    // The reader is this process's child `git cat-file`: end it by its own id.
    const children = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], {
      encoding: "utf8",
    });
    const catFile = children.split("\n").find((line) => line.includes("cat-file --batch"));
    assert.ok(catFile, children);
    process.kill(Number(catFile.trim().split(" ")[0]), "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await answerFromObjects(lsTree(names), root, ENV), undefined);
    assert.match(
      said.join(""),
      /object reader failed .*ls-tree and rev-parse run as git processes/,
    );
    closeReaders();
  });

  test("a git not on PATH leaves the question to the command, which reports it", async (t) => {
    const root = await everyKind();
    const said: string[] = [];
    t.mock.method(process.stderr, "write", (text: string) => said.push(text) > 0);
    const nowhere = await tempDir("ls-tree-no-git");
    assert.equal(
      await answerFromObjects(lsTree(["a"]), root, { ...ENV, PATH: nowhere }),
      undefined,
    );
    assert.match(said.join(""), /object reader failed/);
    closeReaders();
  });
});

const revParse = (paths: readonly string[]) => [
  "rev-parse",
  ...paths.map((p) => `HEAD:./${p}`),
  "--show-prefix",
  "--show-toplevel",
];

/** What the real rev-parse prints in `cwd`, or undefined where it fails. */
function gitsRevParse(cwd: string, paths: readonly string[]): string | undefined {
  try {
    return execFileSync("git", ["--literal-pathspecs", ...revParse(paths)], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return undefined;
  }
}

describe("answerFromObjects, gitSourceKey's rev-parse", () => {
  for (const format of ["sha1", "sha256"] as const) {
    test(`prints what git rev-parse prints, from the top and from below it, in a ${format} repository`, async () => {
      const root = await everyKind(format);
      const questions: [string, string[]][] = [
        [".", ["a", "a/b/f.js", "bin/run", "link", "sub", "."]],
        [".", ["with space/it's [odd] *.js", "line\nbreak", "ünïcödé/ñ.py"]],
        ["a", [".", "b", "g.js", "../top.txt", "../bin"]],
        ["a/b", ["f.js", "../../package-lock.json", "../../a", "../.."]],
      ];
      for (const [dir, paths] of questions) {
        const cwd = path.join(root, dir);
        const expected = gitsRevParse(cwd, paths);
        assert.ok(expected, `git rev-parse failed for ${JSON.stringify(paths)}`);
        assert.equal(await answerFromObjects(revParse(paths), cwd, ENV), expected);
      }
      closeReaders();
    });
  }

  test("leaves a path not in HEAD, or outside the work tree, to git rev-parse, which fails", async () => {
    const root = await everyKind();
    writeFileSync(path.join(root, "untracked.js"), "1\n");
    for (const paths of [
      ["a", "missing"],
      ["untracked.js"],
      ["top.txt/below"],
      ["sub/inside.txt"],
      ["../x"],
    ]) {
      assert.equal(gitsRevParse(root, paths), undefined, JSON.stringify(paths));
      assert.equal(await answerFromObjects(revParse(paths), root, ENV), undefined);
    }
    closeReaders();
  });

  test("a commit made while it runs is seen", async () => {
    const root = await everyKind();
    const before = await answerFromObjects(revParse(["a"]), root, ENV);
    commit(root, { "a/g.js": "changed\n" });
    const after = await answerFromObjects(revParse(["a"]), root, ENV);
    assert.notEqual(after, before);
    assert.equal(after, gitsRevParse(root, ["a"]));
    closeReaders();
  });

  test("a work tree whose path holds a line break is left to git rev-parse", async () => {
    const parent = await tempDir("from-objects-newline");
    const root = path.join(parent, "check\nout");
    mkdirSync(root);
    git(root, "init", "-q", "-b", "main");
    commit(root, { "fn/index.js": "1\n" });
    assert.equal(await answerFromObjects(revParse(["fn"]), root, ENV), undefined);
    closeReaders();
  });

  test("leaves to git rev-parse a path it would read as a range or a parent", async () => {
    const root = await everyKind();
    const cwd = path.join(root, "a");
    // `HEAD:./..` is the range from HEAD's tree at a/ to HEAD: two lines, not one id.
    assert.equal(gitsRevParse(cwd, [".."])?.split("\n").length, 5);
    assert.equal(await answerFromObjects(revParse([".."]), cwd, ENV), undefined);
    for (const odd of ["b..main", "b/..", "g.js^", "x...y"])
      assert.equal(revParsePaths(revParse([odd])), undefined, odd);
    closeReaders();
  });

  test("answers only rev-parse of HEAD:./ paths ending in --show-prefix --show-toplevel", () => {
    assert.deepEqual(revParsePaths(revParse(["a", "../b", ".", "../.."])), [
      "a",
      "../b",
      ".",
      "../..",
    ]);
    assert.equal(revParsePaths(["rev-parse", "HEAD:./a"]), undefined);
    assert.equal(
      revParsePaths(["rev-parse", "HEAD:a", "--show-prefix", "--show-toplevel"]),
      undefined,
    );
    assert.equal(revParsePaths(["rev-parse", "--show-prefix", "--show-toplevel"]), undefined);
    for (const odd of ["a/", "a//b", "./a", "a/../b", "a/.."])
      assert.equal(revParsePaths(revParse([odd])), undefined, odd);
  });
});
