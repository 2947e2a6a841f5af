/**
 * The nodejs packagers with pnpm 9, 10 and 12 on a workspace member (and a
 * project of its own), copy + install and `bundle.nodeModules`, built into a
 * zip and unzipped: the lockfile's versions, Lambda's platform package of
 * rollup (it has one per os/cpu/libc), and a handler that runs. These reach
 * the npm registry for the packages and, once per machine, for pnpm 9.15.9,
 * 10.34.9 and 12.4.2.
 */
import assert from "node:assert/strict";
import { appendFile, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { build } from "../../../engine/build";
import { findTool } from "../../../engine/nodejs/tools";
import type { BuildOptions } from "../../../engine/options";
import { copyFixture, listTree, run, tempDir, type Cleanup } from "./fixtures";

/** One pnpm of each major in use: the fixture has a lockfile written by each. */
const VERSIONS = ["9.15.9", "10.34.9", "12.4.2"] as const;

/**
 * The fixture workspace as pnpm `version` keeps it: pinned by packageManager,
 * with the lockfile that version wrote (kind-of ^6.0.0 locked at 6.0.2,
 * while 6.0.3 is on the registry).
 */
async function pnpmWorkspace(t: Cleanup, version: string): Promise<string> {
  const root = await copyFixture(t, "pnpm-native-workspace");
  const manifest = path.join(root, "package.json");
  const text = await readFile(manifest, "utf8");
  const pinned = { ...(JSON.parse(text) as object), packageManager: `pnpm@${version}` };
  await writeFile(manifest, `${JSON.stringify(pinned, null, 2)}\n`);
  const lockfiles = path.join(root, "lockfiles");
  await copyFile(path.join(lockfiles, `pnpm-${version}.yaml`), path.join(root, "pnpm-lock.yaml"));
  await rm(lockfiles, { recursive: true });
  return root;
}

/**
 * Builds the Lambda zip of `sourcePath` for nodejs22.x and unzips it: the
 * package's files as Lambda would lay them out, and the build's log.
 */
async function packaged(
  t: Cleanup,
  sourcePath: string,
  options: Partial<BuildOptions> = {},
): Promise<{ dir: string; lines: string[] }> {
  const lines: string[] = [];
  const out = await tempDir(t);
  const outFile = path.join(out, "package.zip");
  await build({
    runtime: "nodejs22.x",
    ...options,
    sourcePath,
    outFile,
    log: (l) => lines.push(l),
  });
  const dir = path.join(out, "package");
  await run("unzip", ["-q", outFile, "-d", dir]);
  return { dir, lines };
}

/** Runs pnpm `version` (from the tool cache, fetched the first time) in `cwd`. */
async function runPnpm(version: string, cwd: string, args: readonly string[]): Promise<void> {
  const pnpm = await findTool({
    manager: "pnpm",
    pinned: { name: "pnpm", version },
    manifestFile: path.join(cwd, "package.json"),
    log: () => {},
  });
  await run(pnpm.command, [...args], {
    cwd,
    env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` },
  });
}

/** rollup's platform packages in a package's file list. */
function rollupPlatforms(tree: readonly string[]): string[] {
  return [...new Set(tree.map((f) => /^node_modules\/@rollup\/(rollup-[^/]+)\//.exec(f)?.[1]))]
    .filter((name) => name !== undefined)
    .sort();
}

async function callHandler(dir: string, file: string): Promise<unknown> {
  const code = `require("./${file}").handler({ value: 5 }).then((r) => console.log(JSON.stringify(r)))`;
  return JSON.parse(await run(process.execPath, ["-e", code], { cwd: dir })) as unknown;
}

/** What the member's handler returns when its dependencies resolved, rollup's native parser included. */
const HANDLER_RESULT = {
  isNumber: true,
  text: "HI!",
  parsed: "ExpressionStatement",
  kindOf: "6.0.2",
};

/** How `architecture` reaches each major: a setting in the scratch copy, or flags. */
function architectureLine(version: string, cpu: string): string {
  return Number(version.split(".")[0]) <= 10
    ? `supportedArchitectures linux/${cpu}/glibc set in the scratch package.json's "pnpm" field`
    : `--os=linux --cpu=${cpu} --libc=glibc`;
}

for (const version of VERSIONS) {
  describe(
    `pnpm ${version}: a workspace member, and a project of its own`,
    { timeout: 300_000 },
    () => {
      test("copy + install with the default architecture packages the lockfile's versions and rollup for Linux x64 glibc, and its handler runs", async (t) => {
        const root = await pnpmWorkspace(t, version);
        const before = await listTree(root);
        const api = path.join(root, "packages", "api");
        const { dir: buildDir, lines } = await packaged(t, api);
        const tree = await listTree(buildDir);
        for (const file of [
          "index.js",
          "node_modules/@fixture/util/index.js",
          "node_modules/kind-of/package.json",
          "node_modules/rollup/package.json",
        ])
          assert.ok(tree.includes(file), `${file} in ${tree.join(" ")}`);
        assert.deepEqual(rollupPlatforms(tree), ["rollup-linux-x64-gnu"]);
        for (const absent of ["node_modules/ansi-regex/", "node_modules/@fixture/api/"])
          assert.ok(!tree.includes(absent), `${absent} is not packaged`);
        assert.ok(
          lines.some((l) => l.includes(architectureLine(version, "x64"))),
          lines.join("\n"),
        );
        assert.deepEqual(await callHandler(buildDir, "index.js"), HANDLER_RESULT);
        assert.deepEqual(await listTree(root), before, "nothing written into the workspace");
      });

      test("bundle.nodeModules installs rollup beside the bundle for Linux x64 glibc, and the bundled handler runs", async (t) => {
        const root = await pnpmWorkspace(t, version);
        // esbuild reads the workspace's own install, as a user's build would.
        await runPnpm(version, root, ["install", "--frozen-lockfile"]);
        const api = path.join(root, "packages", "api");
        const { dir: buildDir, lines } = await packaged(t, api, {
          bundle: { entry: "index.js", nodeModules: ["rollup"] },
        });
        const tree = await listTree(buildDir);
        assert.ok(tree.includes("node_modules/rollup/package.json"), tree.join(" "));
        assert.deepEqual(rollupPlatforms(tree), ["rollup-linux-x64-gnu"]);
        const packages = tree.filter((f) => /^node_modules\/(@[^/]+\/)?[^/@]+\/$/.test(f));
        assert.deepEqual(packages, [
          "node_modules/@rollup/rollup-linux-x64-gnu/",
          "node_modules/@types/estree/",
          "node_modules/rollup/",
        ]);
        assert.deepEqual(
          tree.filter((f) => !f.startsWith("node_modules/")),
          ["index.js"],
          "the bundle beside node_modules (no map unless asked for), no source",
        );
        assert.ok(
          lines.some((l) => l.includes(architectureLine(version, "x64"))),
          lines.join("\n"),
        );
        assert.deepEqual(await callHandler(buildDir, "index.js"), HANDLER_RESULT);
      });

      test("a project of its own, with its own lockfile, is installed for Linux x64 glibc, and its handler runs", async (t) => {
        const dir = path.join(await tempDir(t), "app");
        await mkdir(dir);
        const manifest = {
          name: "app",
          private: true,
          packageManager: `pnpm@${version}`,
          dependencies: { "is-number": "7.0.0", rollup: "4.30.1" },
        };
        await writeFile(path.join(dir, "package.json"), JSON.stringify(manifest));
        await writeFile(
          path.join(dir, "index.js"),
          'const { parseAst } = require("rollup/parseAst");\n' +
            'exports.handler = async () => parseAst("x = 1").body[0].type;\n',
        );
        await runPnpm(version, dir, ["install", "--lockfile-only"]);
        const { dir: buildDir, lines } = await packaged(t, dir);
        const tree = await listTree(buildDir);
        assert.ok(tree.includes("pnpm-lock.yaml"), "the source, lockfile included");
        assert.deepEqual(rollupPlatforms(tree), ["rollup-linux-x64-gnu"]);
        assert.ok(
          lines.some((l) => l.includes(architectureLine(version, "x64"))),
          lines.join("\n"),
        );
        assert.equal(await callHandler(buildDir, "index.js"), "ExpressionStatement");
      });

      test("architecture local packages this machine's rollup with no platform set, and its handler runs", async (t) => {
        const root = await pnpmWorkspace(t, version);
        const api = path.join(root, "packages", "api");
        const { dir: buildDir, lines } = await packaged(t, api, { architecture: "local" });
        assert.ok(!lines.some((l) => l.includes("supportedArchitectures") || l.includes("--os=")));
        // The test machine's own platform: what `local` means.
        const { header } = process.report.getReport() as {
          header: { glibcVersionRuntime?: string };
        };
        const libc =
          process.platform !== "linux" ? "" : header.glibcVersionRuntime ? "-gnu" : "-musl";
        assert.deepEqual(rollupPlatforms(await listTree(buildDir)), [
          `rollup-${process.platform}-${process.arch}${libc}`,
        ]);
        assert.deepEqual(await callHandler(buildDir, "index.js"), HANDLER_RESULT);
      });

      test("architecture arm64 gets rollup for Linux arm64 glibc, over the workspace's own supportedArchitectures", async (t) => {
        const root = await pnpmWorkspace(t, version);
        // What a developer on a Mac might keep for their own installs; pnpm 9 reads no settings here.
        await appendFile(
          path.join(root, "pnpm-workspace.yaml"),
          "supportedArchitectures:\n  os: [darwin]\n  cpu: [x64]\n",
        );
        const api = path.join(root, "packages", "api");
        const { dir: buildDir, lines } = await packaged(t, api, { architecture: "arm64" });
        assert.deepEqual(rollupPlatforms(await listTree(buildDir)), ["rollup-linux-arm64-gnu"]);
        assert.ok(
          lines.some((l) => l.includes(architectureLine(version, "arm64"))),
          lines.join("\n"),
        );
      });
    },
  );
}
