/**
 * A build's identity: a digest of everything that shapes the bytes of a
 * package besides the source's content, which the caller stands for with its
 * own key (the provider's `sourceKey`). Two builds with the same identity and
 * the same source produce the same package, so a package built once can be
 * used for the other: the build cache's key is made from this.
 *
 * In it: the normalized value of every option that shapes the package (the
 * option table says which: all but `packagerTimeout`), the entries'
 * timestamp (`SOURCE_DATE_EPOCH`), the packager's own
 * files (a built-in's script, its lib/, the compiled engine code the
 * built-ins run, this library's and esbuild's versions; a user's script; or every file of
 * `packagersDir`), and the zip writer's format version. Not in it: the
 * environment of the process (put what shapes a package in `packagerEnv`),
 * credentials, the tools found on the machine (pip, npm, pnpm, yarn: a
 * pinned `packageManager` is in the source), and the zlib of Node.js, which
 * changes how well files compress, never which files and bytes the package
 * holds.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import {
  normalizeBuildOptions,
  PACKAGE_OPTIONS,
  type OptionSpec,
  type PackageOptions,
} from "./options";
import { builtinPackagersDir, resolvePackager } from "./packager";
import { ZIP_FORMAT_VERSION } from "./zip/format";

/**
 * The engine code the built-in packagers run besides their scripts: the
 * nodejs packagers' install and bundling, the python packagers' lockfile
 * reading and install plan. Compiled beside this file.
 */
const BUILTIN_HELPERS = ["nodejs", "python", "bundle"] as const;

/** Hex SHA-256 of the build's identity; see the module's doc for what goes in. */
export function buildIdentity(options: PackageOptions): string {
  const hash = createHash("sha256");
  for (const [name, value] of identityParts(options)) hash.update(`${name}\n${value}\n`);
  return hash.digest("hex");
}

/** What the identity digests, by name: the shaping options, then the packager's files. */
export function identityParts(options: PackageOptions): [string, string][] {
  const normalized = normalizeBuildOptions(options) as unknown as Record<string, unknown>;
  const shaping = Object.entries(PACKAGE_OPTIONS as Record<string, OptionSpec>)
    .filter(([, spec]) => spec.shapes)
    .map(([name]) => [name, normalized[name]] as const);
  const settings = { format: ZIP_FORMAT_VERSION, options: canonical(Object.fromEntries(shaping)) };
  return [["settings", JSON.stringify(settings)], ...packagerFiles(options)];
}

/** The files whose content is the packager, by a name that does not depend on where they are. */
function packagerFiles(options: PackageOptions): [string, string][] {
  const script = resolvePackager(options);
  const builtin = path.dirname(script) === builtinPackagersDir;
  if (builtin) {
    let files = builtinParts.get(script);
    if (files === undefined) builtinParts.set(script, (files = builtinFiles(script)));
    return files;
  }
  // Without knowing what a user's script sources, everything beside it in packagersDir counts.
  if (options.packager === undefined && options.packagersDir !== undefined) {
    return tree(path.resolve(options.packagersDir), "packagersDir");
  }
  return [["packager", digestOf(script)]];
}

/**
 * The built-in packagers' parts by script, hashed once per process: they are this library's
 * own installed files, which the running code was loaded from, so they do not change under
 * it. A user's packager is hashed at every call: it may be edited between two.
 */
const builtinParts = new Map<string, [string, string][]>();

function builtinFiles(script: string): [string, string][] {
  const lib = path.join(builtinPackagersDir, "lib");
  return [
    [`builtin/${path.basename(script)}`, digestOf(script)],
    ...tree(lib, "builtin/lib"),
    ...BUILTIN_HELPERS.flatMap((dir) =>
      tree(path.join(__dirname, dir), `engine/${dir}`).filter(([name]) => name.endsWith(".js")),
    ),
    // What the helpers import from elsewhere in the library changes with its version.
    ["lambda-package", versionOf(path.join(builtinPackagersDir, "..", "package.json"))],
    ["esbuild", versionOf(require.resolve("esbuild/package.json"))],
  ];
}

function tree(dir: string, label: string): [string, string][] {
  const files: [string, string][] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    const info = statSync(file);
    if (info.isDirectory()) files.push(...tree(file, `${label}/${name}`));
    else if (info.isFile()) files.push([`${label}/${name}`, digestOf(file)]);
  }
  return files;
}

/** A package's version, from its package.json. */
function versionOf(manifest: string): string {
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

function digestOf(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** JSON with object keys sorted, so the same values always give the same text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
