/**
 * workTreeTopAside: the git helper's answer is workTreeTop's, in a work tree,
 * in a folder of one, through a link, and outside any.
 */
import assert from "node:assert/strict";
import { mkdir, realpath, symlink } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { workTreeTop, workTreeTopAside } from "../../../engine/git/work-tree";
import { run } from "../../support/run";
import { tempDir } from "../../support/tmp";

test("the git helper finds the same work tree top as git run here, or none outside one", async () => {
  const outside = await tempDir("work-tree-outside");
  const repo = path.join(await tempDir("work-tree"), "repo");
  await mkdir(path.join(repo, "functions", "a"), { recursive: true });
  await run("git", ["init", "-q", repo]);
  const link = path.join(outside, "link");
  await symlink(path.join(repo, "functions"), link);
  const top = await realpath(repo);
  for (const dir of [repo, path.join(repo, "functions", "a"), path.join(link, "a")]) {
    assert.equal(await workTreeTopAside(dir), top, dir);
    assert.equal(workTreeTop(dir), top, dir);
  }
  assert.equal(workTreeTop(outside), undefined);
  assert.equal(await workTreeTopAside(outside), undefined);
});
