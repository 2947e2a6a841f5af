/**
 * Random access to the bytes of one file, for parsers that read only its
 * headers and a few small tables. Reads are synchronous: a native object
 * takes a handful of reads of a few hundred bytes each, and a thread-pool
 * round trip per read would cost more than the read itself.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `offset`: fewer at the end of the file, none past it. */
  read(offset: number, length: number): Buffer;
}

/** A file read through one window, so that neighbouring small reads cost one system call. */
export class FileSource implements ByteSource {
  /** Bytes read at a time: most objects' headers, version tables and names fit one or two. */
  static readonly WINDOW = 4096;

  readonly size: number;
  private window = Buffer.alloc(0);
  private windowAt = 0;

  private constructor(
    private readonly fd: number,
    /** Where the bytes start in the file: a range of it (an archive's entry), or 0. */
    private readonly base: number,
    size: number | undefined,
  ) {
    this.size = size ?? fstatSync(fd).size;
  }

  /**
   * Runs `use` with the file open, and closes it however `use` ends; `range`
   * makes the source `range.size` bytes from `range.offset` of the file.
   */
  static with<T>(
    file: string,
    use: (source: FileSource) => T,
    range?: { readonly offset: number; readonly size: number },
  ): T {
    const fd = openSync(file, "r");
    try {
      return use(new FileSource(fd, range?.offset ?? 0, range?.size));
    } finally {
      closeSync(fd);
    }
  }

  read(offset: number, length: number): Buffer {
    const end = Math.min(offset + length, this.size);
    if (offset >= end) return Buffer.alloc(0);
    const windowEnd = this.windowAt + this.window.length;
    if (offset < this.windowAt || end > windowEnd) {
      const size = Math.min(Math.max(end - offset, FileSource.WINDOW), this.size - offset);
      const buffer = Buffer.allocUnsafe(size);
      const got = readSync(this.fd, buffer, 0, size, this.base + offset);
      this.window = buffer.subarray(0, got);
      this.windowAt = offset;
    }
    return this.window.subarray(offset - this.windowAt, end - this.windowAt);
  }
}

/** Bytes already in memory, such as a zip entry's. */
export function bufferSource(buffer: Buffer): ByteSource {
  return {
    size: buffer.length,
    read: (offset, length) =>
      buffer.subarray(Math.min(offset, buffer.length), Math.min(offset + length, buffer.length)),
  };
}
