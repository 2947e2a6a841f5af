import type { NormalizedBuildOptions } from "../options";
import { runPackager } from "../packager";
import type { Preflight } from "../preflight";
import { excludeMatcher } from "./exclude";
import { assertWithinLimits } from "./limits";
import { extractPackageZip } from "./package-zip";
import { collectFiles, type StagedFile } from "./walk";

export type { StagedFile } from "./walk";

/**
 * The first half of a build: runs the packager in `workDir`, takes what it
 * added to $PACKAGE_ZIP into the staged tree, and lists the files that go
 * into the zip (excludes applied, symlinks checked, Lambda's size limit
 * enforced). The second half, `writeZip`, only reads the files listed.
 */
export async function stage(
  options: NormalizedBuildOptions,
  packager: Preflight,
  workDir: string,
): Promise<StagedFile[]> {
  const log = options.log ?? (() => {});
  options.onProgress?.({ phase: "packaging", files: 0, totalFiles: 0, bytes: 0, totalBytes: 0 });
  const { buildDir, packageZip } = await runPackager({
    ...options,
    ...packager,
    workDir,
    log,
  });
  const extracted = await extractPackageZip(packageZip, buildDir);
  if (extracted > 0) log(`lambda-package: took ${extracted} entries from $PACKAGE_ZIP`);
  const files = await collectFiles(
    buildDir,
    excludeMatcher(options.exclude),
    [packager.sourcePath],
    packager.sourcePath,
  );
  assertWithinLimits(files, packager.sourcePath);
  return files;
}
