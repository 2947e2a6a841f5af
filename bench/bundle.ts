/**
 * `npm run bench:bundle`: one TypeScript function packaged the ways the
 * nodejs packagers know, each a whole `lambda-package build` in a process of
 * its own, alternating, medians of N: copy + `npm ci --omit=dev` (forced with
 * LAMBDA_PACKAGE_NPM_CI), copy + the packages unpacked from npm's cache
 * (nodejs22.x as it is), and `--entry src/handler.ts` (esbuild, CommonJS,
 * source map). Reports packaging time, zip size and file count.
 *
 *   node dist/bench/bundle.js [--runs N] [--json FILE]
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { BuildResult } from "../engine/build";
import { FORCE_NPM_CI } from "../engine/nodejs/npm-cache";
import { benchFlags, measured, median, rotate, type Sample } from "./measure";
import { cached, FUNCTION_DEPENDENCIES } from "./trees";

const CLI = path.join(__dirname, "..", "cli", "main.js");

/** A TypeScript handler with three production dependencies and one dev dependency, installed. */
function tsFunction(): Promise<string> {
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
  const { runs, json } = benchFlags("bench/bundle.ts", {});
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
  if (json) await writeFile(json, JSON.stringify(results, null, 2) + "\n");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
