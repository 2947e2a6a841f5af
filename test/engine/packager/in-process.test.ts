/**
 * The built-in nodejs packagers' bundling run in the engine's process: the
 * same zip, lines and errors as the script gives for the same source; builds
 * at once share one esbuild service; the script is still what runs for a
 * user's packager and for the work the engine's process cannot stop alone.
 */
import assert from "node:assert/strict";
import { mkdir, open, readdir, rm, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { build, type BuildResult } from "../../../engine/build";
import { esbuildChildren } from "../../../engine/bundle/stop";
import { normalizeBuildOptions, type BuildOptions } from "../../../engine/options";
import { builtinPackagersDir } from "../../../engine/packager";
import { inProcessWork } from "../../../engine/packager/in-process";
import { tempDir, type Cleanup } from "./fixtures";

/** A TypeScript handler importing a module of its own and a package of the project's. */
async function tsSource(t: Cleanup): Promise<string> {
  const dir = await tempDir(t, "in-process-src-");
  await mkdir(path.join(dir, "src"));
  await mkdir(path.join(dir, "node_modules", "tiny"), { recursive: true });
  await writeFile(
    path.join(dir, "node_modules", "tiny", "package.json"),
    '{ "name": "tiny", "version": "1.0.0", "main": "index.js" }\n',
  );
  await writeFile(
    path.join(dir, "node_modules", "tiny", "index.js"),
    "exports.twice = (n) => 2 * n;\n",
  );
  await writeFile(path.join(dir, "package.json"), '{ "dependencies": { "tiny": "1.0.0" } }\n');
  await writeFile(
    path.join(dir, "src", "greet.ts"),
    "export const greet = (name: string): string => `hello ${name}`;\n",
  );
  await writeFile(
    path.join(dir, "src", "handler.ts"),
    'import { twice } from "tiny";\nimport { greet } from "./greet";\n' +
      "export const handler = async (event: { n: number }) => [greet(String(event.n)), twice(event.n)];\n",
  );
  return dir;
}

/**
 * `options` built with its lines collected. The zip store's line is left out: the second of two
 * builds of one source reuses what the first compressed, whichever path each took.
 */
async function built(
  t: Cleanup,
  options: BuildOptions,
): Promise<{ result: BuildResult; lines: string[] }> {
  const lines: string[] = [];
  const out = await tempDir(t, "in-process-out-");
  const result = await build({
    ...options,
    outFile: path.join(out, "fn.zip"),
    log: (line) => {
      if (!line.startsWith("lambda-package: zip store:")) lines.push(line);
    },
  });
  return { result, lines };
}

/** A variable that sends the build down the script path, and nothing else. */
const SCRIPT_PATH = { packagerEnv: { LP_IN_PROCESS_TEST: "1" } };
const SCRIPT_NOTE = /runs as a script of its own: packagerEnv/;

describe("the nodejs packagers' bundling in the engine's process", { timeout: 120_000 }, () => {
  for (const [what, bundle] of [
    ["the default bundle", { entry: "src/handler.ts" }],
    [
      "a minified ESM bundle with its map and two entries",
      {
        entries: { a: "src/handler.ts", b: "src/greet.ts" },
        format: "esm" as const,
        minify: true,
        sourcemap: true,
        sourcesContent: true,
      },
    ],
  ] as const) {
    test(`${what}: the same zip, byte for byte, and the same lines as from the script`, async (t) => {
      const src = await tsSource(t);
      const options = { sourcePath: src, runtime: "nodejs22.x", bundle };
      const here = await built(t, options);
      const script = await built(t, { ...options, ...SCRIPT_PATH });
      assert.equal(here.result.sha256, script.result.sha256);
      assert.equal(here.result.fileCount, script.result.fileCount);
      assert.ok(
        script.lines.some((l) => SCRIPT_NOTE.test(l)),
        script.lines.join("\n"),
      );
      assert.ok(!here.lines.some((l) => /runs as a script/.test(l)), here.lines.join("\n"));
      // The script stops its esbuild service before it exits: nothing of its group is left.
      assert.ok(
        !script.lines.some((l) => /left processes running/.test(l)),
        script.lines.join("\n"),
      );
      const others = script.lines.filter((l) => !SCRIPT_NOTE.test(l));
      assert.deepEqual(here.lines, others);
      assert.ok(
        here.lines.some((l) => /^bundle: src\/handler\.ts → /.test(l)),
        here.lines.join("\n"),
      );
    });
  }

  test("a bundle that does not compile fails as the script fails: PACKAGER_FAILED quoting esbuild", async (t) => {
    const src = await tsSource(t);
    await writeFile(path.join(src, "src", "handler.ts"), "export const handler = async ( => 1;\n");
    const options = { sourcePath: src, runtime: "nodejs22.x", bundle: { entry: "src/handler.ts" } };
    const failure = async (extra: object) => {
      const error = await built(t, { ...options, ...extra }).then(
        () => assert.fail("the build succeeded"),
        (e: Error & { code?: string }) => e,
      );
      assert.equal(error.code, "PACKAGER_FAILED", error.message);
      return error.message.slice(error.message.indexOf("Last "));
    };
    const here = await failure({});
    assert.match(here, /nodejs packager: esbuild could not bundle src\/handler\.ts/);
    assert.match(here, /src\/handler\.ts:1:\d+: /);
    assert.equal(here, await failure(SCRIPT_PATH));
  });

  test("builds at once share one esbuild service, left running for the next build", async (t) => {
    const sources = await Promise.all([1, 2, 3, 4].map(() => tsSource(t)));
    const options = (src: string) => ({
      sourcePath: src,
      runtime: "nodejs22.x",
      bundle: { entry: "src/handler.ts" },
    });
    const results = await Promise.all(sources.map((src) => built(t, options(src))));
    const alone = await built(t, { ...options(sources[0]), ...SCRIPT_PATH });
    for (const { result } of results) assert.equal(result.sha256, alone.result.sha256);
    assert.equal(esbuildChildren().length, 1, "one service, this process's child");
  });

  test("past packagerTimeout the bundle fails with PACKAGER_TIMEOUT and writes nothing after", async (t) => {
    const src = await tsSource(t);
    // esbuild reads the pipe until something writes to it: a bundle that takes as long as we say.
    const pipe = path.join(src, "src", "slow.ts");
    execFileSync("mkfifo", [pipe]);
    await writeFile(path.join(src, "src", "handler.ts"), 'export { x } from "./slow";\n');
    const tmp = await tempDir(t, "in-process-tmp-");
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const started = performance.now();
      await assert.rejects(
        build({
          sourcePath: src,
          runtime: "nodejs22.x",
          bundle: { entry: "src/handler.ts" },
          packagerTimeout: 1,
        }),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, "PACKAGER_TIMEOUT", e.message);
          assert.match(e.message, /ran longer than packagerTimeout \(1 s\)/);
          return true;
        },
      );
      assert.ok(performance.now() - started < 10_000, "stopped at the timeout");
      assert.deepEqual(await readdir(tmp), [], "the work dir is removed");
      // esbuild now finishes the bundle it was reading (and reads the module again, a file
      // now, for the entry's exports); nothing of it may land in the work dir.
      const writer = await open(pipe, "w");
      await rm(pipe);
      await writeFile(pipe, "export const x = 1;\n");
      await writer.write("export const x = 1;\n");
      await writer.close();
      await sleep(1_000);
      assert.deepEqual(await readdir(tmp), [], "nothing was written after the timeout");
    } finally {
      process.env.TMPDIR = saved;
      await rm(pipe, { force: true });
    }
  });
});

