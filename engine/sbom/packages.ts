/**
 * The third-party packages a build's files hold (engine/sbom/components),
 * with the archive hashes their lockfiles pin (engine/sbom/hashes). Apart
 * from the document (engine/sbom/document) so that a build can find them
 * before its zip without loading the CycloneDX library, which it loads
 * while the zip is being written.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { NormalizedBuildOptions } from "../options";
import { BUNDLE_READS_FILE } from "../bundle/options";
import type { StagedFile } from "../stage";
import { inlinedPackages, installedPackages, type FoundPackage } from "./components";
import { npmLockHashes, pythonLockHashes } from "./hashes";
import { normalizeName } from "../python/requirement";

type Hashes = FoundPackage["hashes"];

/** The third-party packages of a build: installed in `files`, and inlined by its bundle. */
export function packagesOf(
  files: readonly StagedFile[],
  options: NormalizedBuildOptions,
  runtime: string,
  workDir: string,
): FoundPackage[] {
  const installed = installedPackages(files);
  const inlined = inlinedPackages(bundleReads(workDir));
  const npm = installed.some((p) => p.ecosystem === "npm") || inlined.length > 0;
  const npmHashes = npm
    ? npmLockHashes(path.resolve(options.sourcePath))
    : new Map<string, Hashes>();
  const python = installed.some((p) => p.ecosystem === "pypi");
  const pythonHashes = python ? pythonLockHashes(options, runtime) : new Map<string, Hashes>();
  return [...installed, ...inlined].map((pkg) => {
    const hashes =
      pkg.ecosystem === "npm"
        ? npmHashes.get(`${pkg.name}@${pkg.version}`)
        : pythonHashes.get(`${normalizeName(pkg.name)}==${pkg.version}`);
    return hashes ? { ...pkg, hashes: { ...hashes, ...pkg.hashes } } : pkg;
  });
}

/** The files esbuild read, as the bundle helper listed them; none without a bundle. */
function bundleReads(workDir: string): string[] {
  const file = path.join(workDir, BUNDLE_READS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as string[]) : [];
}
