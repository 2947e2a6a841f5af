/**
 * bundleHandler on the TypeScript fixture, its dependencies installed once
 * with npm ci (from the npm registry): what it writes, that it runs, and that
 * nothing in it depends on where the source was checked out.
 */
import assert from "node:assert/strict";
import { readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { bundleHandler, type BundleRequest } from "../../../engine/bundle";
import { BUNDLE_FIELDS, type BundleOptions } from "../../../engine/bundle/options";
import { esbuildChildren, stopEsbuild } from "../../../engine/bundle/stop";
import { packageRoot } from "../../../engine/packager";
import { withFieldDefaults } from "../../../shared/rules";
import type { NormalizedBundleOptions } from "../../../engine/bundle/options";
import { tempDir as freshDir } from "../../support/tmp";
import { copyFixture, run, suiteCleanup, tempDir, type Cleanup } from "../packager/fixtures";

const HANDLER_THROW_LINE = 7; // `throw new Error("asked to fail")` in src/handler.ts

function normalized(options: Partial<BundleOptions> = {}): NormalizedBundleOptions {
  const given: BundleOptions = options.entries ? options : { entry: "src/handler.ts", ...options };
  return withFieldDefaults(BUNDLE_FIELDS, { ...given }) as unknown as NormalizedBundleOptions;
}

/** Copies the TypeScript fixture and installs its dependencies, as a project in CI would be. */
export async function installedTsFixture(t: Cleanup): Promise<string> {
  const dir = await copyFixture(t, "nodejs-ts");
  await run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir });
  return dir;
}

/** Runs `code` in a fresh node in `dir`, returning what it printed as JSON. */
async function nodeIn(dir: string, code: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const out = await run(process.execPath, [...args, "-e", code], {
    cwd: dir,
    env: { ...process.env, ...env },
  });
  return JSON.parse(out) as unknown;
}

const callCjs = (event: object) =>
  `require("./index.js").handler(${JSON.stringify(event)}).then((r) => console.log(JSON.stringify(r)))`;
// Run as a module: \`node -e\` would give the bundle a global \`require\`, hiding a missing shim.
const esm = ["--input-type=module"];
const callEsm = (event: object) =>
  `const m = await import("./index.mjs"); console.log(JSON.stringify(await m.handler(${JSON.stringify(event)})))`;

