/**
 * `npm run bench:bundle`: one TypeScript function packaged the ways the
 * nodejs packagers know, each a whole `lambda-package build` in a process of
 * its own, alternating, medians of N: copy + `npm ci --omit=dev` (forced with
 * LAMBDA_PACKAGE_NPM_CI), copy + the packages unpacked from npm's cache
 * (nodejs22.x as it is), and `--entry src/handler.ts` (esbuild, CommonJS,
 * no map, the default). Reports packaging time, zip size and file count.
 *
 * Then the AWS SDK choice: a handler that constructs an S3 and a DynamoDB
 * client at module scope, bundled with `@aws-sdk/*` left to the runtime
 * (loaded from a node_modules outside the package on NODE_PATH, as Lambda's
 * /var/runtime/node_modules is) and with the SDK bundled (plain and
 * minified). Each is unzipped, then `require`d in a fresh node process that
 * times the require (module initialisation: loading, compiling, running the
 * top level, both clients constructed), alternating, medians of N * 3.
 *
 *   node dist/bench/bundle.js [--runs N] [--json FILE] [--only packaging|sdk]
 */
import { execFileSync } from "node:child_process";
import { build } from "../engine/build";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { BuildResult } from "../engine/build";
import { FORCE_NPM_CI } from "../engine/nodejs/npm-cache";
import { benchFlags, measured, median, rotate, type Sample } from "./measure";
import { cached, FUNCTION_DEPENDENCIES } from "./trees";

const CLI = path.join(__dirname, "..", "cli", "main.js");

// First builds are what is measured: no zip store (engine/zip/store) reuses an earlier run's work.
process.env.LAMBDA_PACKAGE_ZIP_STORE = "off";

/**
 * A TypeScript handler with three production dependencies and one dev dependency, installed,
 * and the handler compiled beside it as `tsc` would: the copy ways need JavaScript to ship (a
 * package of TypeScript alone is refused, as it could not start).
 */
async function tsFunction(): Promise<string> {
  const dir = await tsSource();
  const compiled = path.join(dir, "src", "handler.js");
  await writeFile(
    compiled,
    [
      '"use strict";',
      'const { z } = require("zod");',
      'const { v4 } = require("uuid");',
      'const { formatISO } = require("date-fns");',
      "const Order = z.object({ item: z.string(), quantity: z.number().int().positive() });",
      "exports.handler = async (event) => {",
      "  const order = Order.parse(event);",
      "  return { id: v4(), at: formatISO(new Date(0)), ...order };",
      "};",
      "",
    ].join("\n"),
  );
  return dir;
}

function tsSource(): Promise<string> {
  return cached("ts-function", async (dir) => {
    await writeFile(
      path.join(dir, "package.json"),
      JSON.stringify({
        name: "bench-ts-fn",
        version: "1.0.0",
        private: true,
        ...FUNCTION_DEPENDENCIES,
      }),
    );
    await mkdir(path.join(dir, "src"));
    await writeFile(
      path.join(dir, "src", "handler.ts"),
      [
        'import { z } from "zod";',
        'import { v4 } from "uuid";',
        'import { formatISO } from "date-fns";',
        "",
        "const Order = z.object({ item: z.string(), quantity: z.number().int().positive() });",
        "",
        "export const handler = async (event: unknown) => {",
        "  const order = Order.parse(event);",
        "  return { id: v4(), at: formatISO(new Date(0)), ...order };",
        "};",
        "",
      ].join("\n"),
    );
    // Bundling resolves through node_modules, as CI has it after npm ci.
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir });
  });
}

/** The AWS SDK the SDK case installs: the version this package's own S3 client is. */
const SDK_VERSION = "3.1169.0";

