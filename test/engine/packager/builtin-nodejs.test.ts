import assert from "node:assert/strict";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { FORCE_NPM_CI } from "../../../engine/nodejs/npm-cache";
import { copyFixture, listTree, run, stage, tempDir } from "./fixtures";

/** Requires `file` from `dir` with node and calls its handler, as Lambda would. */
async function invoke(
  file: string,
  event: object = {},
  env: Record<string, string> = {},
): Promise<unknown> {
  const code =
    "require(process.argv[1]).handler(JSON.parse(process.argv[2]))" +
    ".then((r) => console.log(JSON.stringify(r)))";
  const out = await run(process.execPath, ["-e", code, file, JSON.stringify(event)], {
    env: { ...process.env, ...env },
  });
  return JSON.parse(out) as unknown;
}

async function version(dir: string, name: string): Promise<string> {
  const pkg = JSON.parse(
    await readFile(path.join(dir, "node_modules", name, "package.json"), "utf8"),
  ) as { version: string };
  return pkg.version;
}

// These reach the npm registry for is-number@7.0.0 (and nothing else).
describe("nodejs packagers", { timeout: 180_000 }, () => {
  test("installs production dependencies with npm ci, leaving out dev dependencies and stale modules", async (t) => {
    const src = await copyFixture(t, "nodejs-app");
    await mkdir(path.join(src, "node_modules", "stale"), { recursive: true });
    await writeFile(path.join(src, "node_modules", "stale", "index.js"), "");
    await mkdir(path.join(src, ".git"));
    await writeFile(path.join(src, ".git", "HEAD"), "ref: refs/heads/main\n");
    const before = await listTree(src);
    const { buildDir, lines } = await stage(t, "nodejs22.x", src, {
      architecture: "arm64",
      packagerEnv: { [FORCE_NPM_CI]: "1" },
    });
    const tree = await listTree(buildDir);
    for (const file of [
      "index.js",
      "package.json",
      "package-lock.json",
      "node_modules/is-number/index.js",
    ]) {
      assert.ok(tree.includes(file), `${file} staged: ${tree.join(" ")}`);
    }
    assert.equal(await version(buildDir, "is-number"), "7.0.0");
    for (const absent of [
      "node_modules/kind-of/",
      "node_modules/stale/",
      "node_modules/.package-lock.json",
      ".git/",
    ]) {
      assert.ok(!tree.includes(absent), `${absent} not staged`);
    }
    assert.ok(
      lines.some((l) => /added 1 package/.test(l)),
      lines.join("\n"),
    );
    assert.deepEqual(await listTree(src), before, "the source tree is left as it was");
    assert.deepEqual(await invoke(path.join(buildDir, "index.js"), { value: "12" }), {
      statusCode: 200,
      body: JSON.stringify({ isNumber: true, runtime: "nodejs" }),
    });
    // npm ci has put is-number into npm's cache: the next build unpacks it from there, to the same files.
    const again = await stage(t, "nodejs22.x", src, { architecture: "arm64" });
    assert.ok(
      again.lines.some((l) =>
        /1 package\(s\) of package-lock\.json unpacked from npm's cache/.test(l),
      ),
      again.lines.join("\n"),
    );
    assert.deepEqual(await listTree(again.buildDir), tree);
    for (const file of tree.filter((f) => !f.endsWith("/"))) {
      assert.deepEqual(
        await readFile(path.join(again.buildDir, file)),
        await readFile(path.join(buildDir, file)),
        file,
      );
    }
  });

  test("without a lockfile, npm install resolves the dependencies", async (t) => {
    const src = await copyFixture(t, "nodejs-app");
    await rm(path.join(src, "package-lock.json"));
    const { buildDir } = await stage(t, "nodejs20.x", src);
    assert.equal(await version(buildDir, "is-number"), "7.0.0");
    await assert.rejects(readdir(path.join(buildDir, "node_modules", "kind-of")));
  });

  test("layer mode installs the dependencies under nodejs/node_modules/ only", async (t) => {
    const { buildDir } = await stage(t, "nodejs22.x", await copyFixture(t, "nodejs-app"), {
      layer: true,
    });
    assert.deepEqual(await readdir(buildDir), ["nodejs"]);
    const tree = await listTree(path.join(buildDir, "nodejs"));
    assert.ok(tree.includes("node_modules/is-number/index.js"), tree.join(" "));
    assert.ok(!tree.includes("index.js"), "the function's own code is not in the layer");
    assert.ok(!tree.includes("node_modules/kind-of/"));
    // Lambda puts /opt/nodejs/node_modules on NODE_PATH for layers.
    const nodePath = path.join(buildDir, "nodejs", "node_modules");
    const out = await run(process.execPath, ["-e", 'console.log(require("is-number")("7"))'], {
      env: { ...process.env, NODE_PATH: nodePath },
    });
    assert.equal(out, "true");
  });

  test("a package.json without dependencies is copied without running npm", async (t) => {
    const src = await copyFixture(t, "nodejs-app");
    await rm(path.join(src, "package-lock.json"));
    const pkg = JSON.parse(await readFile(path.join(src, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    delete pkg.dependencies;
    await writeFile(path.join(src, "package.json"), JSON.stringify(pkg));
    await writeFile(path.join(src, "index.js"), 'exports.handler = async () => "plain";\n');
    const { buildDir, lines } = await stage(t, "nodejs24.x", src);
    assert.deepEqual(await listTree(buildDir), ["index.js", "package.json"]);
    assert.ok(
      lines.some((l) => l.includes("nothing to install")),
      lines.join("\n"),
    );
    assert.equal(await invoke(path.join(buildDir, "index.js")), "plain");
  });

  test("npm is asked for Lambda's linux/x64 packages by default, and for this machine's with architecture local", async (t) => {
    // A stand-in npm first on PATH records how it was called: no registry needed.
    const bin = await tempDir(t, "fake-npm-");
    await writeFile(
      path.join(bin, "npm"),
      '#!/usr/bin/env bash\necho "$*" >>"$NPM_CALLS"\nmkdir -p node_modules\n',
      { mode: 0o755 },
    );
    const calls = async (architecture?: "local") => {
      const log = path.join(await tempDir(t, "npm-calls-"), "calls");
      await stage(t, "nodejs22.x", await copyFixture(t, "nodejs-app"), {
        architecture,
        packagerEnv: { PATH: `${bin}:${process.env.PATH}`, NPM_CALLS: log, [FORCE_NPM_CI]: "1" },
      });
      return readFile(log, "utf8");
    };
    assert.match(await calls(), /^ci --omit=dev .*--os=linux --cpu=x64\n$/);
    const local = await calls("local");
    assert.match(local, /^ci --omit=dev /);
    assert.doesNotMatch(local, /--os|--cpu/);
  });

  test("npm's own error, printed on stdout, is in the failure, and ERESOLVE says how to pass legacy-peer-deps", async (t) => {
    const bin = await tempDir(t, "failing-npm-");
    await writeFile(
      path.join(bin, "npm"),
      '#!/usr/bin/env bash\necho "npm error code ERESOLVE"\necho "npm error Could not resolve dependency: peer react@18"\nexit 1\n',
      { mode: 0o755 },
    );
    await assert.rejects(
      stage(t, "nodejs22.x", await copyFixture(t, "nodejs-app"), {
        packagerEnv: { PATH: `${bin}:${process.env.PATH}`, [FORCE_NPM_CI]: "1" },
      }),
      (e: Error) => {
        assert.match(e.message, /npm error Could not resolve dependency: peer react@18/);
        assert.match(e.message, /legacy-peer-deps=true in the project's \.npmrc/);
        return true;
      },
    );
  });

  test("a layer without package.json fails naming the source path", async (t) => {
    const src = await copyFixture(t, "copy");
    await assert.rejects(stage(t, "nodejs18.x", src, { layer: true }), (e: Error) =>
      e.message.includes(`and ${src} has none`),
    );
  });
});