describe("bundleHandler", { timeout: 180_000 }, () => {
  const cleanup = suiteCleanup();
  let source: string;
  before(async () => {
    source = await installedTsFixture(cleanup);
  });
  after(() => cleanup.run());

  async function bundle(t: Cleanup, options: Partial<BundleOptions> = {}, runtime = "nodejs22.x") {
    const outDir = await tempDir(t, "bundle-out-");
    const lines: string[] = [];
    const request: BundleRequest = {
      sourcePath: source,
      outDir,
      runtime,
      options: normalized(options),
      log: (line) => lines.push(line),
    };
    const result = await bundleHandler(request);
    return { outDir, lines, result };
  }

  test("a TypeScript handler becomes index.js, without a map by default, and runs as Lambda calls it", async (t) => {
    const { outDir, result, lines } = await bundle(t);
    assert.deepEqual(result.files, ["index.js"]);
    assert.deepEqual((await readdir(outDir)).sort(), ["index.js"]);
    assert.deepEqual(await nodeIn(outDir, callCjs({ value: "12", file: "/a/b.txt" })), {
      isNumber: true,
      base: "b.txt",
    });
    assert.ok(
      lines.some((l) => l.startsWith("bundle: src/handler.ts → index.js (")),
      lines.join("\n"),
    );
    const code = await readFile(path.join(outDir, "index.js"), "utf8");
    assert.ok(!code.includes("sourceMappingURL"), "no map is linked");
  });

  test("entries bundle several handlers into one directory, each its own file, reads listed for all", async (t) => {
    const second = path.join(source, "src", "report.ts");
    await writeFile(
      second,
      'import isNumber from "is-number";\nimport { base } from "./legacy.cjs";\n' +
        "export const handler = async (event: { file: string }) => ({ report: base(event.file), n: isNumber(1) });\n",
    );
    t.after(() => rm(second));
    const outDir = await tempDir(t, "bundle-out-");
    const readsFile = path.join(await tempDir(t, "bundle-reads-"), "bundle-reads.json");
    const lines: string[] = [];
    const result = await bundleHandler({
      sourcePath: source,
      outDir,
      runtime: "nodejs22.x",
      options: normalized({
        entries: { orders: "src/handler.ts", report: "src/report.ts" },
        sourcemap: true,
      }),
      log: (line) => lines.push(line),
      readsFile,
    });
    assert.deepEqual(result.files, ["orders.js", "orders.js.map", "report.js", "report.js.map"]);
    assert.deepEqual((await readdir(outDir)).sort(), result.files);
    const call = (file: string, event: object) =>
      `require("./${file}").handler(${JSON.stringify(event)}).then((r) => console.log(JSON.stringify(r)))`;
    assert.deepEqual(await nodeIn(outDir, call("orders.js", { value: "3" })), { isNumber: true });
    assert.deepEqual(await nodeIn(outDir, call("report.js", { file: "/x/r.csv" })), {
      report: "r.csv",
      n: true,
    });
    assert.ok(lines.some((l) => l.startsWith("bundle: src/report.ts → report.js + report.js.map")));
    const reads = JSON.parse(await readFile(readsFile, "utf8")) as string[];
    const real = await realpath(source);
    for (const file of ["src/handler.ts", "src/report.ts", "src/legacy.cjs"])
      assert.ok(reads.includes(path.join(real, file)), `${file} in ${reads.join(" ")}`);
  });

  test("after bundling, esbuild's service is left running for the next bundle, until stopEsbuild", async (t) => {
    await bundle(t);
    await bundle(t);
    assert.equal(esbuildChildren().length, 1, "one service served both");
    await stopEsbuild();
    assert.deepEqual(esbuildChildren(), []);
  });

  test("the AWS SDK is left out and loaded from the runtime", async (t) => {
    const { outDir } = await bundle(t);
    const code = await readFile(path.join(outDir, "index.js"), "utf8");
    assert.match(code, /import\("@aws-sdk\/client-s3"\)/);
    assert.ok(code.length < 20_000, `the bundle holds no SDK code (${code.length} bytes)`);
    // Lambda's runtime provides the SDK; this repository's node_modules stands in for it.
    await symlink(path.join(packageRoot, "node_modules"), path.join(outDir, "node_modules"));
    assert.deepEqual(await nodeIn(outDir, callCjs({ sdk: true })), {
      isNumber: false,
      sdk: "function",
    });
  });

  test("the source map sends a thrown error back to its line in the .ts file", async (t) => {
    const { outDir, result } = await bundle(t, { sourcemap: true });
    assert.deepEqual(result.files, ["index.js", "index.js.map"]);
    const code =
      'require("./index.js").handler({ fail: true }).catch((e) => console.log(JSON.stringify(e.stack)))';
    const stack = (await nodeIn(outDir, code, ["--enable-source-maps"])) as string;
    assert.match(stack, new RegExp(`src/handler\\.ts:${HANDLER_THROW_LINE}:\\d+`), stack);
  });

  test("the map covers the project's own sources, without their text unless asked", async (t) => {
    const read = async (dir: string) =>
      JSON.parse(await readFile(path.join(dir, "index.js.map"), "utf8")) as {
        sources: string[];
        sourcesContent?: string[];
      };
    const plain = await read((await bundle(t, { sourcemap: true })).outDir);
    assert.deepEqual(
      [...plain.sources].sort(),
      ["src/handler.ts", "src/legacy.cjs"],
      "no packages",
    );
    assert.equal(plain.sourcesContent, undefined);
    const full = await read((await bundle(t, { sourcemap: true, sourcesContent: true })).outDir);
    assert.deepEqual(full.sources, plain.sources);
    assert.equal(full.sourcesContent?.length, 2);
    const handler = full.sources.indexOf("src/handler.ts");
    assert.match(String(full.sourcesContent?.[handler]), /export const handler/);
  });

  test("neither the bundle nor its map holds an absolute path", async (t) => {
    const { outDir } = await bundle(t, { sourcemap: true, sourcesContent: true });
    const code = await readFile(path.join(outDir, "index.js"), "utf8");
    const map = JSON.parse(await readFile(path.join(outDir, "index.js.map"), "utf8")) as {
      sources: string[];
      sourceRoot?: string;
    };
    assert.equal(map.sourceRoot, undefined);
    for (const text of [code, JSON.stringify(map)]) {
      assert.ok(!text.includes(source), "no path of the checkout");
      assert.ok(!text.includes(path.dirname(source)));
    }
  });

  test("ESM gives index.mjs, whose require shim lets bundled CommonJS load Node built-ins", async (t) => {
    const { outDir, result } = await bundle(t, { format: "esm", sourcemap: true }, "nodejs20.x");
    assert.deepEqual(result.files, ["index.mjs", "index.mjs.map"]);
    assert.deepEqual(await nodeIn(outDir, callEsm({ value: 3, file: "/x/y.js" }), esm), {
      isNumber: true,
      base: "y.js",
    });
  });

  test("an ESM bundle without the shim cannot require what a CommonJS helper needs", async (t) => {
    const { outDir } = await bundle(t, { format: "esm", banner: "" });
    await assert.rejects(
      nodeIn(outDir, callEsm({ file: "/x/y.js" }), esm),
      /Dynamic require of "path" is not supported/,
    );
  });

  test("minify makes it smaller and keeps the handler's name", async (t) => {
    const plain = await bundle(t);
    const small = await bundle(t, { minify: true });
    assert.deepEqual(small.result.files, ["index.js"]);
    const size = async (dir: string) => (await readFile(path.join(dir, "index.js"))).length;
    assert.ok((await size(small.outDir)) < (await size(plain.outDir)));
    assert.deepEqual(await nodeIn(small.outDir, callCjs({ value: 1 })), { isNumber: true });
  });

  test("define replaces expressions at build time", async (t) => {
    const entry = path.join(source, "src", "stage.ts");
    await writeFile(entry, "export const handler = async () => process.env.STAGE ?? null;\n");
    t.after(() => rm(entry));
    const { outDir } = await bundle(t, {
      entry: "src/stage.ts",
      define: { "process.env.STAGE": '"prod"' },
    });
    assert.equal(await nodeIn(outDir, callCjs({}), [], { STAGE: "dev" }), "prod");
  });

  test("an entry that is not there is named, with what to give", async (t) => {
    await assert.rejects(bundle(t, { entry: "src/missing.ts" }), (e: Error & { code?: string }) => {
      assert.equal(e.code, "BUNDLE_ENTRY_MISSING");
      assert.match(e.message, /bundle\.entry "src\/missing\.ts" is not a file in .*nodejs-ts/);
      return true;
    });
  });

  test("an import that cannot be resolved fails with esbuild's error and what to do", async (t) => {
    await writeFile(path.join(source, "src", "broken.ts"), 'import "left-pad";\n');
    t.after(() => rm(path.join(source, "src", "broken.ts")));
    await assert.rejects(bundle(t, { entry: "src/broken.ts" }), (e: Error & { code?: string }) => {
      assert.equal(e.code, "BUNDLE_FAILED");
      assert.match(e.message, /src\/broken\.ts:1:\d+: Could not resolve "left-pad"/);
      assert.match(
        e.message,
        /install its dependencies first \(npm ci, pnpm install, yarn install\)/,
      );
      return true;
    });
  });
});

describe("bundleHandler and the repository's boundary", () => {
  test("an import through a link that leaves the git work tree is refused, naming the file", async () => {
    const outside = await freshDir("bundle-outside");
    await writeFile(path.join(outside, "secret.ts"), "export const secret = 'outside';\n");
    const root = await freshDir("bundle-boundary");
    await run("git", ["init", "-q", "-b", "main"], { cwd: root });
    await writeFile(
      path.join(root, "index.ts"),
      'import { secret } from "./linked/secret";\nexport const handler = async () => secret;\n',
    );
    await symlink(outside, path.join(root, "linked"));
    await assert.rejects(
      bundleHandler({
        sourcePath: root,
        outDir: path.join(root, "out"),
        runtime: "nodejs22.x",
        options: normalized({ entry: "index.ts" }),
        log: () => {},
      }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "SYMLINK_ESCAPES");
        assert.match(
          error.message,
          /secret\.ts \(imported as "\.\/linked\/secret" from index\.ts\)/,
        );
        assert.match(error.message, /outside the git work tree/);
        return true;
      },
    );
  });
});
