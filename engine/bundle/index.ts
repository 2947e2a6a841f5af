/**
 * Bundling a Node.js handler with esbuild, reproducibly: the same source
 * gives the same bytes wherever it is checked out. Run by the nodejs
 * packagers (engine/nodejs) when `bundle` is set; it writes `index.js` (or
 * `index.mjs`), or one file per name of `entries`, and their source maps when
 * asked, into the build directory.
 */
import * as esbuild from "esbuild";
import { realpathSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { isWithin } from "../../shared/paths";
import type { BundledOutput } from "../contents/bundled";
import { describeOutputs, entryExports } from "./contents";
import { LambdaPackageError } from "../../shared/errors";
import { formatBytes } from "../../shared/format";
import { workTreeTop } from "../git/work-tree";
import {
  bundleEntries,
  bundleFileName,
  missingEntries,
  type NormalizedBundleOptions,
} from "./options";
import { isOwnSource, keepSources, type SourceMap } from "./source-map";

export {
  BUNDLE_FIELDS,
  bundleEntries,
  bundleFileName,
  type BundleOptions,
  type NormalizedBundleOptions,
} from "./options";

/**
 * What ESM bundles start with unless `banner` says otherwise: esbuild turns a
 * bundled CommonJS package's `require("fs")` into a call that needs a
 * `require` in scope, and an ES module has none.
 */
export const ESM_REQUIRE_SHIM =
  'import { createRequire as __lambdaPackageCreateRequire } from "node:module";\n' +
  "const require = __lambdaPackageCreateRequire(import.meta.url);";

/** How many of esbuild's errors a failure quotes. */
const MAX_QUOTED_ERRORS = 10;

export interface BundleRequest {
  /** Absolute source directory: esbuild's working directory, what paths are relative to. */
  readonly sourcePath: string;
  /** Where the bundle is written (the packager's BUILD_DIR). */
  readonly outDir: string;
  /** The Lambda runtime, `nodejs18.x` … `nodejs24.x`, which gives esbuild's target. */
  readonly runtime: string;
  readonly options: NormalizedBundleOptions;
  readonly log: (line: string) => void;
  /**
   * Where to list, as one JSON array of absolute real paths, every file esbuild read: the
   * provider keys a package whose `sourceKey` is left out on them.
   * @default none: not listed
   */
  readonly readsFile?: string;
  /**
   * Where to describe the outputs (`BundledOutput`, one JSON array): the bytes each inlined
   * package takes, the entry's exports. The build's size report and handler check read it.
   * @default none: not described
   */
  readonly contentsFile?: string;
  /**
   * Ends the bundling before anything is written once aborted: a build that ran past its
   * time, or was interrupted, must not write into a work dir already removed.
   * @default none: never aborted
   */
  readonly signal?: AbortSignal;
  /**
   * Finds the top of the git work tree holding a directory (engine/git/work-tree.ts). In
   * the engine's process, `workTreeTopAside`: a provider building many functions at once is
   * not blocked, nor forked, for each.
   * @default `workTreeTop`: git run from this process
   */
  readonly workTreeTop?: (dir: string) => Promise<string | undefined>;
}

/** The files written, relative to `outDir`, sorted: each bundle, then its map when there is one. */
export interface BundleResult {
  readonly files: readonly string[];
}

/** `nodejs22.x` → `node22`. */
export function nodeTarget(runtime: string): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) {
    throw new LambdaPackageError(
      "BUNDLE_FAILED",
      `bundle needs a Node.js runtime such as nodejs22.x to pick esbuild's target; RUNTIME is ` +
        `"${runtime}". Set runtime to the function's Lambda runtime.`,
    );
  }
  return `node${match[1]}`;
}

/**
 * Bundles `options.entry` into `outDir`, or each of `options.entries` into
 * a file of its own (one esbuild build, so one metafile lists what all of
 * them read; code they share is in each). What would make two checkouts
 * differ is kept out: esbuild works from the source directory and is told to
 * write beside it (it writes nothing: `write: false`), so the path comments
 * in the bundle and the map's `sources` are relative to the source; no
 * legal comments collected at the end, in a fixed order. The metafile (what
 * esbuild read) is kept out of the package: it checks that no import left
 * the repository through a link, and lists the inputs for the source key.
 *
 * esbuild's service is left running, for the next bundle: a packager process
 * stops it before it exits (engine/nodejs/main.ts, `stopEsbuild`); in the
 * engine's process, builds running at the same time share it.
 */