/** A TypeScript handler constructing two SDK clients at module scope, the SDK installed. */
function sdkFunction(): Promise<string> {
  return cached(`sdk-function-${SDK_VERSION}`, async (dir) => {
    await writeFile(
      path.join(dir, "package.json"),
      JSON.stringify({
        name: "bench-sdk-fn",
        version: "1.0.0",
        private: true,
        dependencies: {
          "@aws-sdk/client-s3": SDK_VERSION,
          "@aws-sdk/client-dynamodb": SDK_VERSION,
        },
      }),
    );
    await mkdir(path.join(dir, "src"));
    await writeFile(
      path.join(dir, "src", "handler.ts"),
      [
        'import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";',
        'import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";',
        "",
        "// Module scope, as handlers do: constructed once per cold start.",
        'const s3 = new S3Client({ region: "eu-west-1" });',
        'const dynamodb = new DynamoDBClient({ region: "eu-west-1" });',
        "",
        "export const handler = async (event: { bucket: string; key: string; table: string }) => ({",
        "  object: new GetObjectCommand({ Bucket: event.bucket, Key: event.key }),",
        "  item: new GetItemCommand({ TableName: event.table, Key: {} }),",
        "  clients: [typeof s3.send, typeof dynamodb.send],",
        "});",
        "",
      ].join("\n"),
    );
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir });
  });
}

const SDK_WAYS = {
  "runtime's SDK (externals @aws-sdk/*)": { externals: ["@aws-sdk/*"], minify: false },
  "SDK bundled": { externals: [] as string[], minify: false },
  "SDK bundled, minified": { externals: [] as string[], minify: true },
};
type SdkWay = keyof typeof SDK_WAYS;

/** Times `require` of the bundle in a fresh process: wall and CPU milliseconds. */
const TIME_REQUIRE = [
  "const c0 = process.cpuUsage();",
  "const t0 = process.hrtime.bigint();",
  "require(process.argv[1]);",
  "const wall = Number(process.hrtime.bigint() - t0) / 1e6;",
  "const cpu = process.cpuUsage(c0);",
  "console.log(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1e3 }));",
].join("\n");

interface InitResult {
  wall: number;
  cpu: number;
  size: number;
  bundleBytes: number;
}

