import { open, type FileHandle } from "node:fs/promises";
import { LambdaPackageError } from "../../shared/errors";

/**
 * Opens the zip for writing, truncating it, and for reading: the writer reads
 * back a big file's entry to hash it. A failure says which path and what to check.
 */
export function createZipFile(outFile: string): Promise<FileHandle> {
  return open(outFile, "w+").catch((error: Error) => {
    throw new LambdaPackageError(
      "ZIP_WRITE_FAILED",
      `Cannot create the zip ${outFile}: ${error.message}. Check that its directory exists and is writable.`,
      { cause: error },
    );
  });
}
