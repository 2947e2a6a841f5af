import fs from "node:fs";
import { stat } from "node:fs/promises";
import { promisify } from "node:util";
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
  let opened: { fd: number; size: number };
  try {
    opened = await openRegularFile(name);
  } catch (error) {
    throw new LambdaPackageError(
      "ZIP_NOT_A_ZIP",
      `Cannot read ${name}: ${(error as Error).message}. Give the path of a zip file.`,
      { cause: error },
    );
  }
  const { fd, size } = opened;
  return {
    name,
    size,
    async read(offset, length) {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await readFd(fd, buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    },
    close: () => closeFd(fd),
  };
}

const openFd = promisify(fs.open);
const fstatFd = promisify(fs.fstat);
const readFd = promisify(fs.read);
const closeFd = promisify(fs.close);

/**
 * Opens `file` for reading only when it is a regular file (a link to one is
 * followed); a FIFO, device, socket or directory is refused with an Error
 * saying which it is. It is looked at before it is opened, and opened with
 * O_NONBLOCK and looked at again, so a FIFO put in its place in between
 * cannot make the open wait forever for a writer. `size` is the real size,
 * which bounds what a zip in it may claim. A plain fd rather than a
 * FileHandle, as yauzl closes the fd it is given.
 */
export async function openRegularFile(file: string): Promise<{ fd: number; size: number }> {
  const before = await stat(file);
  if (!before.isFile()) throw new Error(`it is ${kindOf(before)}, not a regular file`);
  const fd = await openFd(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const info = await fstatFd(fd);
    if (!info.isFile()) throw new Error(`it is ${kindOf(info)}, not a regular file`);
    return { fd, size: info.size };
  } catch (error) {
    await closeFd(fd);
    throw error;
  }
}

function kindOf(info: fs.Stats): string {
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isDirectory()) return "a directory";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return "of another kind";
}
