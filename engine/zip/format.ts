/**
 * Byte layout of zip records (APPNOTE 6.3). Every field the spec leaves to the
 * writer is fixed here, so the bytes depend only on names, contents and the
 * chosen timestamp: no extra fields but zip64, unix "version made by", modes
 * reduced to 0644/0755, DOS time from UTC.
 */

/**
 * The version of this writer's output format: bump it when a change to the
 * writer changes the bytes it writes for the same files (order, headers,
 * chunking), so builds by the old and the new writer are told apart.
 */
export const ZIP_FORMAT_VERSION = 1;

/** Record signatures, "PK" and two bytes; the writer and the central-directory reader share them. */
export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_END = 0x06054b50;
export const SIG_ZIP64_END = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
/** Header id of the zip64 extended-information extra field. */
export const EXTRA_ZIP64 = 0x0001;

/** Fixed lengths: a central header before its name, the end record before its comment, the zip64 end record and locator. */
export const CENTRAL_FIXED = 46;
export const END_FIXED = 22;
export const ZIP64_END_FIXED = 56;
export const ZIP64_LOCATOR = 20;

/** Host system in the high byte of "version made by": Unix, whose mode sits in the high 16 bits of the external attributes. */
export const HOST_UNIX = 3;

/** Sizes and offsets from this value up need zip64 fields. */
export const MAX32 = 0xffffffff;
/** Entry counts from this value up need the zip64 end records. */
export const MAX16 = 0xffff;

/** Unix (3) in the high byte; spec version 4.5, which covers zip64. */
const VERSION_MADE_BY = (HOST_UNIX << 8) | 45;
/** General-purpose flag bit 11: the name is UTF-8 (else CP437). */
export const FLAG_UTF8 = 1 << 11;
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

/** What the central directory needs to know about one written entry. */
export interface EntryRecord {
  readonly name: Buffer;
  readonly executable: boolean;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the local header in the zip. */
  readonly offset: number;
}

export type DosTime = { readonly date: number; readonly time: number };

