import { readdir, stat } from "node:fs/promises";
import { LambdaPackageError } from "./errors";

/** Checks `sourcePath` before any packager runs: it must be a directory with something in it. */
export async function assertSourceDirectory(
  sourcePath: string,
  field = "sourcePath",
): Promise<void> {
  const info = await stat(sourcePath).catch(() => undefined);
  if (!info) {
    throw new LambdaPackageError(
      "SOURCE_MISSING",
      `${field} "${sourcePath}" does not exist. Point it at the directory holding the function's code ` +
        `(relative paths are resolved from the current directory, ${process.cwd()}).`,
    );
  }
  if (!info.isDirectory()) {
    throw new LambdaPackageError(
      "SOURCE_NOT_DIRECTORY",
      `${field} "${sourcePath}" is a file, not a directory. Point it at the directory that contains it.`,
    );
  }
  if ((await readdir(sourcePath)).length === 0) {
    throw new LambdaPackageError(
      "SOURCE_EMPTY",
      `${field} "${sourcePath}" is an empty directory: there is nothing to package. ` +
        `Check the path, or build the code into it first.`,
    );
  }
}
