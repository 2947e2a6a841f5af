/**
 * The third-party packages a zip holds, found in what it holds: each
 * `node_modules/…/package.json` of an installed npm package, each
 * `*.dist-info/METADATA` of an installed Python distribution, and the npm
 * packages a bundle inlined (from the files esbuild read, which the bundle
 * helper lists in the work dir, with the versions from their `package.json`).
 * Reading the zip's own contents, not a lockfile, is what makes the list
 * exactly the packages the zip holds, whichever packager put them there.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { StagedFile } from "../stage";
import { readStagedBytes } from "../stage/bytes";

/** One third-party package the zip holds. */
export interface FoundPackage {
  readonly ecosystem: "npm" | "pypi";
  /** As its manifest spells it: `@scope/name` for npm, the distribution's `Name` for Python. */
  readonly name: string;
  readonly version: string;
  /**
   * Where it is: its directory in the zip; for a package a bundle inlined, where it was
   * installed (`node_modules/…`), from the first `node_modules` on.
   */
  readonly where: string;
  /** Whether a bundle inlined it (its code is in the bundle, not in files of its own). */
  readonly inlined: boolean;
  /** Hex digests of the package's archive (the npm tarball, the wheel), when known. */
  readonly hashes: Readonly<Partial<Record<"SHA-256" | "SHA-512", string>>>;
  /** What else identifies the installed copy, as CycloneDX properties. */
  readonly properties: Readonly<Record<string, string>>;
}

/** The property holding the SHA-256 (hex) of an installed distribution's `RECORD`. */
export const RECORD_PROPERTY = "lambda-package:python:record-sha256";

/** `node_modules/a/package.json`, `nodejs/node_modules/@s/b/package.json`: a package's root manifest. */
const NPM_MANIFEST = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/@.][^/]*)\/package\.json$/;
/** `requests-2.32.3.dist-info/METADATA`, also under `python/` in a layer. */
const PYTHON_METADATA = /(?:^|\/)[^/]+\.dist-info\/METADATA$/;

/** The npm packages and Python distributions installed in `files`. */
export function installedPackages(files: readonly StagedFile[]): FoundPackage[] {
  const found: FoundPackage[] = [];
  for (const file of files) {
    if (NPM_MANIFEST.test(file.name)) {
      const pkg = npmPackage(JSON.parse(readStagedBytes(file).toString("utf8")));
      if (pkg)
        found.push({
          ...pkg,
          where: path.posix.dirname(file.name),
          inlined: false,
          hashes: {},
          properties: {},
        });
    } else if (PYTHON_METADATA.test(file.name)) {
      const dist = pythonDistribution(readStagedBytes(file).toString("utf8"));
      if (!dist) continue;
      const dir = path.posix.dirname(file.name);
      const record = files.find((f) => f.name === `${dir}/RECORD`);
      const properties: Record<string, string> = {};
      // RECORD lists the sha256 of every file the distribution installed: its hash pins them all.
      if (record) properties[RECORD_PROPERTY] = sha256(readStagedBytes(record));
      found.push({
        ecosystem: "pypi",
        ...dist,
        where: dir,
        inlined: false,
        hashes: {},
        properties,
      });
    }
  }
  return found;
}

/**
 * The npm packages whose files esbuild read (`reads`: absolute real paths), so
 * the bundle holds their code: a file under `…/node_modules/<name>/` belongs
 * to the package whose root is that directory. Files outside any
 * `node_modules` are the project's own code, not a third party's.
 */
export function inlinedPackages(reads: readonly string[]): FoundPackage[] {
  const roots = new Set<string>();
  for (const file of reads) {
    const root = packageRoot(file);
    if (root) roots.add(root);
  }
  const found: FoundPackage[] = [];
  for (const root of [...roots].sort()) {
    const manifest = path.join(root, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = npmPackage(JSON.parse(readFileSync(manifest, "utf8")));
    if (pkg)
      found.push({ ...pkg, where: installedPath(root), inlined: true, hashes: {}, properties: {} });
  }
  return found;
}

/** The package root of a file under `node_modules`: `…/node_modules/(@scope/)name`. */
export function packageRoot(file: string): string | undefined {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0 || at + 1 >= parts.length - 1) return undefined;
  const scoped = parts[at + 1].startsWith("@");
  const end = at + (scoped ? 3 : 2);
  // The file itself is not a package root (node_modules/x.js).
  if (end > parts.length - 1) return undefined;
  return parts.slice(0, end).join(path.sep);
}

/**
 * Where an installed package sits, from the first `node_modules` on: the
 * path npm, pnpm or yarn gave it (`node_modules/a/node_modules/b`,
 * `node_modules/.pnpm/b@1.0.0/node_modules/b`), one per installed copy.
 */
export function installedPath(root: string): string {
  const parts = root.split(path.sep);
  return parts.slice(parts.indexOf("node_modules")).join("/");
}

/** An npm package's name and version from its parsed `package.json`; none without both. */
function npmPackage(
  manifest: unknown,
): { ecosystem: "npm"; name: string; version: string } | undefined {
  const { name, version } = (manifest ?? {}) as { name?: unknown; version?: unknown };
  if (typeof name !== "string" || typeof version !== "string" || !name || !version)
    return undefined;
  return { ecosystem: "npm", name, version };
}

/** `Name` and `Version` from the headers of a distribution's METADATA (before the first blank line). */
export function pythonDistribution(
  metadata: string,
): { name: string; version: string } | undefined {
  const headers = metadata.split(/\r?\n\r?\n/, 1)[0];
  const field = (key: string) =>
    new RegExp(`^${key}:[ \\t]*(.+?)[ \\t]*$`, "mi").exec(headers)?.[1];
  const name = field("Name");
  const version = field("Version");
  return name && version ? { name, version } : undefined;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
