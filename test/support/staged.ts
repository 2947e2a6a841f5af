import { open, readFile } from "node:fs/promises";
import type { StagedFile } from "../../engine/stage";

/** The bytes a staged file puts into the package: the whole file, or its range of an archive. */
export async function stagedBytes(file: StagedFile): Promise<Buffer> {
  if (file.offset === undefined) return readFile(file.sourceFile);
  const handle = await open(file.sourceFile, "r");
  try {
    const buffer = Buffer.alloc(file.size);
    await handle.read(buffer, 0, file.size, file.offset);
    return buffer;
  } finally {
    await handle.close();
  }
}
