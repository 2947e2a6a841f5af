import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { findUvWorkspace, globRegex, repositoryTop } from "../../../engine/python/workspace";
import { project } from "./lockfile/project";

const MEMBER = '[project]\nname = "m"\n';

describe("uv workspaces", () => {
  test("a project is the member of the nearest workspace above it whose members globs match it and exclude globs do not", async () => {
    const root = await project({
      "pyproject.toml":
        '[tool.uv.workspace]\nmembers = ["packages/*", "apps/**"]\nexclude = ["packages/old"]\n',
      "packages/api/pyproject.toml": MEMBER,
      "packages/old/pyproject.toml": MEMBER,
      "apps/deep/fn/pyproject.toml": MEMBER,
      "tools/x/pyproject.toml": MEMBER,
      "packages/nopyproject/handler.py": "",
    });
    assert.deepEqual(findUvWorkspace(path.join(root, "packages/api")), {
      root,
      member: "packages/api",
    });
    assert.deepEqual(findUvWorkspace(path.join(root, "apps/deep/fn")), {
      root,
      member: "apps/deep/fn",
    });
    assert.equal(findUvWorkspace(path.join(root, "packages/old")), undefined, "excluded");
    assert.equal(findUvWorkspace(path.join(root, "tools/x")), undefined, "not listed");
    assert.equal(findUvWorkspace(path.join(root, "packages/nopyproject")), undefined, "no project");
  });

  test("the walk up stops at the repository's top", async () => {
    const outer = await project({
      "pyproject.toml": '[tool.uv.workspace]\nmembers = ["**"]\n',
      "checkout/fn/pyproject.toml": MEMBER,
    });
    assert.ok(findUvWorkspace(path.join(outer, "checkout/fn")));
    await mkdir(path.join(outer, "checkout/.git"));
    assert.equal(findUvWorkspace(path.join(outer, "checkout/fn")), undefined);
    assert.equal(repositoryTop(path.join(outer, "checkout/fn")), path.join(outer, "checkout"));
    assert.equal(repositoryTop(outer), outer, "outside a repository, the directory itself");
  });

  test("globs: * and ? within a segment, [..] classes, ** across segments", () => {
    const cases: [string, string, boolean][] = [
      ["packages/*", "packages/api", true],
      ["packages/*", "packages/api/x", false],
      ["packages/ap?", "packages/api", true],
      ["packages/[ab]*", "packages/api", true],
      ["packages/[!ab]*", "packages/api", false],
      ["libs/**/fn", "libs/fn", true],
      ["libs/**/fn", "libs/a/b/fn", true],
      ["libs/**", "libs/a/b", true],
      ["./packages/api/", "packages/api", true],
      ["pkg.a", "pkgxa", false],
    ];
    for (const [glob, member, expected] of cases)
      assert.equal(globRegex(glob).test(member), expected, `${glob} ${member}`);
  });
});
