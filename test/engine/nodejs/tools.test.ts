import assert from "node:assert/strict";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { findTool, toolCacheDir } from "../../../engine/nodejs/tools";
import { tempDir, type Cleanup } from "../packager/fixtures";

/** A directory holding an executable `name` that prints `version`. */
async function fakeTool(t: Cleanup, name: string, version: string): Promise<string> {
  const dir = await tempDir(t);
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\necho ${version}\n`);
  await chmod(file, 0o755);
  return dir;
}

const manifestFile = "/project/package.json";
const log = () => {};

describe("findTool", () => {
  test("without a pin, the tool on PATH is used", async (t) => {
    const bin = await fakeTool(t, "pnpm", "9.0.0");
    const tool = await findTool({ manager: "pnpm", manifestFile, log, env: { PATH: bin } });
    assert.equal(tool.command, path.join(bin, "pnpm"));
    assert.equal(tool.version, "9.0.0", "what it says it is");
  });

  test("without a pin and without the tool on PATH, the error gives both ways out", async (t) => {
    const empty = await tempDir(t);
    await assert.rejects(
      findTool({ manager: "yarn-berry", manifestFile, log, env: { PATH: empty } }),
      {
        code: "PACKAGE_MANAGER_MISSING",
        message:
          'The project needs yarn-berry (its lockfile says so), and there is no yarn on PATH, nor a "packageManager" field in /project/package.json to fetch it by. Install it (npm install --global @yarnpkg/cli-dist@latest), or pin it there, e.g. "packageManager": "yarn@<version>".',
      },
    );
  });

  test("a pinned version that the tool on PATH has is taken from PATH", async (t) => {
    const bin = await fakeTool(t, "yarn", "1.22.22");
    const pinned = { name: "yarn", version: "1.22.22" } as const;
    const tool = await findTool({
      manager: "yarn-classic",
      pinned,
      manifestFile,
      log,
      env: { PATH: bin },
    });
    assert.equal(tool.command, path.join(bin, "yarn"));
  });

  test("another pinned version comes from the tool cache, where a fetch put it", async (t) => {
    const bin = await fakeTool(t, "pnpm", "9.0.0");
    const cacheHome = await tempDir(t);
    const env = { PATH: bin, XDG_CACHE_HOME: cacheHome };
    const cached = path.join(toolCacheDir(env), "pnpm@12.4.2", "node_modules", ".bin");
    await mkdir(cached, { recursive: true });
    await writeFile(path.join(cached, "pnpm"), "");
    const pinned = { name: "pnpm", version: "12.4.2" } as const;
    const tool = await findTool({ manager: "pnpm", pinned, manifestFile, log, env });
    assert.equal(tool.command, path.join(cached, "pnpm"));
    assert.match(tool.label, /pnpm 12\.4\.2 \(pnpm@12\.4\.2 from the npm registry\)/);
    assert.equal(tool.version, "12.4.2");
  });

  test("a pinned version that cannot be fetched says what was pinned and how to install it", async (t) => {
    const env = { PATH: await tempDir(t), XDG_CACHE_HOME: await tempDir(t) };
    const pinned = { name: "pnpm", version: "12.4.2" } as const;
    await assert.rejects(findTool({ manager: "pnpm", pinned, manifestFile, log, env }), {
      code: "PACKAGE_MANAGER_MISSING",
      message:
        /pins pnpm@12\.4\.2 in \/project\/package\.json; fetching it needs npm, which is not on PATH/,
    });
  });
});
