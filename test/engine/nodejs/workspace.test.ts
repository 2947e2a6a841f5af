import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import {
  expandMembers,
  findWorkspace,
  productionSiblings,
  yamlPackages,
} from "../../../engine/nodejs/workspace";
import { copyFixture, tempDir } from "../packager/fixtures";

async function member(root: string, dir: string, manifest: object): Promise<void> {
  await mkdir(path.join(root, dir), { recursive: true });
  await writeFile(path.join(root, dir, "package.json"), JSON.stringify(manifest));
}

describe("workspaces", () => {
  test("pnpm-workspace.yaml's packages are read in block and flow style, quotes and comments aside", () => {
    const block =
      "catalog:\n  a: 1\npackages:\n  - 'apps/*'\n  # none\n  - \"libs/**\" # all\n  - '!**/test/**'\nonlyBuiltDependencies: []\n";
    assert.deepEqual(yamlPackages(block), ["apps/*", "libs/**", "!**/test/**"]);
    assert.deepEqual(yamlPackages('packages: ["a/*", b]\n'), ["a/*", "b"]);
    assert.equal(yamlPackages("onlyBuiltDependencies: [esbuild]\n"), undefined);
  });

  test("patterns match directories with a named package.json; ** goes deep, ! leaves out", async (t) => {
    const root = await tempDir(t);
    await member(root, "apps/web", { name: "web" });
    await member(root, "libs/a/b", { name: "deep" });
    await member(root, "libs/test/x", { name: "excluded" });
    await member(root, "libs/node_modules/y", { name: "never" });
    await member(root, "apps/nameless", {});
    const names = expandMembers(root, ["apps/*", "libs/**", "!libs/test/*"]).map((m) => m.name);
    assert.deepEqual(names, ["web", "deep"]);
  });

  test("a member's production siblings are found transitively, dev dependencies not", async (t) => {
    const root = await tempDir(t);
    await member(root, "p/api", {
      name: "api",
      dependencies: { core: "*" },
      devDependencies: { test: "*" },
    });
    await member(root, "p/core", { name: "core", optionalDependencies: { util: "workspace:*" } });
    await member(root, "p/util", { name: "util", dependencies: { api: "*" } });
    await member(root, "p/test", { name: "test" });
    const members = expandMembers(root, ["p/*"]);
    const api = members.find((m) => m.name === "api")!;
    const siblings = productionSiblings({ root, members }, api).map((m) => m.name);
    assert.deepEqual(siblings.sort(), ["core", "util"]);
  });

  test("findWorkspace finds the root that lists the package, and none for a package it does not list", async (t) => {
    const root = await copyFixture(t, "yarn-workspace");
    const found = findWorkspace(path.join(root, "packages", "api"));
    assert.equal(found?.root, root);
    assert.deepEqual(
      found?.members.map((m) => m.name),
      ["@fixture/api", "@fixture/other", "@fixture/util"],
    );
    await member(root, "tools/script", { name: "script" });
    assert.equal(findWorkspace(path.join(root, "tools", "script")), undefined);
  });
});
