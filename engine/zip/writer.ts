import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { LambdaPackageError } from "../../shared/errors";
import { fileOutcome } from "./compress";
import { crc32Combine } from "./crc32";
import {
  centralHeaderLength,
  END_FIXED,
  endRecords,
  localHeaderLength,
  METHOD_DEFLATED,
  METHOD_STORED,
  writeCentralHeader,
  writeLocalHeader,
  type DosTime,
  type EntryRecord,
} from "./format";
import type { ListedEntry, ZipListing } from "../listing";
import type { ChunkJob, PlannedEntry } from "./plan";

/** The big file whose chunks are being written: its header is written after its last chunk. */
interface OpenEntry {
  readonly headerOffset: number;
  crc: number;
  compressedSize: number;
}

/** Central directory records are packed into blocks this large, not one buffer per entry. */
const CENTRAL_BLOCK = 256 * 1024;
/** Read buffer for hashing a big file's entry back from the zip once its header is written. */
const HASH_READ = 1024 * 1024;

/**
 * Appends entries to the zip in the order it is given them and gathers the
 * central directory for `finish`. Writes are positional, so a big file's
 * local header can be filled in once its CRC and size are known: no data
 * descriptors.
 *
 * It hashes the zip (SHA-256) as it goes, so the finished zip is not read
 * again: bytes are hashed as they are written, in file order, except a big
 * file's entry, whose header is written last; that entry is read back from
 * the zip once complete, while the other threads are still compressing.
 */
export class ZipWriter {
  private offset = 0;
  private readonly hash = createHash("sha256");
  /** The zip's first `hashed` bytes are in `hash`. */
  private hashed = 0;
  private count = 0;
  private readonly central: Buffer[] = [];
  private readonly listed: ListedEntry[] = [];
  private block = Buffer.allocUnsafe(CENTRAL_BLOCK);
  private used = 0;
  private open?: OpenEntry;

  constructor(
    private readonly handle: FileHandle,
    private readonly dos: DosTime,
  ) {}

  /** Writes whole small files, given their compressed bytes back to back and their outcome table. */
  async writeFiles(entries: readonly PlannedEntry[], table: Uint32Array, data: Buffer) {
    const records: EntryRecord[] = [];
    let offset = this.offset;
    for (let i = 0; i < entries.length; i++) {
      const record = { ...this.base(entries[i]), ...fileOutcome(table, i), offset };
      records.push(record);
      offset += localHeaderLength(record.name, record.size) + record.compressedSize;
    }
    const headers = Buffer.allocUnsafe(offset - this.offset - data.length);
    const buffers: Buffer[] = [];
    let at = 0;
    let from = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const length = writeLocalHeader(headers, at, record, this.dos);
      buffers.push(
        headers.subarray(at, at + length),
        data.subarray(from, from + record.compressedSize),
      );
      at += length;
      from += record.compressedSize;
      this.addCentral(record, entries[i].displayName);
    }
    await this.writev(buffers, this.offset);
    this.hashWritten(buffers, this.offset);
    this.offset = offset;
  }

  /** Writes one chunk of a big file; the chunks come in order. */
  async writeChunk(entry: PlannedEntry, job: ChunkJob, data: Buffer, crc: number) {
    if (job.offset === 0) {
      this.open = { headerOffset: this.offset, crc, compressedSize: 0 };
      this.offset += localHeaderLength(entry.name, entry.size);
    } else {
      this.open!.crc = crc32Combine(this.open!.crc, crc, job.length);
    }
    const open = this.open!;
    await this.writev([data], this.offset);
    this.offset += data.length;
    open.compressedSize += data.length;
    if (!job.last) return;
    const record: EntryRecord = {
      ...this.base(entry),
      method: job.level === 0 ? METHOD_STORED : METHOD_DEFLATED,
      crc: open.crc,
      compressedSize: open.compressedSize,
      offset: open.headerOffset,
    };
    const header = Buffer.allocUnsafe(localHeaderLength(entry.name, entry.size));
    writeLocalHeader(header, 0, record, this.dos);
    await this.writev([header], open.headerOffset);
    this.addCentral(record, entry.displayName);
    this.open = undefined;
    await this.hashBack();
  }

  /**
   * Writes the central directory and end records; returns the size of the
   * zip, its SHA-256 and its listing: the central directory as
   * `readCentralDirectory` (engine/listing) reads it back from the zip, so a
   * build's contents report needs no second read and parse of 15,000 headers.
   */
  async finish(): Promise<{ size: number; sha256: Buffer; listing: ZipListing }> {
    const start = this.offset;
    const blocks = [...this.central, this.block.subarray(0, this.used)];
    const size = blocks.reduce((sum, b) => sum + b.length, 0);
    const end = endRecords(this.count, size, start);
    blocks.push(end);
    for (const block of blocks) {
      await this.writev([block], this.offset);
      this.hashWritten([block], this.offset);
      this.offset += block.length;
    }
    const listing = { entries: this.listed, comment: "", zip64: end.length > END_FIXED };
    return { size: this.offset, sha256: this.hash.digest(), listing };
  }

  /**
   * Writes all of `buffers` at `position`. A short write (a full disk) is
   * an error here, never a zip shorter than its hash says.
   */
  private async writev(buffers: Buffer[], position: number): Promise<void> {
    const wanted = buffers.reduce((sum, b) => sum + b.length, 0);
    const { bytesWritten } = await this.handle.writev(buffers, position);
    if (bytesWritten !== wanted) {
      throw new LambdaPackageError(
        "ZIP_WRITE_FAILED",
        `Wrote only ${bytesWritten} of ${wanted} bytes at offset ${position} of the zip. ` +
          "Check that its disk has free space.",
      );
    }
  }

  /** Hashes what was just written at `position`: everything before it is hashed, no entry is open. */
  private hashWritten(buffers: readonly Buffer[], position: number): void {
    if (this.open || position !== this.hashed) return;
    for (const b of buffers) this.hash.update(b);
    this.hashed += buffers.reduce((sum, b) => sum + b.length, 0);
  }

  /** Hashes the zip from `hashed` to `offset` as it is on disk: a big file's finished entry. */
  private async hashBack(): Promise<void> {
    const buffer = Buffer.allocUnsafe(Math.min(HASH_READ, this.offset - this.hashed));
    while (this.hashed < this.offset) {
      const length = Math.min(buffer.length, this.offset - this.hashed);
      const { bytesRead } = await this.handle.read(buffer, 0, length, this.hashed);
      if (bytesRead === 0) {
        throw new LambdaPackageError(
          "ZIP_WRITE_FAILED",
          `The zip ends at ${this.hashed} bytes, before the ${this.offset} written to it.`,
        );
      }
      this.hash.update(buffer.subarray(0, bytesRead));
      this.hashed += bytesRead;
    }
  }

  private addCentral(record: EntryRecord, name: string): void {
    const mode = record.executable ? 0o100755 : 0o100644;
    this.listed.push({
      name,
      crc32: record.crc,
      size: record.size,
      compressedSize: record.compressedSize,
      method: record.method,
      mode,
      executable: record.executable,
      directory: false,
      offset: record.offset,
    });
    const length = centralHeaderLength(record);
    if (this.used + length > this.block.length) {
      this.central.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafe(Math.max(CENTRAL_BLOCK, length));
      this.used = 0;
    }
    this.used += writeCentralHeader(this.block, this.used, record, this.dos);
    this.count++;
  }

  private base(entry: PlannedEntry) {
    return { name: entry.name, executable: entry.executable, size: entry.size };
  }
}
