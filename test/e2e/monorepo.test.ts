import assert from "node:assert/strict";
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { GIT_ENV } from "../support/git";
import { minioFixture } from "../support/minio";
import { createProject, type PulumiProject } from "../support/pulumi";
import { run } from "../support/run";
import { tempDir } from "../support/tmp";

const minio = minioFixture();
const FUNCTIONS = ["alpha", "beta", "gamma"] as const;
type Name = (typeof FUNCTIONS)[number];

/** What the program exports per function. */
type StackOutputs = Record<Name, { versionId: string; sourceKey: string }>;

/**
 * A monorepo's program, written the way the README recipe says: each function
 * keyed by its own directory and the shared library it imports; or, with
 * `repoWide`, by the commit SHA as a pipeline would pass it.
 */
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { execFileSync } = require("node:child_process");
const { LambdaPackage, gitSourceKey } = require("pulumi-lambda-package");
const config = new pulumi.Config();
const commit = config.getBoolean("repoWide")
  ? execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim()
  : undefined;
for (const name of ${JSON.stringify(FUNCTIONS)}) {
  const code = new LambdaPackage(name, {
    bucket: config.require("bucket"),
    key: \`mono/\${name}.zip\`,
    sourcePath: \`services/\${name}\`,
    packager: config.require("packager"),
    packagerEnv: { COUNT_FILE: config.require("countFile") },
    sourceKey: commit ?? gitSourceKey([\`services/\${name}\`, "libs/shared"]),
    endpoint: config.require("endpoint"),
  });
  exports[name] = { versionId: code.versionId, sourceKey: code.sourceKey };
}
`;

/** Packages a service with the shared library beside it, and notes which service it packaged. */
const PACKAGER = `#!/usr/bin/env bash
set -euo pipefail
basename "$SOURCE_PATH" >>"$COUNT_FILE"
cp -R "$SOURCE_PATH/." "$BUILD_DIR/"
mkdir "$BUILD_DIR/shared"
cp -R "$SOURCE_PATH/../../libs/shared/." "$BUILD_DIR/shared/"
`;

describe("a monorepo of several functions with the real CLI", { timeout: 15 * 60_000 }, () => {
  let project: PulumiProject;
  let countFile: string;
  let seen = 0;
  const git = (...args: string[]) => run("git", args, { cwd: project.dir, env: GIT_ENV });
  const commit = async (file: string, content: string) => {
    await writeFile(path.join(project.dir, file), content);
    await git("add", "-A");
    await git("commit", "-q", "-m", `edit ${file}`);
  };
  const outputs = async () =>
    JSON.parse(await project.ok(["stack", "output", "--json"])) as StackOutputs;
  /** The services packaged since the last call, sorted. */
  const packaged = async () => {
    const lines = (await readFile(countFile, "utf8")).split("\n").filter(Boolean);
    const fresh = lines.slice(seen).sort();
    seen = lines.length;
    return fresh;
  };
  const up = () => project.ok(["up", "--yes", "--skip-plugin-pre-install"]);
  const changed = (a: StackOutputs, b: StackOutputs) =>
    FUNCTIONS.filter((name) => a[name].versionId !== b[name].versionId);

  before(async () => {
    const files: Record<string, string> = {
      "Pulumi.yaml":
        "name: monorepo\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
      "index.js": PROGRAM,
      ".gitignore": "node_modules/\nPulumi.*.yaml\n",
      "README.md": "# services\n",
      "libs/shared/util.py": "def shared():\n    return 1\n",
    };
    for (const name of FUNCTIONS)
      files[`services/${name}/handler.py`] = `def handler(e, c):\n    return "${name}"\n`;
    project = await createProject(files, minio.server);
    const dir = await tempDir("e2e-monorepo");
    const packager = path.join(dir, "packager");
    countFile = path.join(dir, "packaged.txt");
    await writeFile(packager, PACKAGER);
    await chmod(packager, 0o755);
    await writeFile(countFile, "");
    await git("init", "-q");
    await git("add", "-A");
    await git("commit", "-q", "-m", "initial");
    await project.ok(["stack", "init", "mono"]);
    for (const [key, value] of Object.entries({
      bucket: await minio.bucket(),
      packager,
      countFile,
      endpoint: minio.server.endpoint,
    })) {
      await project.ok(["config", "set", key, value]);
    }
    await up();
    assert.deepEqual(await packaged(), [...FUNCTIONS]);
  });

  test("a commit that touches one function's directory repackages that function alone", async () => {
    const old = await outputs();
    await commit("services/beta/handler.py", 'def handler(e, c):\n    return "beta 2"\n');
    const preview = await project.ok(["preview"]);
    assert.match(preview, /1 to update/);
    assert.deepEqual(await packaged(), [], "preview packages nothing");
    await up();
    assert.deepEqual(await packaged(), ["beta"]);
    const now = await outputs();
    assert.deepEqual(changed(old, now), ["beta"]);
    assert.notEqual(now.beta.sourceKey, old.beta.sourceKey);
    assert.equal(now.alpha.sourceKey, old.alpha.sourceKey);
  });

  test("a commit outside every function's paths changes nothing", async () => {
    const old = await outputs();
    await commit("README.md", "# services\n\nNow with a README edit.\n");
    await project.ok(["preview", "--expect-no-changes"]);
    await project.ok(["up", "--yes", "--expect-no-changes", "--skip-plugin-pre-install"]);
    assert.deepEqual(await packaged(), []);
    assert.deepEqual(await outputs(), old);
  });

  test("a commit to the shared library repackages every function that imports it", async () => {
    const old = await outputs();
    await commit("libs/shared/util.py", "def shared():\n    return 2\n");
    await up();
    assert.deepEqual(await packaged(), [...FUNCTIONS]);
    assert.deepEqual(changed(old, await outputs()), [...FUNCTIONS]);
  });

  let committedKey: string;
  test("an uncommitted edit changes the key, so a local up repackages the edited function", async () => {
    const old = await outputs();
    committedKey = old.gamma.sourceKey;
    const handler = path.join(project.dir, "services/gamma/handler.py");
    await writeFile(handler, 'def handler(e, c):\n    return "gamma, being edited"\n');
    const up = await project.ok(["up", "--yes", "--skip-plugin-pre-install"]);
    assert.match(up, /1 updated/);
    assert.deepEqual(await packaged(), ["gamma"]);
    const now = await outputs();
    assert.match(now.gamma.sourceKey, new RegExp(`^${committedKey}-[0-9a-f]{16}-dirty$`));
    assert.deepEqual(changed(old, now), ["gamma"]);
  });

  test("reverting to an earlier tree gives the earlier key", async () => {
    await git("checkout", "--", "services/gamma");
    await up();
    assert.equal((await outputs()).gamma.sourceKey, committedKey);
    assert.deepEqual(await packaged(), ["gamma"]);
    // Back to the tree of two commits ago: the same key as then.
    const before = (await outputs()).beta.sourceKey;
    await git("revert", "--no-edit", "HEAD~2");
    await up();
    assert.deepEqual(await packaged(), ["beta"]);
    const reverted = (await outputs()).beta.sourceKey;
    assert.notEqual(reverted, before);
    await git("revert", "--no-edit", "HEAD");
    await up();
    assert.equal((await outputs()).beta.sourceKey, before);
  });

  test("with a repo-wide key every function repackages, but only the touched one gets a new version", async () => {
    await project.ok(["config", "set", "--type", "bool", "repoWide", "true"]);
    await packaged();
    const old = await outputs();
    await commit("services/alpha/handler.py", 'def handler(e, c):\n    return "alpha 2"\n');
    const up = await project.ok(["up", "--yes", "--skip-plugin-pre-install"]);
    assert.deepEqual(await packaged(), [...FUNCTIONS]);
    const now = await outputs();
    assert.deepEqual(changed(old, now), ["alpha"]);
    assert.match(up, /bytes unchanged \(sha256 [0-9a-f]{64}\): kept version/);
    const head = await git("rev-parse", "HEAD");
    for (const name of FUNCTIONS) assert.equal(now[name].sourceKey, head);
  });
});
