import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { gitSourceKey, gitSourceKeys } from "../../../index";
import { LambdaPackageError, type ErrorCode } from "../../../shared/errors";
import { commit, git, write } from "../../support/git";
import { tempDir } from "../../support/tmp";

const KEY = /^git:[0-9a-f]{40}$/;
const DIRTY = /^git:[0-9a-f]{40}-[0-9a-f]{16}-dirty$/;

/** A monorepo of two functions, shared code the api uses, infra and an ignore file. */
async function monorepo(): Promise<string> {
  const root = await tempDir("git-key");
  git(root, "init", "-q", "-b", "main");
  commit(root, {
    ".gitignore": "*.log\nnode_modules/\n",
    "README.md": "# services\n",
    "services/api/handler.py": "def handler(e, c):\n    return 1\n",
    "services/api/lib/util.py": "X = 1\n",
    "services/worker/index.js": "exports.handler = async () => 2;\n",
    "libs/shared/common.py": "SHARED = 1\n",
    "infra/index.ts": "// the Pulumi program\n",
  });
  return root;
}

const api = (root: string) => gitSourceKey(["services/api", "libs/shared"], { cwd: root });
const worker = (root: string) => gitSourceKey("services/worker", { cwd: root });

function codeOf(fn: () => unknown): { code: ErrorCode; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof LambdaPackageError, String(error));
    return { code: error.code, message: error.message };
  }
  assert.fail("expected a LambdaPackageError");
}

describe("gitSourceKey on a clean tree", () => {
  test("is git: and 40 hex digits, one key per set of paths", async () => {
    const root = await monorepo();
    assert.match(api(root), KEY);
    assert.match(worker(root), KEY);
    assert.notEqual(api(root), worker(root));
  });

  test("a commit that touches one function changes that function's key and no other", async () => {
    const root = await monorepo();
    const before = { api: api(root), worker: worker(root) };
    commit(root, { "services/api/handler.py": "def handler(e, c):\n    return 2\n" });
    assert.notEqual(api(root), before.api);
    assert.equal(worker(root), before.worker);
  });

  test("a commit to shared code changes the key of every function that lists it", async () => {
    const root = await monorepo();
    const before = { api: api(root), worker: worker(root) };
    commit(root, { "libs/shared/common.py": "SHARED = 2\n" });
    assert.notEqual(api(root), before.api);
    assert.equal(worker(root), before.worker);
  });

  test("a commit elsewhere in the repository changes no key", async () => {
    const root = await monorepo();
    const before = { api: api(root), worker: worker(root) };
    commit(root, { "README.md": "# services, documented\n", "infra/index.ts": "// more\n" });
    assert.deepEqual({ api: api(root), worker: worker(root) }, before);
  });

  test("reverting to an earlier tree gives the earlier key", async () => {
    const root = await monorepo();
    const first = api(root);
    commit(root, { "services/api/lib/util.py": "X = 2\n" });
    assert.notEqual(api(root), first);
    git(root, "revert", "--no-edit", "HEAD");
    assert.equal(api(root), first);
  });

  test("a checkout at another path, on another branch with the same content, gives the same key", async () => {
    const root = await monorepo();
    const clone = path.join(await tempDir("git-clone"), "elsewhere");
    git(root, "clone", "-q", root, clone);
    git(clone, "checkout", "-q", "-b", "feature");
    commit(clone, { "README.md": "# on a branch\n" });
    assert.equal(api(clone), api(root));
    assert.equal(worker(clone), worker(root));
  });

  test("is the same from any working directory, with relative or absolute paths in any order", async () => {
    const root = await monorepo();
    const infra = path.join(root, "infra");
    assert.equal(gitSourceKey(["../libs/shared", "../services/api"], { cwd: infra }), api(root));
    const absolute = [path.join(root, "services/api"), path.join(root, "libs/shared/")];
    assert.equal(gitSourceKey(absolute, { cwd: infra }), api(root));
    assert.equal(gitSourceKey(["services/worker"], { cwd: root }), worker(root));
  });

  test('keys the parent directory ("..") by its tree: it follows what is under it and nothing else', async () => {
    const root = await monorepo();
    const api = path.join(root, "services/api");
    // What the same tree gives asked from the top, and both paths at once from below.
    const services = () => gitSourceKey("services", { cwd: root });
    const parent = () => gitSourceKey("..", { cwd: api });
    assert.equal(parent(), services());
    assert.equal(
      gitSourceKey(["..", "../../libs/shared"], { cwd: api }),
      gitSourceKey(["services", "libs/shared"], { cwd: root }),
    );
    const before = parent();
    // A commit outside changes no tree under services: git read ".." as a range, it would.
    commit(root, { "README.md": "# services, again\n" });
    assert.equal(parent(), before);
    commit(root, { "services/worker/index.js": "exports.handler = async () => 3;\n" });
    assert.notEqual(parent(), before);
    assert.equal(parent(), services());
  });

  test('refuses a name holding "..", which git may read as a range of commits', async () => {
    const root = await monorepo();
    // "HEAD:./x..main" is the range from the tree of x to the branch main.
    commit(root, { "x/a.py": "A = 1\n", "x..main/b.py": "B = 1\n" });
    const error = codeOf(() => gitSourceKey("x..main", { cwd: root }));
    assert.equal(error.code, "BAD_PATHS");
    assert.match(error.message, /cannot key "x\.\.main": git reads a name holding "\.\."/);
  });

  test("takes files as well as directories", async () => {
    const root = await monorepo();
    const file = () => gitSourceKey("services/api/handler.py", { cwd: root });
    const before = file();
    assert.match(before, KEY);
    commit(root, { "services/api/lib/util.py": "X = 3\n" });
    assert.equal(file(), before);
    commit(root, { "services/api/handler.py": "def handler(e, c):\n    return 3\n" });
    assert.notEqual(file(), before);
  });

  test("uses the program's working directory when no cwd is given", async (t) => {
    const root = await monorepo();
    const saved = process.cwd();
    process.chdir(root);
    t.after(() => process.chdir(saved));
    assert.equal(gitSourceKey(["services/api", "libs/shared"]), api(root));
  });
});

