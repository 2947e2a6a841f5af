/**
 * What a bundle holds, as its builder knew it: esbuild's metafile says how
 * many bytes of the output each input file became, so the output's size can
 * be split by the npm package each input came from. A zip alone cannot say
 * this (the bundle is one file); the build writes it beside the package.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The file in the work dir where the bundle helper describes its outputs: one JSON array. */
export const BUNDLE_CONTENTS_FILE = "bundle-contents.json";

/** One output file of a bundle: where its bytes came from, and what its entry exports. */
export interface BundledOutput {
  /** The output's path in the package, e.g. `index.js`. */
  readonly file: string;
  /** The entry it was bundled from, relative to the source, e.g. `src/handler.ts`. */
  readonly entry: string;
  /** Bytes of the output that came from each npm package, by package name. */
  readonly packages: Readonly<Record<string, { readonly bytes: number; readonly files: number }>>;
  /**
   * The names the output exports, as esbuild resolved them; undefined when esbuild cannot know
   * them (an entry written as CommonJS, an `export *` of an external package).
   */
  readonly exports?: readonly string[];
}

/** The innermost `node_modules/<name>` or `node_modules/@scope/<name>` on a path. */
const NPM_PACKAGE =
  /(?:^|[/\\])node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)[/\\](?:(?!node_modules[/\\]).)*$/;

/** The npm package a file belongs to, by its path (`@scope/name` with forward slashes). */
export function npmPackageOf(file: string): string | undefined {
  const match = NPM_PACKAGE.exec(file);
  return match ? match[1].replace(/\\/g, "/") : undefined;
}

/** The bundle's outputs as the bundle helper described them in `workDir`; none when it wrote nothing. */
export function readBundledOutputs(workDir: string): BundledOutput[] {
  const file = path.join(workDir, BUNDLE_CONTENTS_FILE);
  if (!existsSync(file)) return [];
  const list: unknown = JSON.parse(readFileSync(file, "utf8"));
  return Array.isArray(list) ? (list as BundledOutput[]) : [];
}