async function sdkCase(runs: number): Promise<Record<string, InitResult>> {
  const source = await sdkFunction();
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-sdk-"));
  // The runtime's SDK: outside the package, found through NODE_PATH as on Lambda.
  const runtimeModules = path.join(source, "node_modules");
  const fns = {} as Record<SdkWay, { dir: string; size: number; bundleBytes: number }>;
  const samples = {} as Record<SdkWay, { wall: number; cpu: number }[]>;
  try {
    for (const way of Object.keys(SDK_WAYS) as SdkWay[]) {
      const result = await build({
        sourcePath: source,
        runtime: "nodejs22.x",
        bundle: { entry: "src/handler.ts", ...SDK_WAYS[way] },
        outFile: path.join(work, `fn-${Object.keys(fns).length}.zip`),
      });
      const dir = path.join(work, `fn-${Object.keys(fns).length}`);
      execFileSync("unzip", ["-q", result.path, "-d", dir]);
      const bundleBytes = (await stat(path.join(dir, "index.js"))).size;
      fns[way] = { dir, size: result.size, bundleBytes };
      samples[way] = [];
    }
    const once = (way: SdkWay) => {
      const { dir } = fns[way];
      const out = execFileSync(process.execPath, ["-e", TIME_REQUIRE, path.join(dir, "index.js")], {
        cwd: dir,
        env: { ...process.env, NODE_PATH: runtimeModules, NODE_OPTIONS: "" },
        encoding: "utf8",
      });
      return JSON.parse(out) as { wall: number; cpu: number };
    };
    for (const way of Object.keys(SDK_WAYS) as SdkWay[]) once(way); // warm-up: the page cache
    for (let round = 0; round < runs * 3; round++) {
      for (const way of rotate(Object.keys(SDK_WAYS) as SdkWay[], round)) {
        samples[way].push(once(way));
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(
    `\nTwo SDK clients (S3, DynamoDB, ${SDK_VERSION}) constructed at module scope, nodejs22.x bundle, ` +
      `require in a fresh node, medians of ${runs * 3}:`,
  );
  const results: Record<string, InitResult> = {};
  for (const way of Object.keys(SDK_WAYS) as SdkWay[]) {
    const result = {
      wall: median(samples[way].map((s) => s.wall)),
      cpu: median(samples[way].map((s) => s.cpu)),
      size: fns[way].size,
      bundleBytes: fns[way].bundleBytes,
    };
    results[way] = result;
    console.log(
      `  ${way.padEnd(38)} ${result.wall.toFixed(1)} ms (${result.cpu.toFixed(1)} ms CPU), ` +
        `index.js ${(result.bundleBytes / 1024).toFixed(0)} KiB, zip ${(result.size / 1024).toFixed(1)} KiB`,
    );
  }
  return results;
}

const WAYS = {
  "copy + npm ci": { flags: [] as string[], env: { [FORCE_NPM_CI]: "1" } },
  "copy + npm's cache": { flags: [] as string[], env: {} },
  "bundle (esbuild)": { flags: ["--entry", "src/handler.ts"], env: {} },
};
type Way = keyof typeof WAYS;

interface Run extends Sample {
  size: number;
  files: number;
}

async function runOnce(way: Way, source: string, work: string): Promise<Run> {
  const dir = await mkdtemp(path.join(work, "out-"));
  const out = path.join(dir, "out.zip");
  const args = [CLI, "build", source, "-r", "nodejs22.x", "--out", out, "--json"];
  args.push(...WAYS[way].flags);
  // npm's cache is warm after the first run: the registry is not what is measured.
  const env = { ...process.env, npm_config_prefer_offline: "true", ...WAYS[way].env };
  try {
    const { sample, stdout } = await measured([process.execPath, ...args], { env });
    const result = JSON.parse(stdout) as BuildResult;
    return { ...sample, size: result.size, files: result.fileCount };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { runs, json, values } = benchFlags("bench/bundle.ts", { only: { type: "string" } });
  const only = values.only;
  if (only !== undefined && only !== "packaging" && only !== "sdk")
    throw new Error(`--only takes packaging or sdk; got ${String(only)}`);
  const results: Record<string, unknown> = {};
  if (only !== "sdk") results.packaging = await packagingCase(runs);
  if (only !== "packaging") results.sdk = await sdkCase(runs);
  if (json) await writeFile(json, JSON.stringify(results, null, 2) + "\n");
}

async function packagingCase(runs: number): Promise<Record<string, unknown>> {
  const source = await tsFunction();
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-bundle-"));
  const samples: Record<Way, Run[]> = {
    "copy + npm ci": [],
    "copy + npm's cache": [],
    "bundle (esbuild)": [],
  };
  try {
    for (const way of Object.keys(WAYS) as Way[]) await runOnce(way, source, work); // warm-up
    for (let round = 0; round < runs; round++) {
      for (const way of rotate(Object.keys(WAYS) as Way[], round)) {
        samples[way].push(await runOnce(way, source, work));
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`\nTypeScript function (zod, uuid, date-fns), nodejs22.x, medians of ${runs}:`);
  const results: Record<string, { wall: number; cpu: number; size: number; files: number }> = {};
  for (const way of Object.keys(WAYS) as Way[]) {
    const list = samples[way];
    const result = {
      wall: median(list.map((s) => s.wall)),
      cpu: median(list.map((s) => s.cpu)),
      size: list[0].size,
      files: list[0].files,
    };
    results[way] = result;
    console.log(
      `  ${way.padEnd(20)} ${result.wall.toFixed(2)} s (${result.cpu.toFixed(2)} s CPU), ` +
        `${(result.size / 1024).toFixed(1)} KiB, ${result.files} files`,
    );
  }
  return results;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
