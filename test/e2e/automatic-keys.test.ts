/**
 * Automatic source keys through the real CLI: a workspace of bundled
 * TypeScript handlers with no `sourceKey` written gets a new version for
 * exactly the functions whose bytes a change touches, a no-op preview
 * packages nothing, and a fresh clone elsewhere sees no change.
 */
import assert from "node:assert/strict";
import { copyFile, mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { GIT_ENV } from "../support/git";
import { minioFixture } from "../support/minio";
import { createProject, type PulumiProject } from "../support/pulumi";
import { run } from "../support/run";
import { tempDir } from "../support/tmp";

const minio = minioFixture();
const FUNCTIONS = ["api", "discount", "report", "py", "plain"] as const;
/** Bundled TypeScript handlers; `py` is Python, `plain` is JavaScript copied with its dependencies installed. */
const RUNTIMES: Record<Name, { runtime: string; bundle?: { entry: string } }> = {
  api: { runtime: "nodejs22.x", bundle: { entry: "src/index.ts" } },
  discount: { runtime: "nodejs22.x", bundle: { entry: "src/index.ts" } },
  report: { runtime: "nodejs22.x", bundle: { entry: "src/index.ts" } },
  py: { runtime: "python3.12" },
  plain: { runtime: "nodejs22.x" },
};
type Name = (typeof FUNCTIONS)[number];
type StackOutputs = Record<Name, { versionId: string; sourceKey: string }>;

/** The program as README's TypeScript section writes it: LambdaCode, bundle, no sourceKey. */
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { LambdaCode } = require("pulumi-lambda-package");
const config = new pulumi.Config();
const functions = ${JSON.stringify(RUNTIMES)};
for (const [name, how] of Object.entries(functions)) {
  const code = new LambdaCode(name, {
    bucket: config.require("bucket"),
    key: \`auto/\${name}.zip\`,
    sourcePath: \`handlers/\${name}\`,
    ...how,
    endpoint: config.require("endpoint"),
  });
  exports[name] = { versionId: code.versionId, sourceKey: code.package.sourceKey };
}
`;

/** A one-file npm package as a tarball in `dir`, for `npm install ./tiny-<version>.tgz`. */
async function tinyTarball(dir: string, version: string): Promise<string> {
  const pkg = path.join(await tempDir("e2e-tiny"), "tiny");
  await mkdir(pkg);
  await writeFile(path.join(pkg, "package.json"), JSON.stringify({ name: "tiny", version }));
  await writeFile(path.join(pkg, "index.js"), `module.exports = "tiny ${version}";\n`);
  const name = (await run("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: pkg }))
    .trim()
    .split("\n")
    .pop()!;
  return `./${name}`;
}

describe("automatic source keys with the real CLI", { timeout: 15 * 60_000 }, () => {
  let project: PulumiProject;
  const git = (...args: string[]) => run("git", args, { cwd: project.dir, env: GIT_ENV });
  const commitAll = async (message: string) => {
    await git("add", "-A");
    await git("commit", "-q", "-m", message);
  };
  const edit = async (file: string, content: string) => {
    await mkdir(path.dirname(path.join(project.dir, file)), { recursive: true });
    await writeFile(path.join(project.dir, file), content);
    await commitAll(`edit ${file}`);
  };
  const outputs = async () =>
    JSON.parse(await project.ok(["stack", "output", "--json"])) as StackOutputs;
  const up = () => project.ok(["up", "--yes", "--skip-plugin-pre-install"]);
  /** The functions that got a new version from one `up`. */
  const upChanges = async () => {
    const before = await outputs();
    await up();
    const after = await outputs();
    return FUNCTIONS.filter((name) => before[name].versionId !== after[name].versionId);
  };
  const npm = (...args: string[]) =>
    run("npm", [...args, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: project.dir,
    });

  before(async () => {
    project = await createProject(
      {
        "Pulumi.yaml":
          "name: automatic\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
        "index.js": PROGRAM,
        ".gitignore": "node_modules/\nPulumi.*.yaml\n",
        "tsconfig.json": JSON.stringify({
          compilerOptions: { baseUrl: ".", paths: { "@shared/*": ["shared/*"] } },
        }),
        "shared/greet.ts": "export const greet = (n: string) => `hi ${n}`;\n",
        "handlers/api/src/index.ts":
          'import { eligible } from "../../discount/src/eligibility";\n' +
          'import { greet } from "@shared/greet";\n' +
          'export const handler = async () => [eligible(1), greet("api")];\n',
        "handlers/discount/src/eligibility.ts": "export const eligible = (n: number) => n > 0;\n",
        "handlers/discount/src/index.ts":
          'import tiny from "tiny";\nexport const handler = async () => tiny;\n',
        "handlers/report/src/index.ts": 'export const handler = async () => "report";\n',
        "handlers/py/handler.py":
          "from lib.util import VALUE\n\ndef handler(e, c):\n    return VALUE\n",
        "handlers/py/lib/__init__.py": "",
        "handlers/py/lib/util.py": "VALUE = 1\n",
        "handlers/plain/index.js": 'exports.handler = async () => require("tiny");\n',
      },
      minio.server,
    );
    const tiny = await tinyTarball(project.dir, "1.0.0");
    await npm("install", tiny);
    // The copied function has its own package.json and lockfile, installed from the same tarball.
    await writeFile(path.join(project.dir, "handlers/plain/package.json"), '{ "name": "plain" }');
    await npm("install", "--prefix", "handlers/plain", path.join(project.dir, tiny));
    await git("init", "-q");
    await commitAll("initial");
    await project.ok(["stack", "init", "auto"]);
    await project.ok(["config", "set", "bucket", await minio.bucket()]);
    await project.ok(["config", "set", "endpoint", minio.server.endpoint]);
    await up();
  });

  test("no key is written, and a no-op preview packages nothing", async () => {
    const out = await outputs();
    for (const name of FUNCTIONS) assert.match(out[name].sourceKey, /^reads:[0-9a-f]{40}$/);
    const preview = await project.ok(["preview", "--expect-no-changes"]);
    assert.doesNotMatch(preview, /packaged|bundle:/);
  });

  test("a file one handler imports from another handler's directory updates that handler alone", async () => {
    await edit("handlers/discount/src/eligibility.ts", "export const eligible = () => 42;\n");
    assert.deepEqual(await upChanges(), ["api"]);
  });

  test("a tsconfig paths target updates the handler that imports it", async () => {
    await edit("shared/greet.ts", "export const greet = (n: string) => `hello ${n}`;\n");
    assert.deepEqual(await upChanges(), ["api"]);
  });

  test("a new version of an inlined dependency in the lockfile updates the handler that inlines it", async () => {
    await npm("install", await tinyTarball(project.dir, "1.0.1"));
    await commitAll("tiny 1.0.1");
    assert.deepEqual(await upChanges(), ["discount"]);
  });

  test("a Python function's local module updates it alone", async () => {
    await edit("handlers/py/lib/util.py", "VALUE = 2\n");
    assert.deepEqual(await upChanges(), ["py"]);
  });

  test("a copied function's lockfile bump updates it alone", async () => {
    const tiny = await tinyTarball(project.dir, "2.0.0");
    await npm("install", "--prefix", "handlers/plain", path.join(project.dir, tiny));
    await commitAll("plain: tiny 2.0.0");
    assert.deepEqual(await upChanges(), ["plain"]);
  });

  test("a new import of a new file updates that handler", async () => {
    await edit("handlers/report/src/extra.ts", 'export const extra = "extra";\n');
    await edit(
      "handlers/report/src/index.ts",
      'import { extra } from "./extra";\nexport const handler = async () => extra;\n',
    );
    assert.deepEqual(await upChanges(), ["report"]);
    await edit("handlers/report/src/extra.ts", 'export const extra = "extra 2";\n');
    assert.deepEqual(await upChanges(), ["report"], "the new file is now read");
  });

  test("a fresh clone at another path, in CI, shows no changes", async () => {
    const clone = path.join(await tempDir("e2e-clone"), "elsewhere", "checkout");
    await run("git", ["clone", "-q", project.dir, clone], { env: GIT_ENV });
    await copyFile(
      path.join(project.dir, "Pulumi.auto.yaml"),
      path.join(clone, "Pulumi.auto.yaml"),
    );
    await symlink(path.join(project.dir, "node_modules"), path.join(clone, "node_modules"));
    const preview = await project.ok(
      ["preview", "--expect-no-changes", "--cwd", clone, "--stack", "auto"],
      {
        CI: "true",
      },
    );
    assert.doesNotMatch(preview, /packaged|bundle:/);
  });
});
