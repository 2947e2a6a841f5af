/**
 * What a bundle holds, from esbuild's metafile: each output's bytes by the
 * npm package they came from, and the names its entry exports (for the
 * handler check). Written beside the package (`BUNDLE_CONTENTS_FILE`),
 * never into it.
 */
import type * as esbuild from "esbuild";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { npmPackageOf, type BundledOutput } from "../contents/bundled";
import { javascriptExports } from "../handler/javascript";

/** An ES module output that re-exports an external package: its exports are not all listed. */
const EXTERNAL_STAR = /^export\s*\*\s*from\s/m;

/**
 * The outputs of one bundle. `esmExports` gives an entry's exports (its path as
 * the metafile names it) as an ES module would have them, for a CommonJS bundle
 * of an ES entry, whose metafile lists none; it is only called then.
 */
export async function describeOutputs(
  result: esbuild.BuildResult<{ write: false; metafile: true }>,
  sourcePath: string,
  esmExports: (entry: string) => Promise<string[] | undefined>,
): Promise<BundledOutput[]> {
  const described: BundledOutput[] = [];
  for (const [key, output] of Object.entries(result.metafile.outputs)) {
    if (key.endsWith(".map") || output.entryPoint === undefined) continue;
    const absolute = path.resolve(sourcePath, key);
    const packages: Record<string, { bytes: number; files: number }> = {};
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = npmPackageOf(input);
      if (name === undefined || bytesInOutput === 0) continue;
      packages[name] ??= { bytes: 0, files: 0 };
      packages[name].bytes += bytesInOutput;
      packages[name].files++;
    }
    const text = result.outputFiles.find((f) => f.path === absolute)?.text ?? "";
    const entry = output.entryPoint;
    const format = result.metafile.inputs[entry]?.format;
    let exports: string[] | undefined;
    if (/\.mjs$/.test(key)) exports = EXTERNAL_STAR.test(text) ? undefined : output.exports;
    else if (format === "esm") exports = await esmExports(entry);
    else {
      // A CommonJS entry: its exports are whatever it assigns, read from its text.
      const own = javascriptExports(await readFile(path.resolve(sourcePath, entry), "utf8"));
      exports = own.complete ? [...own.names].sort() : undefined;
    }
    described.push({
      file: path.relative(sourcePath, absolute).split(path.sep).join("/"),
      entry: entry.split(path.sep).join("/"),
      packages: Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : 1))),
      ...(exports && { exports: [...exports].sort() }),
    });
  }
  return described;
}

/**
 * The exports of `entry` as an ES module, from a second, quick esbuild run
 * with every package left external; undefined when it re-exports all of an
 * external package, whose names only running it would show.
 */
export async function entryExports(
  build: typeof esbuild.build,
  options: esbuild.BuildOptions,
): Promise<string[] | undefined> {
  const result = await build({
    ...options,
    format: "esm",
    packages: "external",
    sourcemap: false,
    minify: false,
    banner: undefined,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  const text = result.outputFiles[0]?.text ?? "";
  return output && !EXTERNAL_STAR.test(text) ? output.exports : undefined;
}