describe("which nodejs packager work runs in the engine's process", () => {
  const nodejs = path.join(builtinPackagersDir, "nodejs22.x");
  const { bundle } = normalizeBuildOptions({
    sourcePath: ".",
    runtime: "nodejs22.x",
    bundle: { entry: "src/handler.ts" },
  });
  assert.ok(bundle);

  test("a built-in nodejs packager's bundle that installs nothing runs in this process", () => {
    assert.deepEqual(inProcessWork({ script: nodejs, bundle }), { inProcess: true });
    const other = path.join(builtinPackagersDir, "nodejs18.x");
    assert.deepEqual(inProcessWork({ script: other, bundle, packagerEnv: {} }), {
      inProcess: true,
    });
  });

  test("nodeModules and packagerEnv send it to the script, saying why", () => {
    const modules = inProcessWork({ script: nodejs, bundle: { ...bundle, nodeModules: ["a"] } });
    assert.equal(modules.inProcess, false);
    assert.match(modules.inProcess ? "" : (modules.why ?? ""), /bundle\.nodeModules are installed/);
    const env = inProcessWork({ script: nodejs, bundle, packagerEnv: { A: "1" } });
    assert.equal(env.inProcess, false);
    assert.match(env.inProcess ? "" : (env.why ?? ""), /packagerEnv sets variables/);
  });

  test("a user's packager, another runtime's or a build without bundle is always the script, silently", () => {
    const cases = [
      { script: "/home/me/packagers/nodejs22.x", bundle },
      { script: path.join(builtinPackagersDir, "python3.12"), bundle },
      { script: nodejs },
    ];
    for (const options of cases) assert.deepEqual(inProcessWork(options), { inProcess: false });
  });
});