describe("gitSourceKey with uncommitted changes", () => {
  test("a modified, a staged and an untracked file each make the key end in -dirty", async () => {
    const edits: Record<string, (root: string) => void> = {
      modified: (root) => write(root, { "services/api/handler.py": "return 9\n" }),
      staged: (root) => {
        write(root, { "libs/shared/common.py": "SHARED = 9\n" });
        git(root, "add", "libs/shared/common.py");
      },
      untracked: (root) => write(root, { "libs/shared/new.py": "NEW = 1\n" }),
    };
    for (const [kind, edit] of Object.entries(edits)) {
      const root = await monorepo();
      const clean = api(root);
      edit(root);
      const key = api(root);
      assert.match(key, DIRTY, kind);
      assert.ok(key.startsWith(`${clean}-`), `${kind}: the committed part stays in the key`);
      assert.match(worker(root), KEY, `${kind}: other functions stay clean`);
    }
  });

  test("two different edits give two keys; staging an edit changes nothing more", async () => {
    const root = await monorepo();
    write(root, { "libs/shared/new.py": "NEW = 1\n" });
    const one = api(root);
    write(root, { "libs/shared/new.py": "NEW = 2\n" });
    const two = api(root);
    assert.notEqual(one, two);
    git(root, "add", "libs/shared/new.py");
    assert.equal(api(root), two, "what is packaged is the working tree, staged or not");
  });

  test("a deleted file and a file made executable are changes too", async () => {
    const root = await monorepo();
    const clean = api(root);
    rmSync(path.join(root, "services/api/lib/util.py"));
    const deleted = api(root);
    assert.match(deleted, DIRTY);
    git(root, "checkout", "--", "services/api/lib/util.py");
    assert.equal(api(root), clean);
    chmodSync(path.join(root, "services/api/handler.py"), 0o755);
    const executable = api(root);
    assert.match(executable, DIRTY);
    assert.notEqual(executable, deleted);
  });

  test("undoing an edit gives the clean key back", async () => {
    const root = await monorepo();
    const clean = api(root);
    write(root, { "services/api/handler.py": "changed\n" });
    assert.notEqual(api(root), clean);
    git(root, "checkout", "--", ".");
    assert.equal(api(root), clean);
  });

  test("ignored files change nothing", async () => {
    const root = await monorepo();
    const clean = api(root);
    write(root, {
      "services/api/debug.log": "noise\n",
      "services/api/node_modules/dep/index.js": "module.exports = 1;\n",
    });
    assert.equal(api(root), clean);
  });

  test("edits outside the paths change nothing", async () => {
    const root = await monorepo();
    const clean = api(root);
    write(root, { "services/worker/index.js": "edited\n", "infra/new.ts": "new\n" });
    assert.equal(api(root), clean);
    assert.match(worker(root), DIRTY);
  });

  test("an edit inside a submodule makes the key dirty, each edit its own key", async () => {
    const root = await monorepo();
    const library = await tempDir("git-sub");
    git(library, "init", "-q");
    commit(library, { "lib.py": "V = 1\n" });
    git(
      root,
      "-c",
      "protocol.file.allow=always",
      "submodule",
      "add",
      "-q",
      library,
      "libs/vendored",
    );
    git(root, "commit", "-q", "-m", "vendored");
    const key = () => gitSourceKey(["services/api", "libs/vendored"], { cwd: root });
    const clean = key();
    assert.match(clean, KEY);
    const vendored = path.join(root, "libs/vendored");
    write(vendored, { "lib.py": "V = 2\n" });
    const one = key();
    write(vendored, { "lib.py": "V = 3\n" });
    const two = key();
    assert.match(one, DIRTY);
    assert.match(two, DIRTY);
    assert.notEqual(one, two);
    git(vendored, "checkout", "--", "lib.py");
    assert.equal(key(), clean);
  });

  test("includeUncommitted: false keys on HEAD alone", async () => {
    const root = await monorepo();
    const clean = api(root);
    write(root, { "services/api/handler.py": "edited\n", "libs/shared/new.py": "new\n" });
    const key = gitSourceKey(["services/api", "libs/shared"], {
      cwd: root,
      includeUncommitted: false,
    });
    assert.equal(key, clean);
  });
});

