import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { runGit } from "../../../engine/git/run";
import { statusArgs } from "../../../engine/git/uncommitted";
import { commit, git } from "../../support/git";
import { tempDir } from "../../support/tmp";

test("only the first git status of a directory takes the index's optional lock, and both list the same", async () => {
  const root = await tempDir("uncommitted");
  git(root, "init", "-q", "-b", "main");
  commit(root, { "fn/index.js": "1\n", "fn/lib.js": "2\n" });
  appendFileSync(path.join(root, "fn/index.js"), "edited\n");
  writeFileSync(path.join(root, "fn/new.js"), "3\n");
  const first = statusArgs(["fn"], root);
  const later = statusArgs(["fn"], root);
  assert.equal(first[0], "status");
  assert.deepEqual(later, ["--no-optional-locks", ...first]);
  const listing = runGit(first, { cwd: root });
  assert.equal(listing, " M fn/index.js\0?? fn/new.js\0");
  assert.equal(runGit(later, { cwd: root }), listing);
});
