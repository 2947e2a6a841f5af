/**
 * The nodejs packagers with `bundle`: what the package holds, `nodeModules`
 * installed beside the bundle, a workspace sibling bundled through the
 * workspace, and the same bytes from two checkouts at different paths. These
 * reach the npm registry (is-number, kind-of; pnpm@12.4.2 once per machine).
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { main } from "../../../cli/main";
import { build } from "../../../engine/build";
import { findTool } from "../../../engine/nodejs/tools";
import { copyFixture, listTree, run, stage, tempDir, type Cleanup } from "./fixtures";

/** The TypeScript fixture at `dir` (a name of its own) with its dependencies installed. */
async function tsProject(t: Cleanup, name = "nodejs-ts"): Promise<string> {
  const dir = await copyFixture(t, "nodejs-ts");
  const renamed = path.join(path.dirname(dir), name);
  if (renamed !== dir) await run("mv", [dir, renamed]);
  await run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: renamed });
  return renamed;
}

async function callHandler(dir: string, event: object, file = "index.js"): Promise<unknown> {
  const code = `require("./${file}").handler(${JSON.stringify(event)}).then((r) => console.log(JSON.stringify(r)))`;
  return JSON.parse(await run(process.execPath, ["-e", code], { cwd: dir })) as unknown;
}

const bundle = { entry: "src/handler.ts" };

describe("nodejs packagers with bundle", { timeout: 300_000 }, () => {
  test("the package is the bundle alone: no map by default, no source, no node_modules", async (t) => {
    const src = await tsProject(t);
    const { buildDir } = await stage(t, "nodejs22.x", src, { bundle });
    assert.deepEqual(await listTree(buildDir), ["index.js"]);
    assert.deepEqual(await callHandler(buildDir, { value: "4" }), { isNumber: true });
    const mapped = await stage(t, "nodejs22.x", src, { bundle: { ...bundle, sourcemap: true } });
    assert.deepEqual(await listTree(mapped.buildDir), ["index.js", "index.js.map"]);
  });

  test("the default bundle's zip is within 10% of the zip without a map", async (t) => {
    const src = await tsProject(t);
    const out = await tempDir(t);
    const zip = (name: string, extra: object) =>
      build({
        runtime: "nodejs22.x",
        sourcePath: src,
        bundle: { ...bundle, ...extra },
        outFile: path.join(out, `${name}.zip`),
      });
    const byDefault = await zip("default", {});
    const mapless = await zip("mapless", { sourcemap: false });
    const mapped = await zip("mapped", { sourcemap: true });
    assert.ok(
      byDefault.size <= mapless.size * 1.1,
      `default ${byDefault.size} bytes, without a map ${mapless.size}`,
    );
    // The map, when asked for, is the project's own sources only, so it stays small too.
    assert.ok(mapped.size > mapless.size, `with a map ${mapped.size} bytes`);
  });

  test("entries put several handlers into one zip, each its own file, and each runs from it", async (t) => {
    const src = await tsProject(t);
    await writeFile(
      path.join(src, "src", "report.ts"),
      'import { base } from "./legacy.cjs";\n' +
        "export const handler = async (event: { file: string }) => ({ report: base(event.file) });\n",
    );
    const out = await tempDir(t);
    const result = await build({
      runtime: "nodejs22.x",
      sourcePath: src,
      bundle: { entries: { orders: "src/handler.ts", report: "src/report.ts" } },
      outFile: path.join(out, "both.zip"),
    });
    assert.equal(result.fileCount, 2);
    const unzipped = path.join(out, "fn");
    await run("unzip", ["-q", result.path, "-d", unzipped]);
    assert.deepEqual(await listTree(unzipped), ["orders.js", "report.js"]);
    assert.deepEqual(await callHandler(unzipped, { value: "4" }, "orders.js"), { isNumber: true });
    assert.deepEqual(await callHandler(unzipped, { file: "/a/b.csv" }, "report.js"), {
      report: "b.csv",
    });
  });

  test("nodeModules are installed beside the bundle with what they need, and only those", async (t) => {
    const src = await tsProject(t);
    const { buildDir, lines } = await stage(t, "nodejs22.x", src, {
      bundle: { ...bundle, nodeModules: ["is-number"] },
      architecture: "arm64",
    });
    const tree = await listTree(buildDir);
    assert.ok(tree.includes("node_modules/is-number/index.js"), tree.join(" "));
    assert.ok(!tree.some((f) => f.startsWith("node_modules/kind-of")), "no dev dependency");
    assert.ok(!tree.includes("node_modules/.package-lock.json"));
    assert.ok(!tree.includes("src/handler.ts"), "no source");
    const code = await readFile(path.join(buildDir, "index.js"), "utf8");
    assert.match(code, /require\("is-number"\)/, "is-number is loaded, not bundled");
    assert.ok(
      lines.some((l) => l.includes("--os=linux --cpu=arm64")),
      lines.join("\n"),
    );
    assert.deepEqual(await callHandler(buildDir, { value: "4" }), { isNumber: true });
  });

  test("a nodeModules entry the project does not depend on fails, naming its package.json", async (t) => {
    const src = await tsProject(t);
    await assert.rejects(
      stage(t, "nodejs22.x", src, { bundle: { ...bundle, nodeModules: ["left-pad"] } }),
      (e: Error) => {
        assert.match(e.message, /bundle\.nodeModules names left-pad, which the production install/);
        assert.ok(e.message.includes(path.join(src, "package.json")), e.message);
        return true;
      },
    );
  });

  test("two checkouts at different paths give byte-identical zips, and verify agrees", async (t) => {
    const [a, b] = [await tsProject(t, "checkout-a"), await tsProject(t, "elsewhere")];
    assert.notEqual(path.dirname(a), path.dirname(b));
    const out = await tempDir(t);
    // With a map and its sources' text: what most easily holds a path of the checkout.
    const options = {
      runtime: "nodejs22.x",
      bundle: { ...bundle, format: "esm" as const, sourcemap: true, sourcesContent: true },
    };
    const first = await build({ ...options, sourcePath: a, outFile: path.join(out, "a.zip") });
    const second = await build({ ...options, sourcePath: b, outFile: path.join(out, "b.zip") });
    assert.equal(first.sha256, second.sha256);
    assert.equal(first.fileCount, 2);
    const args = ["verify", a, "-r", "nodejs22.x", "--entry", "src/handler.ts", "--minify"];
    assert.equal(await main(args), 0);
  });

  test("in a pnpm workspace, esbuild bundles a sibling through the workspace as it is", async (t) => {
    const root = await copyFixture(t, "pnpm-workspace");
    const pnpm = await findTool({
      manager: "pnpm",
      pinned: { name: "pnpm", version: "12.4.2" },
      manifestFile: path.join(root, "package.json"),
      log: () => {},
    });
    await run(pnpm.command, ["install", "--frozen-lockfile"], {
      cwd: root,
      env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` },
    });
    const { buildDir } = await stage(t, "nodejs22.x", path.join(root, "packages", "api"), {
      bundle: { entry: "index.js", sourcemap: true },
    });
    assert.deepEqual(await listTree(buildDir), ["index.js", "index.js.map"]);
    const map = JSON.parse(await readFile(path.join(buildDir, "index.js.map"), "utf8")) as {
      sources: string[];
    };
    assert.ok(map.sources.includes("../util/index.js"), map.sources.join(" "));
    assert.deepEqual(await callHandler(buildDir, { value: 1 }), { isNumber: true, text: "HI!" });
  });
});
