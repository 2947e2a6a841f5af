/**
 * Each built-in packager through the whole engine: build() → the zip passes
 * `unzip -t` → unzipped, its handler is imported and called as Lambda would.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { build } from "../../engine/build";
import type { BuildOptions } from "../../engine/options";
import {
  buildGreetingWheel,
  buildPython,
  copyFixture,
  run,
  suiteCleanup,
  tempDir,
  type Cleanup,
} from "./packager/fixtures";
import { buildWheelhouse, renderTemplates } from "./packager/python-dists";

/** Builds into a temp dir, checks the zip with unzip -t, unzips it; returns the dir and entries. */
async function buildAndUnzip(t: Cleanup, options: BuildOptions) {
  const out = await tempDir(t);
  const result = await build({ outFile: path.join(out, "package.zip"), ...options });
  assert.equal(result.path, path.join(out, "package.zip"));
  const check = await run("unzip", ["-t", result.path]);
  assert.ok(check.includes("No errors detected"), check);
  const entries = (await run("unzip", ["-Z1", result.path])).split("\n");
  const dir = path.join(out, "unzipped");
  await run("unzip", ["-q", result.path, "-d", dir]);
  return { result, dir, entries };
}

async function callPython(
  dir: string,
  module: string,
  fn: string,
): Promise<Record<string, unknown>> {
  const code =
    "import json, sys; sys.path.insert(0, sys.argv[1]); " +
    `from ${module} import ${fn}; print(json.dumps(${fn}({}, None)))`;
  return JSON.parse(await run("python3", ["-c", code, dir])) as Record<string, unknown>;
}

async function callNode(file: string, env: Record<string, string> = {}): Promise<unknown> {
  const code = "require(process.argv[1]).handler({}).then((r) => console.log(JSON.stringify(r)))";
  return JSON.parse(
    await run(process.execPath, ["-e", code, file], { env: { ...process.env, ...env } }),
  ) as unknown;
}

const NOISE = /(^|\/)(__pycache__\/|[^/]*\.pyc$|\.git\/)|direct_url\.json$|\/INSTALLER$/;

