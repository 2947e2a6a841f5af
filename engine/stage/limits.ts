import { LambdaPackageError } from "../../shared/errors";
import { formatBytes } from "../../shared/format";
import type { StagedFile } from "./walk";

/** Lambda's limit on a function's unzipped code (including layers): 250 MB. */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/** Rejects packages Lambda would reject, before anything is compressed or uploaded. */
export function assertWithinLimits(files: readonly StagedFile[], what: string): void {
  if (files.length === 0) {
    throw new LambdaPackageError(
      "PACKAGE_EMPTY",
      `The packager produced no files for ${what} (after excludes). ` +
        `Check that it fills $BUILD_DIR or adds files to $PACKAGE_ZIP, and that "exclude" does not drop everything.`,
    );
  }
  const total = files.reduce((sum, f) => sum + f.size, 0);
  if (total <= MAX_UNZIPPED_BYTES) return;
  const largest = [...files]
    .sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : 1))
    .slice(0, 10)
    .map((f) => `  ${formatBytes(f.size).padStart(10)}  ${f.name}`)
    .join("\n");
  throw new LambdaPackageError(
    "PACKAGE_TOO_LARGE",
    `The package for ${what} is ${formatBytes(total)} unzipped; Lambda allows at most ` +
      `${formatBytes(MAX_UNZIPPED_BYTES)} (code and layers together). ` +
      `Exclude what the function does not need or move dependencies to a layer. Largest files:\n${largest}`,
  );
}