describe("gitSourceKey errors", () => {
  test("outside a git work tree names the directory", async () => {
    const dir = await tempDir("no-git");
    const error = codeOf(() => gitSourceKey(".", { cwd: dir }));
    assert.equal(error.code, "GIT_NOT_A_WORK_TREE");
    assert.ok(error.message.includes(dir), error.message);
  });

  test("a repository without a commit says to commit first", async () => {
    const root = await tempDir("git-empty");
    git(root, "init", "-q");
    write(root, { "fn/index.js": "1\n" });
    const error = codeOf(() => gitSourceKey("fn", { cwd: root }));
    assert.equal(error.code, "GIT_NO_COMMIT");
    assert.match(error.message, /Commit/);
  });

  test("a git status that fails is named as the status, with the option that skips it", async () => {
    const root = await monorepo();
    // HEAD's tree still answers rev-parse; only the status reads the broken index.
    writeFileSync(path.join(root, ".git", "index"), "not an index");
    const error = codeOf(() => gitSourceKey("services/api", { cwd: root }));
    assert.equal(error.code, "GIT_FAILED");
    assert.match(error.message, /git status failed in .*includeUncommitted: false/);
    assert.match(gitSourceKey("services/api", { cwd: root, includeUncommitted: false }), KEY);
  });

  test("a path that does not exist is named, with the directory it is relative to", async () => {
    const root = await monorepo();
    const error = codeOf(() => gitSourceKey(["services/api", "services/nope"], { cwd: root }));
    assert.equal(error.code, "GIT_PATH_NOT_FOUND");
    assert.ok(error.message.includes('"services/nope"') && error.message.includes(root));
  });

  test("a path that exists but is not committed is named, with the command to commit it", async () => {
    const root = await monorepo();
    write(root, { "services/new/index.js": "1\n" });
    const error = codeOf(() => gitSourceKey("services/new", { cwd: root }));
    assert.equal(error.code, "GIT_PATH_NOT_TRACKED");
    assert.match(error.message, /"services\/new".*git add services\/new/);
  });

  test("an ignored path is not tracked either", async () => {
    const root = await monorepo();
    write(root, { "services/api/node_modules/dep/index.js": "1\n" });
    const error = codeOf(() => gitSourceKey("services/api/node_modules", { cwd: root }));
    assert.equal(error.code, "GIT_PATH_NOT_TRACKED");
  });

  test("a path outside the work tree is named as such", async () => {
    const root = await monorepo();
    const error = codeOf(() => gitSourceKey("../elsewhere", { cwd: root }));
    assert.equal(error.code, "GIT_PATH_NOT_TRACKED");
    assert.match(error.message, /outside the git work tree/);
  });

  test("no git on PATH says to install it", async (t) => {
    const root = await monorepo();
    const saved = process.env.PATH;
    process.env.PATH = await tempDir("empty-path");
    t.after(() => (process.env.PATH = saved));
    const error = codeOf(() => gitSourceKey("services/api", { cwd: root }));
    assert.equal(error.code, "GIT_NOT_FOUND");
    assert.match(error.message, /Install git/);
  });

  test("no paths, an empty path or a cwd that is not a directory are usage errors", async () => {
    const root = await monorepo();
    assert.equal(codeOf(() => gitSourceKey([], { cwd: root })).code, "BAD_PATHS");
    assert.equal(codeOf(() => gitSourceKey(["services/api", ""], { cwd: root })).code, "BAD_PATHS");
    const missing = path.join(root, "no-such-dir");
    const error = codeOf(() => gitSourceKey("services/api", { cwd: missing }));
    assert.equal(error.code, "BAD_CWD");
    assert.ok(error.message.includes(missing));
  });
});