describe("built-in packagers through build()", { timeout: 300_000 }, () => {
  const cleanup = suiteCleanup();
  let offline: Record<string, string>;
  before(async () => {
    const wheelhouse = path.join(await tempDir(cleanup), "wheels");
    await buildGreetingWheel(cleanup, wheelhouse);
    offline = { PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheelhouse };
  });
  after(() => cleanup.run());

  test("python3.12 with requirements.txt builds a working, reproducible zip", async (t) => {
    const sourcePath = await copyFixture(t, "python-app");
    const options = { sourcePath, runtime: "python3.12", packagerEnv: offline };
    const { result, dir, entries } = await buildAndUnzip(t, options);
    assert.ok(entries.includes("handler.py") && entries.includes("greeting/__init__.py"));
    assert.deepEqual(
      entries.filter((e) => NOISE.test(e)),
      [],
    );
    assert.equal((await callPython(dir, "handler", "handler")).body, "hello lambda");
    const again = await buildAndUnzip(t, options);
    assert.equal(again.result.sha256, result.sha256, "same input, same bytes");
  });

  test("python3.12 from uv.lock builds a working, reproducible zip", async (t) => {
    const wheelhouse = await buildWheelhouse(t);
    const sourcePath = await copyFixture(t, "python-uv-app");
    await renderTemplates(sourcePath, wheelhouse);
    const options = { sourcePath, runtime: "python3.12", packagerEnv: wheelhouse.env };
    const { result, dir, entries } = await buildAndUnzip(t, options);
    assert.ok(
      entries.includes("fastcalc/_native.cpython-312-x86_64-linux-gnu.so"),
      entries.join(" "),
    );
    assert.deepEqual(
      entries.filter((e) => NOISE.test(e)),
      [],
    );
    assert.equal((await callPython(dir, "handler", "handler")).body, "hello uv");
    const again = await buildAndUnzip(t, options);
    assert.equal(again.result.sha256, result.sha256, "same input, same bytes");
  });

  test("python3.12 in package mode builds the seed-style package, reproducibly", async (t) => {
    const options: BuildOptions = {
      sourcePath: await copyFixture(t, "python-package"),
      runtime: "python3.12",
      pythonMode: "package",
      packagerEnv: {
        PIP: `${await buildPython()} -m pip`,
        PIP_NO_BUILD_ISOLATION: "0",
        PIP_NO_INDEX: "1",
      },
    };
    const { result, dir, entries } = await buildAndUnzip(t, options);
    // pip records the (random) scratch path it built from in direct_url.json;
    // the packager drops it, so two builds match.
    assert.equal((await buildAndUnzip(t, options)).result.sha256, result.sha256);
    assert.ok(entries.includes("my_lambda_app/lambda_function.py"), entries.join(" "));
    assert.ok(!entries.includes("NOTES.txt"));
    const response = await callPython(dir, "my_lambda_app.lambda_function", "lambda_handler");
    assert.equal(response.body, "Hello from Lambda, world!");
  });

  test("python3.12 as a layer puts everything under python/", async (t) => {
    const { dir, entries } = await buildAndUnzip(t, {
      sourcePath: await copyFixture(t, "python-app"),
      runtime: "python3.12",
      layer: true,
      packagerEnv: offline,
    });
    assert.deepEqual(
      entries.filter((e) => !e.startsWith("python/")),
      [],
    );
    assert.equal(
      (await callPython(path.join(dir, "python"), "handler", "handler")).statusCode,
      200,
    );
  });

  test("nodejs22.x builds a working, reproducible zip with its production dependency", async (t) => {
    const sourcePath = await copyFixture(t, "nodejs-app");
    const { result, dir, entries } = await buildAndUnzip(t, { sourcePath, runtime: "nodejs22.x" });
    assert.ok(entries.includes("node_modules/is-number/index.js"), entries.join(" "));
    assert.ok(!entries.some((e) => e.startsWith("node_modules/kind-of/")));
    assert.deepEqual(await callNode(path.join(dir, "index.js")), {
      statusCode: 200,
      body: JSON.stringify({ isNumber: true, runtime: "nodejs" }),
    });
    const again = await buildAndUnzip(t, { sourcePath, runtime: "nodejs22.x" });
    assert.equal(again.result.sha256, result.sha256, "same input, same bytes");
  });

  test("nodejs22.x as a layer puts the modules under nodejs/node_modules/", async (t) => {
    const { dir, entries } = await buildAndUnzip(t, {
      sourcePath: await copyFixture(t, "nodejs-app"),
      runtime: "nodejs22.x",
      layer: true,
    });
    assert.deepEqual(
      entries.filter((e) => !e.startsWith("nodejs/")),
      [],
    );
    const out = await run(process.execPath, ["-e", 'console.log(require("is-number")(3))'], {
      env: { ...process.env, NODE_PATH: path.join(dir, "nodejs", "node_modules") },
    });
    assert.equal(out, "true");
  });

  test("generic merges what build_lambda.sh zipped into $PACKAGE_ZIP with $BUILD_DIR", async (t) => {
    const { dir, entries } = await buildAndUnzip(t, {
      sourcePath: await copyFixture(t, "generic"),
      runtime: "generic",
    });
    assert.deepEqual(entries.filter((e) => !e.endsWith("/")).sort(), [
      "BUILD_INFO",
      "handler.py",
      "lib/__init__.py",
      "lib/words.py",
    ]);
    assert.equal((await callPython(dir, "handler", "handler")).body, "GENERIC!");
  });

  test("copy packages the directory as it is", async (t) => {
    const { dir, entries } = await buildAndUnzip(t, {
      sourcePath: await copyFixture(t, "copy"),
      runtime: "copy",
    });
    assert.deepEqual(entries.filter((e) => !e.endsWith("/")).sort(), [
      "index.js",
      "nested/data.json",
      "nested/run.sh",
    ]);
    assert.deepEqual(await callNode(path.join(dir, "index.js")), {
      statusCode: 200,
      body: "copied as is",
    });
  });
});
