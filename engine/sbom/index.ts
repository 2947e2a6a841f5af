/**
 * A software bill of materials for every package: a CycloneDX document
 * listing each third-party package the zip holds (engine/sbom/components),
 * with the archive hashes its lockfile pins (engine/sbom/hashes), built by
 * the CycloneDX library (engine/sbom/document). Scanners that read a zip's
 * manifests see nothing of what a bundle inlined; this document lists it.
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

export {
  sbomDocument,
  purlOf,
  serialNumberOf,
  INLINED_PROPERTY,
  LOCATION_PROPERTY,
  SBOM_SPEC,
} from "./document";
export { RECORD_PROPERTY, type FoundPackage } from "./components";
export { manifestStubs } from "./stubs";

/** The third-party packages of a build: installed in `files`, and inlined by its bundle. */
export async function packagesOf(
  files: readonly StagedFile[],
  options: NormalizedBuildOptions,
  runtime: string,
  workDir: string,
): Promise<FoundPackage[]> {
  const installed = await installedPackages(files);
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
