import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { LambdaPackageError } from "../../shared/errors";

/** Opens the zip for writing, truncating it; a failure says which path and what to check. */
export function createZipFile(outFile: string): Promise<FileHandle> {
  return open(outFile, "w").catch((error: Error) => {
    throw new LambdaPackageError(
      "ZIP_WRITE_FAILED",
      `Cannot create the zip ${outFile}: ${error.message}. Check that its directory exists and is writable.`,
      { cause: error },
    );
  });
}

/** SHA-256 of a file, read through one reused buffer: no garbage however big the zip. */
export async function hashFile(file: string): Promise<Buffer> {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const handle = await open(file, "r");
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return hash.digest();
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}
