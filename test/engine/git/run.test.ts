import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { runGitBatch, runGitConcurrently } from "../../../engine/git/run";
import { commit, git, gitFailureOf } from "../../support/git";
import { tempDir } from "../../support/tmp";

async function repository(): Promise<string> {
  const root = await tempDir("run");
  git(root, "init", "-q", "-b", "main");
  commit(root, { "fn/index.js": "exports.handler = 1;\n", "fn/it's [odd] *.js": "2\n" });
  return root;
}

describe("runGitConcurrently", () => {
  test("gives what runGitBatch gives, paths with quotes and pattern characters included", async () => {
    const root = await repository();
    const commands = [
      ["ls-tree", "-z", "--full-tree", "HEAD", "--", "fn/it's [odd] *.js", "fn"],
      ["rev-parse", "HEAD:./fn"],
      ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", "fn"],
    ];
    assert.deepEqual(
      await runGitConcurrently(commands, { cwd: root }),
      runGitBatch(commands, { cwd: root }),
    );
  });

  test("names the first command that failed, as runGitBatch does", async () => {
    const root = await repository();
    const commands = [
      ["rev-parse", "HEAD:./fn"],
      ["rev-parse", "HEAD:./missing"],
      ["rev-parse", "HEAD:./gone"],
    ];
    const batch = await gitFailureOf(() => runGitBatch(commands, { cwd: root }));
    assert.deepEqual(batch.args, commands[1]);
    assert.deepEqual(await gitFailureOf(() => runGitConcurrently(commands, { cwd: root })), batch);
  });

  test("a git not on PATH fails as the shell reports it, with status 127", async (t) => {
    const root = await repository();
    const saved = process.env.PATH;
    t.after(() => (process.env.PATH = saved));
    process.env.PATH = path.join(root, "no-git-here");
    const commands = [["rev-parse", "HEAD"]];
    const batch = await gitFailureOf(() => runGitBatch(commands, { cwd: root }));
    assert.equal(batch.status, 127);
    assert.deepEqual(await gitFailureOf(() => runGitConcurrently(commands, { cwd: root })), batch);
  });
});
