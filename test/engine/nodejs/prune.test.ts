import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { keepOnly } from "../../../engine/nodejs/prune";
import { listTree, tempDir } from "../packager/fixtures";

async function pkg(dir: string, name: string, dependencies: Record<string, string> = {}) {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "package.json"), JSON.stringify({ name, dependencies }));
}

describe("keepOnly", () => {
  test("keeps the named packages and what they need, as Node resolves it, and nothing else", async (t) => {
    const nm = path.join(await tempDir(t), "node_modules");
    await pkg(path.join(nm, "sharp"), "sharp", { color: "^4", "@img/core": "1" });
    await pkg(path.join(nm, "sharp", "node_modules", "color"), "color", { "color-name": "1" });
    await pkg(path.join(nm, "color"), "color"); // another version, needed by nobody kept
    await pkg(path.join(nm, "color-name"), "color-name");
    await pkg(path.join(nm, "@img", "core"), "@img/core");
    await pkg(path.join(nm, "@img", "other"), "@img/other");
    await pkg(path.join(nm, "@unused", "x"), "@unused/x");
    await mkdir(path.join(nm, ".bin"));
    await keepOnly(nm, ["sharp"], "/p/package.json");
    assert.deepEqual(
      (await listTree(nm)).filter((f) => f.endsWith("package.json")),
      [
        "@img/core/package.json",
        "color-name/package.json",
        "sharp/node_modules/color/package.json",
        "sharp/package.json",
      ],
    );
  });

  test("a package that was not installed is an error naming the manifest", async (t) => {
    const nm = path.join(await tempDir(t), "node_modules");
    await pkg(path.join(nm, "a"), "a");
    await assert.rejects(keepOnly(nm, ["sharp"], "/p/package.json"), {
      code: "NODE_MODULE_MISSING",
      message:
        /bundle\.nodeModules names sharp, which the production install of \/p\/package\.json did not bring in/,
    });
  });
});
