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
  all,
  isBoolean,
  isString,
  oneOf,
  stringList,
  objectOf,
  stringMap,
  type FieldRule,
  type Rule,
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

/**
 * What `bundle` takes: the handler's entry file (or several, `entries`) and how esbuild
 * treats it. Exactly one of `entry` and `entries` is given.
 */
export interface BundleOptions {
  /**
   * The handler's file, relative to `sourcePath`, ending in `.ts`, `.mts`, `.js` or `.mjs`,
   * e.g. `src/handler.ts`, bundled into `index.js`. Its exports keep their names, so
   * `export const handler` is the function's handler `index.handler`.
   * @default none: give `entries` instead
   */
  readonly entry?: string;
  /**
   * Several handlers in one package, each bundled into a file of its own named by its key,
   * e.g. `{ orders: "src/orders.ts", users: "src/users.ts" }` writes `orders.js` and
   * `users.js` (handlers `orders.handler`, `users.handler`), so one zip serves several
   * functions. Names are letters, digits, `-` and `_`; files as for `entry`.
   * @default none: give `entry` instead
   */
  readonly entries?: Readonly<Record<string, string>>;
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
   * Write a source map beside each bundle (`index.js.map`) mapping the project's own sources
   * (relative to `sourcePath`; the code of `node_modules` is not mapped), so that with
   * `NODE_OPTIONS=--enable-source-maps` stack traces name the `.ts` lines. Off by default, as
   * in AWS CDK: a map changes with every comment, and would make a new version of each
   * function importing the file even when the JavaScript is the same.
   * @default false
   */
  readonly sourcemap?: boolean;
  /**
   * Put the mapped sources' text into the map (`sourcesContent`), for debuggers that show
   * the TypeScript; stack traces do not need it. Only with `sourcemap: true`.
   * @default false
   */
  readonly sourcesContent?: boolean;
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
export type NormalizedBundleOptions = Required<
  Omit<BundleOptions, "banner" | "entry" | "entries">
> &
  Pick<BundleOptions, "banner" | "entry" | "entries">;

/** The entry extensions esbuild bundles as a handler. */
export const ENTRY_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"] as const;

const entryFile: ValueRule = (v) => {
  const wrong = `must be a file inside sourcePath ending in ${ENTRY_EXTENSIONS.join(", ")}, e.g. "src/handler.ts"`;
  if (typeof v !== "string" || v.trim() === "") return wrong;
  const parts = v.split(/[\\/]/);
  if (v.startsWith("/") || parts.includes("..")) return wrong;
  return ENTRY_EXTENSIONS.some((ext) => v.endsWith(ext)) ? undefined : wrong;
};

/** A bundle's file name: data, never a path (no separator, no dot, nothing to escape). */
const ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const entryMap: Rule = (v) => {
  if (v === null || typeof v !== "object" || Array.isArray(v) || Object.keys(v).length === 0)
    return `must be an object of name to handler file, e.g. { orders: "src/orders.ts" }`;
  const seen = new Map<string, string>();
  for (const [name, file] of Object.entries(v as Record<string, unknown>)) {
    if (!ENTRY_NAME.test(name)) {
      return {
        field: name,
        wrong:
          "is not a name for a bundle's file: use 1 to 64 letters, digits, - and _, " +
          'starting with a letter or digit, e.g. "orders" (it becomes orders.js)',
        value: undefined,
      };
    }
    // Lambda runs on Linux, but a zip unpacked on macOS or Windows would lose one of the two.
    const other = seen.get(name.toLowerCase());
    if (other !== undefined)
      return {
        field: name,
        wrong: `differs from "${other}" only in case; their files would collide on macOS and Windows`,
        value: undefined,
      };
    seen.set(name.toLowerCase(), name);
    const wrong = entryFile(file);
    if (wrong) return { field: name, wrong, value: file };
  }
  return undefined;
};

// npm's rules for a package name (lower case, URL-safe, optionally scoped), without a version.
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

const packageNames: ValueRule = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string" && PACKAGE_NAME.test(x))
    ? undefined
    : `must be a list of package names without versions, e.g. ["sharp"]`;

/** The rule and default of every field of `BundleOptions`. */
export const BUNDLE_FIELDS = {
  entry: { rule: entryFile },
  entries: { rule: entryMap },
  format: { rule: oneOf(...BUNDLE_FORMATS), default: "cjs" },
  externals: { rule: stringList, default: ["@aws-sdk/*"] },
  nodeModules: { rule: packageNames, default: [] },
  minify: { rule: isBoolean, default: false },
  sourcemap: { rule: isBoolean, default: false },
  sourcesContent: { rule: isBoolean, default: false },
  define: { rule: stringMap, default: {} },
  banner: { rule: isString },
  manifests: { rule: isBoolean, default: false },
} as const satisfies { readonly [K in keyof BundleOptions]-?: FieldRule };

/** What `entry` is, for the error that asks for it. */
const ENTRY_WANTED = `the handler's file, relative to sourcePath, e.g. "src/handler.ts"`;

/** What the fields say together: one of `entry` and `entries`; `sourcesContent` with a map. */
const fieldsTogether: Rule = (v) => {
  const value = v as Partial<Record<keyof BundleOptions, unknown>>;
  if (value.entry === undefined && value.entries === undefined)
    return {
      field: "entry",
      wrong: `is required (${ENTRY_WANTED}), or entries for several handlers`,
      value: undefined,
    };
  if (value.entry !== undefined && value.entries !== undefined)
    return {
      field: "entries",
      wrong:
        "cannot be given with bundle.entry: entry bundles one handler into index.js, entries " +
        "several, each into <name>.js; keep one of them",
      value: undefined,
    };
  if (value.sourcesContent === true && value.sourcemap !== true)
    return {
      field: "sourcesContent",
      wrong: "is part of the source map: set sourcemap: true with it, or leave it out",
      value: undefined,
    };
  return undefined;
};

/** The rule of the `bundle` option: each field's, then the fields together. */
export const BUNDLE_RULE: Rule = all(objectOf(BUNDLE_FIELDS), fieldsTogether);

/** The bundles to write, as [file name without extension, entry file]: `index` for `entry`. */
export function bundleEntries(
  options: Pick<BundleOptions, "entry" | "entries">,
): [name: string, file: string][] {
  if (options.entries !== undefined)
    return Object.entries(options.entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return options.entry === undefined ? [] : [["index", options.entry]];
}

/**
 * The error for an entry file that is no file in `sourcePath`, or none: checked
 * in preview (the provider's `check`) and again by the packager that bundles.
 * `name` is its key in `entries`, when it is one of those.
 */
export function missingEntry(
  sourcePath: string,
  entry: string,
  name?: string,
): LambdaPackageError | undefined {
  if (statSync(path.join(sourcePath, entry), { throwIfNoEntry: false })?.isFile()) return undefined;
  const field = name === undefined ? "bundle.entry" : `bundle.entries.${name}`;
  return new LambdaPackageError(
    "BUNDLE_ENTRY_MISSING",
    `${field} "${entry}" is not a file in ${sourcePath}. Give the handler's file ` +
      `relative to sourcePath, e.g. "src/handler.ts".`,
    { field: "bundle" },
  );
}

/** A bundle's file name: `.mjs` makes Lambda (and Node) load it as an ES module. */
export function bundleFileName(
  options: Pick<NormalizedBundleOptions, "format">,
  name = "index",
): string {
  return `${name}${options.format === "esm" ? ".mjs" : ".js"}`;
}

/** The error for the first entry of `options` that is no file in `sourcePath`, or none. */
export function missingEntries(
  sourcePath: string,
  options: Pick<BundleOptions, "entry" | "entries">,
): LambdaPackageError | undefined {
  for (const [name, file] of bundleEntries(options)) {
    const missing = missingEntry(sourcePath, file, options.entries ? name : undefined);
    if (missing) return missing;
  }
  return undefined;
}
