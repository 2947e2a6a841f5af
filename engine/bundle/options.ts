/**
 * The `bundle` option: how the nodejs packagers bundle a handler with esbuild
 * instead of copying the source and installing its dependencies. Its fields
 * are declared and documented here, and checked and defaulted by
 * `BUNDLE_FIELDS`, which the option table (engine/options.ts) holds.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import {
  isBoolean,
  isString,
  oneOf,
  stringList,
  stringMap,
  type FieldRule,
  type ValueRule,
} from "../../shared/rules";

/** Module format of the bundle. */
export type BundleFormat = "cjs" | "esm";
/**
 * The file in the packager's work dir where the bundle helper lists esbuild's inputs, one JSON
 * array, for the engine's record of what the build read (engine/reads).
 */
export const BUNDLE_READS_FILE = "bundle-reads.json";

export const BUNDLE_FORMATS = ["cjs", "esm"] as const satisfies readonly BundleFormat[];

/** What `bundle` takes: the handler's entry file and how esbuild treats it. */
export interface BundleOptions {
  /**
   * The handler's file, relative to `sourcePath`, ending in `.ts`, `.mts`, `.js` or `.mjs`,
   * e.g. `src/handler.ts`. Its exports keep their names, so `export const handler` is the
   * function's handler `index.handler`.
   */
  readonly entry: string;
  /**
   * Module format: `"cjs"` writes `index.js` (CommonJS), `"esm"` writes `index.mjs`.
   * @default "cjs"
   */
  readonly format?: BundleFormat;
  /**
   * Import paths left out of the bundle and loaded at run time, esbuild's `external`
   * patterns, e.g. `["@aws-sdk/*", "pg-native"]`; a list given replaces the default. The
   * nodejs18.x and later runtimes ship the AWS SDK v3.
   * @default ["@aws-sdk/*"]
   */
  readonly externals?: readonly string[];
  /**
   * Packages installed into `node_modules` beside the bundle instead of bundled, e.g.
   * `["sharp"]` for native modules: production dependencies of the project, installed with
   * its package manager and lockfile for the target `architecture`.
   * @default []
   */
  readonly nodeModules?: readonly string[];
  /**
   * Minify the bundle (names of exports and, with it, of functions and classes are kept).
   * @default false
   */
  readonly minify?: boolean;
  /**
   * Write a source map beside the bundle (`index.js.map`, sources relative to `sourcePath`,
   * their contents included), so that with `NODE_OPTIONS=--enable-source-maps` stack traces
   * name the `.ts` lines.
   * @default true
   */
  readonly sourcemap?: boolean;
  /**
   * Identifiers replaced by JavaScript expressions at build time, esbuild's `define`, e.g.
   * `{ "process.env.STAGE": "\"prod\"" }`.
   * @default {}
   */
  readonly define?: Readonly<Record<string, string>>;
  /**
   * JavaScript put at the top of the bundle, e.g. a license comment. In ESM the default
   * defines `require`, so that bundled CommonJS code can `require` Node's built-in modules;
   * a banner given replaces it (`""` for none).
   * @default for `"esm"`, a `require` shim (`createRequire(import.meta.url)`); for `"cjs"`, none
   */
  readonly banner?: string;
  /**
   * Write a `package.json` stub (name, version) of each inlined package into the zip, for
   * scanners that read manifests (Amazon Inspector); about 190 bytes each.
   * @default false
   */
  readonly manifests?: boolean;
}

/** `bundle` after normalizing: every field with a default filled in. */
export type NormalizedBundleOptions = Required<Omit<BundleOptions, "banner">> &
  Pick<BundleOptions, "banner">;

/** The entry extensions esbuild bundles as a handler. */
export const ENTRY_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"] as const;

const entryFile: ValueRule = (v) => {
  const wrong = `must be a file inside sourcePath ending in ${ENTRY_EXTENSIONS.join(", ")}, e.g. "src/handler.ts"`;
  if (typeof v !== "string" || v.trim() === "") return wrong;
  const parts = v.split(/[\\/]/);
  if (v.startsWith("/") || parts.includes("..")) return wrong;
  return ENTRY_EXTENSIONS.some((ext) => v.endsWith(ext)) ? undefined : wrong;
};

// npm's rules for a package name (lower case, URL-safe, optionally scoped), without a version.
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

const packageNames: ValueRule = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string" && PACKAGE_NAME.test(x))
    ? undefined
    : `must be a list of package names without versions, e.g. ["sharp"]`;

/** The rule and default of every field of `BundleOptions`. */
export const BUNDLE_FIELDS = {
  entry: {
    rule: entryFile,
    required: `the handler's file, relative to sourcePath, e.g. "src/handler.ts"`,
  },
  format: { rule: oneOf(...BUNDLE_FORMATS), default: "cjs" },
  externals: { rule: stringList, default: ["@aws-sdk/*"] },
  nodeModules: { rule: packageNames, default: [] },
  minify: { rule: isBoolean, default: false },
  sourcemap: { rule: isBoolean, default: true },
  define: { rule: stringMap, default: {} },
  banner: { rule: isString },
  manifests: { rule: isBoolean, default: false },
} as const satisfies { readonly [K in keyof BundleOptions]-?: FieldRule };

/**
 * The error for an `entry` that is no file in `sourcePath`, or none: checked
 * in preview (the provider's `check`) and again by the packager that bundles.
 */
export function missingEntry(sourcePath: string, entry: string): LambdaPackageError | undefined {
  if (statSync(path.join(sourcePath, entry), { throwIfNoEntry: false })?.isFile()) return undefined;
  return new LambdaPackageError(
    "BUNDLE_ENTRY_MISSING",
    `bundle.entry "${entry}" is not a file in ${sourcePath}. Give the handler's file ` +
      `relative to sourcePath, e.g. "src/handler.ts".`,
    { field: "bundle" },
  );
}

/** The bundle's file name: `.mjs` makes Lambda (and Node) load it as an ES module. */
export function bundleFileName(options: Pick<NormalizedBundleOptions, "format">): string {
  return options.format === "esm" ? "index.mjs" : "index.js";
}
