import { open, readFile } from "node:fs/promises";
import type { StagedFile } from "./walk";

/** The bytes of a staged file: the whole file, or its range of an archive a packager listed. */
export async function readStagedBytes(file: StagedFile): Promise<Buffer> {
  if (file.offset === undefined) return readFile(file.sourceFile);
  const handle = await open(file.sourceFile, "r");
  try {
    const bytes = Buffer.alloc(file.size);
    await handle.read(bytes, 0, file.size, file.offset);
    return bytes;
  } finally {
    await handle.close();
  }
}
