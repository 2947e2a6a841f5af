import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import type { StagedFile } from "./walk";

/**
 * The bytes of a staged file: the whole file, or its range of an archive a
 * packager listed. Synchronous: a build reads hundreds of manifests this way
 * in a row, and each async read is four hand-offs to libuv's thread pool
 * and back (open, stat, read, close), which took a 15,000-file build 125 ms
 * of waiting for a few milliseconds of reading.
 */
export function readStagedBytes(file: StagedFile): Buffer {
  if (file.offset === undefined) return readFileSync(file.sourceFile);
  const fd = openSync(file.sourceFile, "r");
  try {
    const bytes = Buffer.alloc(file.size);
    readSync(fd, bytes, 0, file.size, file.offset);
    return bytes;
  } finally {
    closeSync(fd);
  }
}
