import { open } from "node:fs/promises";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";

/**
 * Bytes that can be read at any offset without reading the rest: a local
 * file, or an S3 object through ranged GETs (`provider/s3/ranged.ts`). The
 * central-directory reader asks for the tail and the directory, nothing else.
 */
export interface RangedSource {
  /** What to call it in messages: a path or an `s3://` URI. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * `length` bytes from `offset`; both within `size`. A source may return
   * fewer only when the object changed underneath, which the reader reports.
   */
  read(offset: number, length: number): Promise<Buffer>;
}

/** A local file as a ranged source; `close` it when done. */
export interface FileSource extends RangedSource {
  close(): Promise<void>;
}

/** Opens `file` for ranged reads; a file that cannot be opened is ZIP_NOT_A_ZIP naming it. */
export async function openFileSource(file: string): Promise<FileSource> {
  const name = path.resolve(file);
  let handle;
  let size: number;
  try {
    handle = await open(name, "r");
    const info = await handle.stat();
    if (!info.isFile()) throw new Error("it is not a regular file");
    size = info.size;
  } catch (error) {
    await handle?.close();
    throw new LambdaPackageError(
      "ZIP_NOT_A_ZIP",
      `Cannot read ${name}: ${(error as Error).message}. Give the path of a zip file.`,
      { cause: error },
    );
  }
  const opened = handle;
  return {
    name,
    size,
    async read(offset, length) {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await opened.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    },
    close: () => opened.close(),
  };
}
