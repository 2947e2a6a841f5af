import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { runGitBatch } from "../../../engine/git/run";
import { runGitBatchAside } from "../../../engine/git/runner";
import { commit, git } from "../../support/git";
import { tempDir } from "../../support/tmp";

async function repository(): Promise<string> {
  const root = realpathSync(await tempDir("runner"));
  git(root, "init", "-q", "-b", "main");
  commit(root, { "fn/index.js": "1\n", "fn/lib/a.js": "2\n", "package-lock.json": "{}\n" });
  return root;
}

/** Ids of the `git cat-file` processes running in `dir`, from /proc. */
function catFilesIn(dir: string): number[] {
  const ids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (args.includes("cat-file") && readlinkSync(`/proc/${entry}/cwd`) === dir)
        ids.push(Number(entry));
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return ids;
}

describe("the git helper", () => {
  test("answers the ls-tree of HEAD as git does, and a failing batch as git fails", async () => {
    const root = await repository();
    const commands = [
      ["ls-tree", "-z", "--full-tree", "HEAD", "--", "fn", "package-lock.json"],
      ["status", "--porcelain=v1", "-z", "--", "fn"],
    ];
    const sorted = (output: string) => output.split("\0").sort();
    const [listing, status] = await runGitBatchAside(commands, { cwd: root });
    const [gitsListing, gitsStatus] = runGitBatch(commands, { cwd: root });
    assert.deepEqual(sorted(listing), sorted(gitsListing));
    assert.equal(status, gitsStatus);
    await assert.rejects(
      runGitBatchAside([commands[0], ["rev-parse", "HEAD:./missing"]], { cwd: root }),
      /rev-parse HEAD:\.\/missing/,
    );
  });

  test("ends its git cat-file when the program that used it exits", async () => {
    const root = await repository();
    const key = path.resolve(__dirname, "../../../engine/reads/key.js");
    // It says how many cat-file processes run in the repository before it ends.
    const script = `
      const { readsKey } = require(${JSON.stringify(key)});
      const { readdirSync, readFileSync, readlinkSync } = require("node:fs");
      const running = () => readdirSync("/proc").filter((p) => {
        try {
          return readFileSync("/proc/" + p + "/cmdline", "utf8").includes("cat-file") &&
            readlinkSync("/proc/" + p + "/cwd") === ${JSON.stringify(root)};
        } catch { return false; }
      }).length;
      (async () => {
        for (let i = 0; i < 3; i++) await readsKey([${JSON.stringify(path.join(root, "fn"))}]);
        process.stdout.write(String(running()));
      })();
    `;
    const started = Date.now();
    const output = execFileSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(output, "1", "one cat-file answered its keys");
    assert.ok(Date.now() - started < 15_000, "the helper or its cat-file kept it alive");
    for (let waited = 0; catFilesIn(root).length && waited < 5_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(catFilesIn(root), []);
  });
});
