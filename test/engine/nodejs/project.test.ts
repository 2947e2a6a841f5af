import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { readPackageJson } from "../../../engine/nodejs/manifest";
import { parsePackageManager, readProject } from "../../../engine/nodejs/project";
import { copyFixture, tempDir } from "../packager/fixtures";

/** A directory with these files (path → content). */
async function tree(dir: string, files: Record<string, string>): Promise<string> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const project = (dir: string) => readProject(dir, readPackageJson(dir)!);
const pkg = (extra: object = {}) => JSON.stringify({ name: "fn", ...extra });

describe("readProject", () => {
  test("the lockfile picks the package manager", async (t) => {
    for (const [lockfile, manager] of [
      ["package-lock.json", "npm"],
      ["npm-shrinkwrap.json", "npm"],
      ["pnpm-lock.yaml", "pnpm"],
      ["yarn.lock", "yarn-classic"],
    ] as const) {
      const dir = await tree(await tempDir(t), { "package.json": pkg(), [lockfile]: "" });
      assert.equal(project(dir).manager, manager, lockfile);
      assert.equal(project(dir).lockfile, lockfile);
    }
  });

  test("a yarn.lock with __metadata, or .yarnrc.yml beside it, is yarn berry's", async (t) => {
    const lock = await tree(await tempDir(t), {
      "package.json": pkg(),
      "yarn.lock": "# generated\n\n__metadata:\n  version: 8\n",
    });
    assert.equal(project(lock).manager, "yarn-berry");
    const rc = await tree(await tempDir(t), {
      "package.json": pkg(),
      "yarn.lock": "# yarn lockfile v1\n",
      ".yarnrc.yml": "nodeLinker: node-modules\n",
    });
    assert.equal(project(rc).manager, "yarn-berry");
  });

  test("without a lockfile it is npm, unless packageManager names another tool", async (t) => {
    const plain = await tree(await tempDir(t), { "package.json": pkg() });
    assert.equal(project(plain).manager, "npm");
    assert.equal(project(plain).lockfile, undefined);
    const pinned = await tree(await tempDir(t), {
      "package.json": pkg({ packageManager: "pnpm@12.4.2" }),
    });
    assert.equal(project(pinned).manager, "pnpm");
    assert.deepEqual(project(pinned).pinned, { name: "pnpm", version: "12.4.2" });
  });

  test("lockfiles of two tools are an error naming both", async (t) => {
    const dir = await tree(await tempDir(t), {
      "package.json": pkg(),
      "package-lock.json": "{}",
      "yarn.lock": "",
    });
    assert.throws(() => project(dir), {
      code: "LOCKFILE_AMBIGUOUS",
      message: new RegExp(
        `${dir} has lockfiles of more than one package manager \\(package-lock\\.json, yarn\\.lock\\)`,
      ),
    });
  });

  test("a packageManager that names another tool than the lockfile is an error saying which wins", async (t) => {
    const dir = await tree(await tempDir(t), {
      "package.json": pkg({ packageManager: "yarn@4.18.1" }),
      "pnpm-lock.yaml": "",
    });
    assert.throws(() => project(dir), {
      code: "PACKAGE_MANAGER_INVALID",
      message: /the lockfile is pnpm-lock\.yaml, which is pnpm's\. The lockfile picks the tool/,
    });
  });

  test("a workspace member takes the root's lockfile, tool and pin", async (t) => {
    const root = await copyFixture(t, "pnpm-workspace");
    const member = project(path.join(root, "packages", "api"));
    assert.equal(member.root, root);
    assert.equal(member.manager, "pnpm");
    assert.equal(member.lockfile, "pnpm-lock.yaml");
    assert.deepEqual(member.pinned, { name: "pnpm", version: "12.4.2" });
    assert.equal(member.workspace?.member.name, "@fixture/api");
  });

  test("a member with a lockfile of its own is a project of its own", async (t) => {
    const root = await copyFixture(t, "npm-workspace");
    const api = path.join(root, "packages", "api");
    await writeFile(path.join(api, "package-lock.json"), "{}");
    assert.equal(project(api).root, api);
    assert.equal(project(api).workspace, undefined);
  });
});

describe("parsePackageManager", () => {
  test("reads the tool and exact version, dropping a hash", () => {
    assert.deepEqual(parsePackageManager("yarn@4.18.1+sha512.abc", "/p"), {
      name: "yarn",
      version: "4.18.1",
    });
    assert.equal(parsePackageManager(undefined, "/p"), undefined);
  });

  test("a range or an unknown tool is an error naming the file and the form", () => {
    for (const value of ["pnpm@^10", "bun@1.2.0", "pnpm"]) {
      assert.throws(() => parsePackageManager(value, "/p"), {
        code: "PACKAGE_MANAGER_INVALID",
        message: new RegExp(
          `"packageManager": "${value.replace(/[\^.]/g, "\\$&")}" in /p/package\\.json is not <npm\\|pnpm\\|yarn>@<exact version>`,
        ),
      });
    }
  });
});