/** DOS date and time of `seconds` since the epoch, in UTC, clamped to 1980-2107. */
export function dosDateTime(seconds: number): DosTime {
  const min = Date.UTC(1980, 0, 1) / 1000;
  const max = Date.UTC(2107, 11, 31, 23, 59, 58) / 1000;
  const d = new Date(Math.min(Math.max(Math.floor(seconds), min), max) * 1000);
  return {
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

/**
 * Whether an entry of `size` bytes gets zip64 sizes in its local header. The
 * header is written before the compressed size is known, so this is decided
 * from the size alone with room for deflate's worst-case growth.
 */
export function needsZip64Sizes(size: number): boolean {
  return size + Math.floor(size / 1024) + 1024 >= MAX32;
}

function isAscii(name: Buffer): boolean {
  for (let i = 0; i < name.length; i++) if (name[i] >= 0x80) return false;
  return true;
}

function versionNeeded(method: number, zip64: boolean): number {
  if (zip64) return 45;
  return method === METHOD_DEFLATED ? 20 : 10;
}

/** Length of the local header of an entry; it depends only on the name and the size. */
export function localHeaderLength(name: Buffer, size: number): number {
  return 30 + name.length + (needsZip64Sizes(size) ? 20 : 0);
}

/** Writes the local file header of `entry` into `b` at `at`; returns its length. */
export function writeLocalHeader(
  b: Buffer,
  at: number,
  entry: Omit<EntryRecord, "offset">,
  dos: DosTime,
): number {
  const zip64 = needsZip64Sizes(entry.size);
  const length = localHeaderLength(entry.name, entry.size);
  b.writeUInt32LE(SIG_LOCAL, at);
  b.writeUInt16LE(versionNeeded(entry.method, zip64), at + 4);
  b.writeUInt16LE(isAscii(entry.name) ? 0 : FLAG_UTF8, at + 6);
  b.writeUInt16LE(entry.method, at + 8);
  b.writeUInt16LE(dos.time, at + 10);
  b.writeUInt16LE(dos.date, at + 12);
  b.writeUInt32LE(entry.crc, at + 14);
  b.writeUInt32LE(zip64 ? MAX32 : entry.compressedSize, at + 18);
  b.writeUInt32LE(zip64 ? MAX32 : entry.size, at + 22);
  b.writeUInt16LE(entry.name.length, at + 26);
  b.writeUInt16LE(zip64 ? 20 : 0, at + 28);
  entry.name.copy(b, at + 30);
  if (zip64) {
    // The spec wants both sizes in a local zip64 field.
    const x = at + 30 + entry.name.length;
    b.writeUInt16LE(EXTRA_ZIP64, x);
    b.writeUInt16LE(16, x + 2);
    b.writeBigUInt64LE(BigInt(entry.size), x + 4);
    b.writeBigUInt64LE(BigInt(entry.compressedSize), x + 12);
  }
  return length;
}

/**
 * Which values of an entry go to a zip64 field of its central header. Sizes
 * go exactly when the local header put them there, so the two headers always
 * agree; the offset only when it does not fit.
 */
function central64(entry: EntryRecord): { sizes: boolean; offset: boolean; extra: number } {
  const sizes = needsZip64Sizes(entry.size);
  const offset = entry.offset >= MAX32;
  const fields = (sizes ? 2 : 0) + (offset ? 1 : 0);
  return { sizes, offset, extra: fields > 0 ? 4 + 8 * fields : 0 };
}

/** Length of the central directory header of `entry`. */
export function centralHeaderLength(entry: EntryRecord): number {
  return CENTRAL_FIXED + entry.name.length + central64(entry).extra;
}

/** Writes the central directory header of `entry` into `b` at `at`; returns its length. */
export function writeCentralHeader(
  b: Buffer,
  at: number,
  entry: EntryRecord,
  dos: DosTime,
): number {
  const zip64 = central64(entry);
  const length = CENTRAL_FIXED + entry.name.length + zip64.extra;
  b.fill(0, at, at + CENTRAL_FIXED);
  b.writeUInt32LE(SIG_CENTRAL, at);
  b.writeUInt16LE(VERSION_MADE_BY, at + 4);
  b.writeUInt16LE(versionNeeded(entry.method, zip64.extra > 0), at + 6);
  b.writeUInt16LE(isAscii(entry.name) ? 0 : FLAG_UTF8, at + 8);
  b.writeUInt16LE(entry.method, at + 10);
  b.writeUInt16LE(dos.time, at + 12);
  b.writeUInt16LE(dos.date, at + 14);
  b.writeUInt32LE(entry.crc, at + 16);
  b.writeUInt32LE(zip64.sizes ? MAX32 : entry.compressedSize, at + 20);
  b.writeUInt32LE(zip64.sizes ? MAX32 : entry.size, at + 24);
  b.writeUInt16LE(entry.name.length, at + 28);
  b.writeUInt16LE(zip64.extra, at + 30);
  // comment length, disk number, internal attributes (32-37): zero
  b.writeUInt32LE(((entry.executable ? 0o100755 : 0o100644) << 16) >>> 0, at + 38);
  b.writeUInt32LE(zip64.offset ? MAX32 : entry.offset, at + 42);
  entry.name.copy(b, at + CENTRAL_FIXED);
  if (zip64.extra > 0) {
    let x = at + CENTRAL_FIXED + entry.name.length;
    b.writeUInt16LE(EXTRA_ZIP64, x);
    b.writeUInt16LE(zip64.extra - 4, x + 2);
    x += 4;
    if (zip64.sizes) {
      b.writeBigUInt64LE(BigInt(entry.size), x);
      b.writeBigUInt64LE(BigInt(entry.compressedSize), x + 8);
      x += 16;
    }
    if (zip64.offset) b.writeBigUInt64LE(BigInt(entry.offset), x);
  }
  return length;
}

/**
 * The end records after a central directory of `count` entries, `size` bytes
 * long, starting at `offset`; zip64 end records are added only when a value
 * does not fit the classic one.
 */
export function endRecords(count: number, size: number, offset: number): Buffer {
  const zip64 = count >= MAX16 || size >= MAX32 || offset >= MAX32;
  const end = Buffer.alloc(END_FIXED);
  end.writeUInt32LE(SIG_END, 0);
  end.writeUInt16LE(Math.min(count, MAX16), 8);
  end.writeUInt16LE(Math.min(count, MAX16), 10);
  end.writeUInt32LE(Math.min(size, MAX32), 12);
  end.writeUInt32LE(Math.min(offset, MAX32), 16);
  if (!zip64) return end;

  const record = Buffer.alloc(ZIP64_END_FIXED + ZIP64_LOCATOR);
  record.writeUInt32LE(SIG_ZIP64_END, 0);
  record.writeBigUInt64LE(44n, 4); // size of the rest of the record
  record.writeUInt16LE(VERSION_MADE_BY, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(size), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  // locator: the zip64 end record starts right where the central directory ends
  record.writeUInt32LE(SIG_ZIP64_LOCATOR, ZIP64_END_FIXED);
  record.writeBigUInt64LE(BigInt(offset + size), ZIP64_END_FIXED + 8);
  record.writeUInt32LE(1, ZIP64_END_FIXED + 16);
  return Buffer.concat([record, end]);
}
