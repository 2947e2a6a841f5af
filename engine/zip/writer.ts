import type { FileHandle } from "node:fs/promises";
import { fileOutcome } from "./compress";
import { crc32Combine } from "./crc32";
import {
  centralHeaderLength,
  endRecords,
  localHeaderLength,
  METHOD_DEFLATED,
  METHOD_STORED,
  writeCentralHeader,
  writeLocalHeader,
  type DosTime,
  type EntryRecord,
} from "./format";
import type { ChunkJob, PlannedEntry } from "./plan";

/** The big file whose chunks are being written: its header is written after its last chunk. */
interface OpenEntry {
  readonly headerOffset: number;
  crc: number;
  compressedSize: number;
}

/** Central directory records are packed into blocks this large, not one buffer per entry. */
const CENTRAL_BLOCK = 256 * 1024;

/**
 * Appends entries to the zip in the order it is given them and gathers the
 * central directory for `finish`. Writes are positional, so a big file's
 * local header can be filled in once its CRC and size are known: no data
 * descriptors.
 */
export class ZipWriter {
  private offset = 0;
  private count = 0;
  private readonly central: Buffer[] = [];
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
    for (const record of records) {
      const length = writeLocalHeader(headers, at, record, this.dos);
      buffers.push(
        headers.subarray(at, at + length),
        data.subarray(from, from + record.compressedSize),
      );
      at += length;
      from += record.compressedSize;
      this.addCentral(record);
    }
    await this.handle.writev(buffers, this.offset);
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
    await this.handle.write(data, 0, data.length, this.offset);
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
    await this.handle.write(header, 0, header.length, open.headerOffset);
    this.addCentral(record);
    this.open = undefined;
  }

  /** Writes the central directory and end records; returns the size of the zip. */
  async finish(): Promise<number> {
    const start = this.offset;
    const blocks = [...this.central, this.block.subarray(0, this.used)];
    const size = blocks.reduce((sum, b) => sum + b.length, 0);
    blocks.push(endRecords(this.count, size, start));
    for (const block of blocks) {
      await this.handle.write(block, 0, block.length, this.offset);
      this.offset += block.length;
    }
    return this.offset;
  }

  private addCentral(record: EntryRecord): void {
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
