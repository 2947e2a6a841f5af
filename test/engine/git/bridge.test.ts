import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { runGitBatchSync } from "../../../engine/git/bridge";
import { runGitBatch } from "../../../engine/git/run";
import { commit, git, gitFailureOf } from "../../support/git";
import { tempDir } from "../../support/tmp";

async function repository(): Promise<string> {
  const root = await tempDir("bridge");
  git(root, "init", "-q", "-b", "main");
  commit(root, { "fn/index.js": "exports.handler = 1;\n" });
  return root;
}

describe("runGitBatchSync", () => {
  test("gives runGitBatch's outputs, the first call and the ones through the worker alike", async () => {
    const root = await repository();
    const commands = [
      ["rev-parse", "HEAD:./fn"],
      ["status", "--porcelain", "--", "fn"],
    ];
    const direct = runGitBatch(commands, { cwd: root });
    for (let call = 0; call < 4; call++)
      assert.deepEqual(runGitBatchSync(commands, { cwd: root }), direct);
  });

  test("fails as runGitBatch fails, naming the command", async () => {
    const root = await repository();
    const commands = [
      ["rev-parse", "HEAD:./fn"],
      ["rev-parse", "HEAD:./missing"],
    ];
    const direct = await gitFailureOf(() => runGitBatch(commands, { cwd: root }));
    assert.deepEqual(direct.args, commands[1]);
    for (let call = 0; call < 3; call++)
      assert.deepEqual(await gitFailureOf(() => runGitBatchSync(commands, { cwd: root })), direct);
  });

  test("finds git on the PATH the caller has when it asks", async (t) => {
    const root = await repository();
    runGitBatchSync([["rev-parse", "HEAD"]], { cwd: root });
    runGitBatchSync([["rev-parse", "HEAD"]], { cwd: root });
    const saved = process.env.PATH;
    t.after(() => (process.env.PATH = saved));
    process.env.PATH = path.join(root, "no-git-here");
    assert.equal(
      (await gitFailureOf(() => runGitBatchSync([["rev-parse", "HEAD"]], { cwd: root }))).status,
      127,
    );
  });

  test("a program that used it exits once its work is done", async () => {
    const root = await repository();
    const bridge = path.resolve(__dirname, "../../../engine/git/bridge.js");
    const script = `
      const { runGitBatchSync } = require(${JSON.stringify(bridge)});
      for (let i = 0; i < 3; i++) runGitBatchSync([["rev-parse", "HEAD"]], { cwd: ${JSON.stringify(root)} });
      process.stdout.write("done");
    `;
    const started = Date.now();
    const output = execFileSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(output, "done");
    assert.ok(Date.now() - started < 15_000, "the worker or the helper kept it alive");
  });
});
