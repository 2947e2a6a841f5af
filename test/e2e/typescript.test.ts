/**
 * A TypeScript handler shipped as README's "TypeScript handlers" section
 * writes it, from a Pulumi program in TypeScript: `LambdaCode` with `bundle`,
 * through the real CLI into MinIO, the package installed from its tarball,
 * and the stored version run with `node`. Beside it, a plain JavaScript
 * function whose npm dependency goes in from npm's cache.
 * The handlers' dependency comes from the npm registry (is-number).
 */
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { minioFixture } from "../support/minio";
import { createProject, ROOT, type PulumiProject } from "../support/pulumi";
import { run } from "../support/run";
import { download } from "../support/s3";
import { tempDir } from "../support/tmp";

const minio = minioFixture();
const FIXTURE = path.join(ROOT, "test", "fixtures", "nodejs-ts");
const PLAIN_FIXTURE = path.join(ROOT, "test", "fixtures", "nodejs-app");

/** The program in TypeScript too, as `pulumi new aws-typescript` lays it out. */
const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { LambdaCode } from "pulumi-lambda-package";

const config = new pulumi.Config();
const api = new LambdaCode("api", {
  bucket: config.require("bucket"),
  sourcePath: "services/api",
  runtime: "nodejs22.x",
  // With a map, as README's example: the map must not record the checkout's path either.
  bundle: {
    entry: "src/handler.ts",
    sourcemap: true,
    minify: config.getBoolean("minify") ?? false,
  },
  sourceKey: config.require("sourceKey"),
  endpoint: config.require("endpoint"),
});
export const code = api.functionCode;
export const sha256 = api.sha256;

const plain = new LambdaCode("plain", {
  bucket: config.require("bucket"),
  sourcePath: "services/plain",
  runtime: "nodejs22.x",
  sourceKey: config.require("sourceKey"),
  endpoint: config.require("endpoint"),
});
export const plainCode = plain.functionCode;
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

interface StackOutputs {
  code: { s3Bucket: string; s3Key: string; s3ObjectVersion: string };
  sha256: string;
  plainCode: StackOutputs["code"];
}

describe("a TypeScript handler bundled through the real CLI", { timeout: 15 * 60_000 }, () => {
  let project: PulumiProject;
  let firstUp: string;
  const outputs = async () =>
    JSON.parse(await project.ok(["stack", "output", "--json"])) as StackOutputs;
  const up = (...flags: string[]) =>
    project.ok(["up", "--yes", "--skip-plugin-pre-install", ...flags]);

  /** The stored version unzipped into a directory of its own. */
  async function unzipped(code: StackOutputs["code"]): Promise<string> {
    const bytes = await download(minio.admin, code.s3Bucket, code.s3Key, code.s3ObjectVersion);
    const dir = await tempDir("e2e-ts");
    const zip = path.join(dir, "code.zip");
    await writeFile(zip, bytes);
    await run("unzip", ["-q", zip, "-d", path.join(dir, "fn")]);
    return path.join(dir, "fn");
  }

  /** What `handler` of `index.js` in `dir` returns for `event`, as Lambda's Node.js would call it. */
  async function invoke(dir: string, event: object): Promise<unknown> {
    const code = `require("./index.js").handler(${JSON.stringify(event)}).then((r) => console.log(JSON.stringify(r)))`;
    return JSON.parse(await run(process.execPath, ["-e", code], { cwd: dir })) as unknown;
  }

  before(async () => {
    const files: Record<string, string> = {
      "Pulumi.yaml": "name: typescript\nruntime: nodejs\n",
      "index.ts": PROGRAM,
      "tsconfig.json": JSON.stringify(TSCONFIG, null, 2),
    };
    for (const name of [
      "package.json",
      "package-lock.json",
      "src/handler.ts",
      "src/types.ts",
      "src/legacy.cjs",
    ])
      files[`services/api/${name}`] = await readFile(path.join(FIXTURE, name), "utf8");
    for (const name of ["package.json", "package-lock.json", "index.js"]) {
      files[`services/plain/${name}`] = await readFile(path.join(PLAIN_FIXTURE, name), "utf8");
    }
    project = await createProject(files, minio.server);
    // The function's own install, as its developer has it: esbuild resolves through it.
    await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: path.join(project.dir, "services", "api"),
    });
    await project.ok(["stack", "init", "ts"]);
    for (const [key, value] of Object.entries({
      bucket: await minio.bucket(),
      sourceKey: "commit-1",
      endpoint: minio.server.endpoint,
    })) {
      await project.ok(["config", "set", key, value]);
    }
    firstUp = await up();
  });

  test("the stored version is the bundle and its map, and its handler runs", async () => {
    const { code } = await outputs();
    const fn = await unzipped(code);
    assert.deepEqual((await readdir(fn)).sort(), ["index.js", "index.js.map"]);
    assert.deepEqual(await invoke(fn, { value: "4" }), { isNumber: true });
    // The runtime provides the AWS SDK v3: the bundle loads it from there rather than holding it.
    assert.match(await readFile(path.join(fn, "index.js"), "utf8"), /["']@aws-sdk\/client-s3["']/);
  });

  test("the JavaScript function beside it gets its npm dependency from npm's cache, and runs", async () => {
    // The services/api install above put is-number into npm's cache: no npm ci is needed.
    assert.match(
      firstUp,
      /nodejs packager: 1 package\(s\) of package-lock\.json unpacked from npm's cache/,
    );
    const fn = await unzipped((await outputs()).plainCode);
    assert.deepEqual((await readdir(fn)).sort(), [
      "index.js",
      "node_modules",
      "package-lock.json",
      "package.json",
    ]);
    assert.deepEqual(await readdir(path.join(fn, "node_modules")), ["is-number"]);
    assert.deepEqual(await invoke(fn, { value: "7" }), {
      statusCode: 200,
      body: JSON.stringify({ isNumber: true, runtime: "nodejs" }),
    });
  });

  test("neither the bundle nor its map records where the project was checked out", async () => {
    const fn = await unzipped((await outputs()).code);
    for (const file of ["index.js", "index.js.map"]) {
      const text = await readFile(path.join(fn, file), "utf8");
      assert.ok(!text.includes(project.dir), `${file} holds ${project.dir}`);
    }
    const map = JSON.parse(await readFile(path.join(fn, "index.js.map"), "utf8")) as {
      sources: string[];
    };
    assert.ok(
      map.sources.some((s) => s.endsWith("src/handler.ts")),
      map.sources.join(" "),
    );
  });

  test("an up with the same sourceKey builds nothing and changes nothing", async () => {
    const before = await outputs();
    await project.ok(["preview", "--expect-no-changes"]);
    await up("--expect-no-changes");
    assert.deepEqual(await outputs(), before);
  });

  test("turning on minify repackages: a new, smaller version whose handler still runs", async () => {
    const before = await outputs();
    const plain = await readFile(path.join(await unzipped(before.code), "index.js"));
    await project.ok(["config", "set", "minify", "true"]);
    assert.match(await project.ok(["preview"]), /1 to update/);
    await up();
    const after = await outputs();
    assert.notEqual(after.code.s3ObjectVersion, before.code.s3ObjectVersion);
    assert.notEqual(after.sha256, before.sha256);
    const fn = await unzipped(after.code);
    assert.ok((await readFile(path.join(fn, "index.js"))).length < plain.length, "minified");
    assert.deepEqual(await invoke(fn, { value: "x" }), { isNumber: false });
  });
});