describe("gitSourceKeys", () => {
  /** A `git` on PATH that logs each call's subcommand to a file, then runs the real one. */
  async function countingGit(t: { after: (fn: () => void) => void }): Promise<() => string[]> {
    const dir = await tempDir("counting-git");
    const log = path.join(dir, "calls.txt");
    const real = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    writeFileSync(log, "");
    writeFileSync(
      path.join(dir, "git"),
      `#!/bin/sh\nfor a; do case $a in -*) ;; *) echo "$a" >>"${log}"; break ;; esac; done\nexec "${real}" "$@"\n`,
    );
    chmodSync(path.join(dir, "git"), 0o755);
    const saved = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${saved}`;
    t.after(() => (process.env.PATH = saved));
    return () => readFileSync(log, "utf8").split("\n").filter(Boolean);
  }

  const FUNCTIONS = {
    api: ["services/api", "libs/shared"],
    worker: "services/worker",
    infra: ["infra/index.ts"],
  } as const;

  test("gives each function the key gitSourceKey gives it, clean or with uncommitted changes", async () => {
    const root = await monorepo();
    const oneByOne = () => ({
      api: gitSourceKey(FUNCTIONS.api, { cwd: root }),
      worker: gitSourceKey(FUNCTIONS.worker, { cwd: root }),
      infra: gitSourceKey(FUNCTIONS.infra, { cwd: root }),
    });
    assert.deepEqual(gitSourceKeys(FUNCTIONS, { cwd: root }), oneByOne());
    write(root, { "libs/shared/common.py": "SHARED = 2\n", "services/worker/new.js": "//\n" });
    const keys = gitSourceKeys(FUNCTIONS, { cwd: root });
    assert.deepEqual(keys, oneByOne());
    assert.match(keys.api, DIRTY);
    assert.match(keys.worker, DIRTY);
    assert.match(keys.infra, KEY);
    assert.notEqual(keys.api.split("-")[1], keys.worker.split("-")[1]);
    assert.deepEqual(
      gitSourceKeys(FUNCTIONS, { cwd: root, includeUncommitted: false }),
      Object.fromEntries(
        Object.entries(FUNCTIONS).map(([name, paths]) => [
          name,
          gitSourceKey(paths, { cwd: root, includeUncommitted: false }),
        ]),
      ),
    );
  });

  test("costs one status whatever the number of functions, and the ids one rev-parse at most", async (t) => {
    const root = await monorepo();
    // A process's first call runs git itself and starts the bridge to the helper for the next.
    gitSourceKey("services/api", { cwd: await monorepo() });
    const calls = await countingGit(t);
    const many = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`fn${i}`, i % 2 ? "services/api" : "services/worker"]),
    );
    const keys = gitSourceKeys(many, { cwd: root });
    assert.equal(Object.keys(keys).length, 20);
    // Through the git helper, the ids come from the `git cat-file` it keeps for the directory,
    // which with the directory's prefix and top (one `rev-parse`) it keeps for the next calls.
    const first = calls();
    assert.deepEqual([...first].sort(), ["cat-file", "rev-parse", "status"]);
    assert.deepEqual(gitSourceKeys(many, { cwd: root }), keys);
    assert.deepEqual(calls().slice(first.length), ["status"]);
  });

  test("no functions, no git call", async (t) => {
    const calls = await countingGit(t);
    assert.deepEqual(gitSourceKeys({}), {});
    assert.deepEqual(calls(), []);
  });

  test("a path that is not committed is named, by gitSourceKeys", async () => {
    const root = await monorepo();
    write(root, { "services/new/handler.py": "def handler(e, c):\n    return 3\n" });
    const error = codeOf(() =>
      gitSourceKeys({ api: "services/api", fresh: "services/new" }, { cwd: root }),
    );
    assert.equal(error.code, "GIT_PATH_NOT_TRACKED");
    assert.match(error.message, /^gitSourceKeys: "services\/new"/);
  });
});

describe("gitSourceKey in a work tree whose path holds a line break", () => {
  test("changes when a file under its paths is committed anew", async () => {
    const parent = await tempDir("git-key-newline");
    const root = path.join(parent, "check\nout");
    mkdirSync(path.join(root, "fn"), { recursive: true });
    git(root, "init", "-q", "-b", "main");
    commit(root, { "fn/index.js": "1\n" });
    const before = gitSourceKey("fn", { cwd: root });
    commit(root, { "fn/index.js": "2\n" });
    assert.notEqual(gitSourceKey("fn", { cwd: root }), before);
    write(root, { "fn/index.js": "3\n" });
    assert.match(gitSourceKey("fn", { cwd: root }), DIRTY, "uncommitted edits are seen too");
  });
});