export async function bundleHandler(request: BundleRequest): Promise<BundleResult> {
  const { sourcePath, options, log } = request;
  const entries = bundleEntries(options);
  const missing = missingEntries(sourcePath, options);
  if (missing) throw missing;
  const label = entries.map(([, file]) => file).join(", ");
  const esm = options.format === "esm";
  const banner = options.banner ?? (esm ? ESM_REQUIRE_SHIM : "");
  const buildOptions = {
    // Keyed by name: `entryNames` makes each `<name>.js` in the source directory.
    entryPoints: Object.fromEntries(
      entries.map(([name, file]) => [name, path.join(sourcePath, file)]),
    ),
    absWorkingDir: sourcePath,
    outdir: sourcePath,
    entryNames: "[name]",
    outExtension: { ".js": esm ? ".mjs" : ".js" },
    write: false,
    bundle: true,
    platform: "node",
    target: nodeTarget(request.runtime),
    format: options.format,
    // ESM builds prefer a package's ES module entry; CommonJS builds its main.
    mainFields: esm ? ["module", "main"] : ["main", "module"],
    external: [...options.externals, ...options.nodeModules],
    minify: options.minify,
    // Minifying renames functions and classes; stack traces and `.name` should not change.
    keepNames: options.minify,
    sourcemap: options.sourcemap ? "linked" : false,
    sourcesContent: options.sourcesContent,
    define: options.define,
    banner: banner === "" ? undefined : { js: banner },
    legalComments: "eof",
    charset: "utf8",
    metafile: true,
    logLevel: "silent",
  } as const satisfies esbuild.BuildOptions;
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  let outputs: BundledOutput[];
  try {
    result = await esbuild.build(buildOptions);
    // Before esbuild stops: a CommonJS bundle's exports take one more, quick run per entry.
    outputs = await describeOutputs(result, sourcePath, (entry) =>
      entryExports(esbuild.build, {
        ...buildOptions,
        entryPoints: [path.resolve(sourcePath, entry)],
      }),
    );
  } catch (error) {
    throw bundleFailure(label, sourcePath, error);
  }
  request.signal?.throwIfAborted();
  for (const warning of result.warnings) log(`esbuild warning: ${describeMessage(warning)}`);
  const findTop = request.workTreeTop ?? ((dir: string) => Promise.resolve(workTreeTop(dir)));
  const inputs = await inputsOf(result.metafile, sourcePath, findTop);
  if (request.readsFile)
    await writeFile(request.readsFile, JSON.stringify(inputs.map((i) => i.file)));
  if (request.contentsFile) await writeFile(request.contentsFile, JSON.stringify(outputs));
  await mkdir(request.outDir, { recursive: true });
  const files: string[] = [];
  const sizes = new Map<string, number>();
  for (const output of result.outputFiles) {
    const name = path.relative(sourcePath, output.path);
    const map = name.endsWith(".map");
    // The map keeps the project's own sources: a package's code is not what a stack trace
    // needs to name, and mapping it would make the map several times the bundle's size.
    const contents = map ? ownSourcesMap(output.text) : output.contents;
    await writeFile(path.join(request.outDir, name), contents);
    files.push(name);
    if (!map) sizes.set(name, output.contents.length);
    if (output.text.includes(sourcePath)) {
      log(
        `bundle: ${name} contains the absolute path ${sourcePath}, so a checkout elsewhere ` +
          `gives other bytes; look for __dirname or import.meta in what is bundled.`,
      );
    }
  }
  files.sort();
  for (const [name, entry] of entries) {
    const file = bundleFileName(options, name);
    const written = files.filter((f) => f === file || f === `${file}.map`);
    log(`bundle: ${entry} → ${written.join(" + ")} (${formatBytes(sizes.get(file) ?? 0)})`);
  }
  return { files };
}

