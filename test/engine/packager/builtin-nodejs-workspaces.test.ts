/**
 * The nodejs packagers on a member of a pnpm, yarn berry and npm workspace:
 * the member's production closure, siblings as real directories, from the
 * root's lockfile, without writing into the workspace. These reach the npm
 * registry for is-number@7.0.0, and for pnpm@12.4.2, @yarnpkg/cli-dist@4.18.1
 * and yarn@1.22.22 (each fixture pins its tool with packageManager) the first
 * time they run on a machine.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { TEMP_PREFIX } from "../../../engine/workdir";
import { copyFixture, listTree, run, stage } from "./fixtures";

/** What each fixture's member packages/api needs, and what it must not get. */
const EXPECTED = [
  "index.js",
  "node_modules/@fixture/util/index.js",
  "node_modules/@fixture/util/package.json",
  "node_modules/is-number/index.js",
  "package.json",
];
const ABSENT = [
  "node_modules/kind-of/", // a dev dependency of the member, a dependency of another member
  "node_modules/is-odd/", // npm and yarn 1 fixtures: another member's dependency
  "node_modules/@fixture/api/", // the member itself
  "node_modules/@fixture/other/",
];
/** Files that record install times or absolute paths. */
const INSTALL_STATE =
  /(^|\/)(\.package-lock\.json|\.modules\.yaml|\.pnpm\/|\.pnpm-workspace-state[^/]*|\.yarn-state\.yml|\.package-map\.json|\.yarn-integrity|install-state\.gz)$/;

async function callHandler(dir: string): Promise<unknown> {
  const code =
    'require("./index.js").handler({ value: 5 }).then((r) => console.log(JSON.stringify(r)))';
  return JSON.parse(await run(process.execPath, ["-e", code], { cwd: dir })) as unknown;
}

for (const [tool, fixture] of [
  ["pnpm (deploy, catalog entry)", "pnpm-workspace"],
  ["yarn berry (workspaces focus)", "yarn-workspace"],
  ["npm (--workspace)", "npm-workspace"],
  ["yarn 1 (only the members it needs)", "yarn-classic-workspace"],
] as const) {
  describe(`a ${tool} workspace member`, { timeout: 240_000 }, () => {
    test("gets its production closure with siblings as real directories, and the workspace is left as it was", async (t) => {
      const root = await copyFixture(t, fixture);
      const before = await listTree(root);
      const lockfile = before.find((f) =>
        /^(pnpm-lock\.yaml|yarn\.lock|package-lock\.json)$/.test(f),
      )!;
      const lockBefore = await readFile(path.join(root, lockfile), "utf8");
      const { buildDir, lines } = await stage(t, "nodejs22.x", path.join(root, "packages", "api"));
      const tree = await listTree(buildDir);
      for (const file of EXPECTED) assert.ok(tree.includes(file), `${file} in ${tree.join(" ")}`);
      for (const dir of ABSENT) assert.ok(!tree.includes(dir), `${dir} not in the package`);
      assert.deepEqual(
        tree.filter((f) => INSTALL_STATE.test(f)),
        [],
      );
      assert.deepEqual(await callHandler(buildDir), { isNumber: true, text: "HI!" });
      assert.deepEqual(await listTree(root), before, "nothing written into the workspace");
      assert.equal(await readFile(path.join(root, lockfile), "utf8"), lockBefore);
      assert.ok(
        lines.some((l) => l.includes("workspace member packages/api of")),
        lines.join("\n"),
      );
      // The scratch copy the tool ran in is named nowhere in what is packaged.
      const scratch = path.join(os.tmpdir(), TEMP_PREFIX);
      for (const file of tree.filter((f) => !f.endsWith("/"))) {
        const text = await readFile(path.join(buildDir, file), "utf8");
        assert.ok(!text.includes(scratch), `${file} names a temporary path`);
      }
    });
  });
}

describe("architecture in a workspace", { timeout: 240_000 }, () => {
  test("reaches the tool: pnpm gets --os, --cpu and --libc, yarn berry a supportedArchitectures block", async (t) => {
    for (const [fixture, expected] of [
      [
        "pnpm-workspace",
        "deploy --prod --config.node-linker=hoisted --os=linux --cpu=arm64 --libc=glibc",
      ],
      [
        "yarn-workspace",
        "supportedArchitectures linux/arm64/glibc added to the scratch .yarnrc.yml",
      ],
    ] as const) {
      const root = await copyFixture(t, fixture);
      const api = path.join(root, "packages", "api");
      const { buildDir, lines } = await stage(t, "nodejs22.x", api, { architecture: "arm64" });
      assert.ok(
        lines.some((l) => l.includes(expected)),
        `${fixture}: ${lines.join("\n")}`,
      );
      assert.deepEqual(await callHandler(buildDir), { isNumber: true, text: "HI!" });
      const yarnrc = path.join(root, ".yarnrc.yml");
      if (fixture === "yarn-workspace")
        assert.doesNotMatch(
          await readFile(yarnrc, "utf8"),
          /supportedArchitectures/,
          "yours is untouched",
        );
    }
  });
});