/** esbuild's map with only the project's own sources, as JSON again. */
function ownSourcesMap(text: string): string {
  return JSON.stringify(keepSources(JSON.parse(text) as SourceMap, isOwnSource));
}

interface Input {
  /** Absolute real path. */
  readonly file: string;
  /** How it was first imported, for messages: the specifier and the importing file. */
  readonly via?: { readonly specifier: string; readonly importer: string };
}

/**
 * The files esbuild read, as real paths. Each must lie inside the git work
 * tree holding the source: a link inside it that points out (to a home
 * directory, another checkout) would inline a file no commit of the
 * repository holds, which the copy packagers refuse too (SYMLINK_ESCAPES).
 * Outside a work tree there is no boundary to keep.
 */
async function inputsOf(
  metafile: esbuild.Metafile,
  sourcePath: string,
  findTop: (dir: string) => Promise<string | undefined>,
): Promise<Input[]> {
  const via = new Map<string, Input["via"]>();
  for (const [importer, input] of Object.entries(metafile.inputs)) {
    for (const edge of input.imports) {
      if (!via.has(edge.path))
        via.set(edge.path, { specifier: edge.original ?? edge.path, importer });
    }
  }
  // Inputs of other namespaces ("<define:…>", "(disabled):…") are not files.
  const files = Object.keys(metafile.inputs).filter((name) => !/^[^/\\.]*:/.test(name));
  const inputs = files.map((name) => ({
    file: realpathSync(path.resolve(sourcePath, name)),
    via: via.get(name),
  }));
  // Inputs all inside the source are inside the work tree holding it: git, a process that
  // blocks this thread, need not be asked where its top is.
  const source = realpathSync(sourcePath);
  const top = inputs.every((i) => isWithin(i.file, source)) ? undefined : await findTop(sourcePath);
  const outside = top === undefined ? undefined : inputs.find((i) => !isWithin(i.file, top));
  if (outside && top !== undefined) {
    const how = outside.via
      ? `imported as "${outside.via.specifier}" from ${outside.via.importer}`
      : "the entry";
    throw new LambdaPackageError(
      "SYMLINK_ESCAPES",
      `The bundle of ${sourcePath} reads ${outside.file} (${how}), which is outside the git ` +
        `work tree ${top}: a symbolic link on the way leads out of the repository, so the ` +
        `package would hold a file no commit has. Replace the link with the file, or move ` +
        `the file into the repository.`,
      { field: "bundle" },
    );
  }
  return inputs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function describeMessage(message: esbuild.Message): string {
  const at = message.location
    ? `${message.location.file}:${message.location.line}:${message.location.column}: `
    : "";
  return `${at}${message.text}`;
}

function bundleFailure(entry: string, sourcePath: string, error: unknown): LambdaPackageError {
  const errors = (error as { errors?: esbuild.Message[] }).errors ?? [];
  if (errors.length === 0) {
    return new LambdaPackageError(
      "BUNDLE_FAILED",
      `esbuild could not bundle ${entry} in ${sourcePath}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const quoted = errors.slice(0, MAX_QUOTED_ERRORS).map((m) => `  ${describeMessage(m)}`);
  if (errors.length > MAX_QUOTED_ERRORS)
    quoted.push(`  … and ${errors.length - MAX_QUOTED_ERRORS} more`);
  const unresolved = errors.some((m) => m.text.startsWith("Could not resolve"));
  const hint = unresolved
    ? " Imports are resolved through the project's node_modules as they are: install its " +
      "dependencies first (npm ci, pnpm install, yarn install), or list a package that the " +
      "runtime provides in bundle.externals."
    : " Fix the code at those lines; esbuild only strips types, so run `tsc --noEmit` for type errors.";
  return new LambdaPackageError(
    "BUNDLE_FAILED",
    `esbuild could not bundle ${entry} in ${sourcePath} (${errors.length} error(s)):\n` +
      `${quoted.join("\n")}\n${hint.trim()}`,
    { cause: error },
  );
}
