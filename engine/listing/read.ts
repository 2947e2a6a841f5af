import { LambdaPackageError } from "../../shared/errors";
import { escapeText, formatBytes } from "../../shared/format";
import {
  CENTRAL_FIXED,
  END_FIXED,
  EXTRA_ZIP64,
  HOST_UNIX,
  MAX16,
  MAX32,
  SIG_CENTRAL,
  SIG_END,
  SIG_ZIP64_END,
  SIG_ZIP64_LOCATOR,
  ZIP64_END_FIXED,
  ZIP64_LOCATOR,
} from "../zip/format";
import { decodeCp437, entryName } from "./names";
import type { RangedSource } from "./source";

/** One entry of a zip as its central directory describes it. */
export interface ListedEntry {
  /** Path inside the zip, forward slashes; directories end in `/`. */
  readonly name: string;
  /** CRC-32 of the uncompressed bytes. */
  readonly crc32: number;
  /** Uncompressed size in bytes. */
  readonly size: number;
  /** Stored (compressed) size in bytes. */
  readonly compressedSize: number;
  /** Compression method: 0 stored, 8 deflated. */
  readonly method: number;
  /**
   * Unix mode, type and permission bits (e.g. `0o100644`), when the zip was
   * made on Unix and recorded one; undefined otherwise (Windows tools).
   */
  readonly mode?: number;
  /** Whether any execute bit of `mode` is set. */
  readonly executable: boolean;
  /** A directory entry (name ending in `/`), as `zip -r` adds and our zipper does not. */
  readonly directory: boolean;
  /** Where the entry's local header is, as the directory says: from the first byte of the zip. */
  readonly offset: number;
}

/** What the central directory of a zip says. */
export interface ZipListing {
  /** The entries, in directory order. */
  readonly entries: readonly ListedEntry[];
  /** The archive comment, decoded as code page 437 (the spec's encoding); usually empty. */
  readonly comment: string;
  /** Whether the zip has zip64 end records (more than 65,535 entries, or past 4 GiB). */
  readonly zip64: boolean;
}

/**
 * How much of the end of a zip is read first: the end record with the
 * longest comment it can carry, the zip64 locator and the zip64 end record
 * before it. A zip of up to this size is read in one request; a bigger one
 * needs a second, for the part of the central directory before the tail.
 */
export const TAIL_BYTES = END_FIXED + MAX16 + ZIP64_LOCATOR + ZIP64_END_FIXED;

/**
 * The largest central directory read: 256 MiB. Lambda takes at most 250 MiB
 * unzipped, and a directory holds only names and sizes, so no package's is
 * near it (100,000 files take about 10 MiB). The directory is read whole
 * into memory, so a larger claim, which only a damaged or hostile zip makes,
 * is refused rather than allocated.
 */
export const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;

/**
 * Reads the list of entries of a zip from its central directory, fetching
 * only the tail and the directory: at most two reads (a third only for a
 * zip64 end record that is not where writers put it). No entry data is
 * read, so over S3 the cost is the directory's size, not the zip's.
 *
 * Zips from any common writer are read: Info-ZIP, Python's zipfile, ours;
 * zip64 end records and zip64 extra fields; archive comments (even ones
 * holding an end-record signature); bytes prepended to the zip, as
 * self-extractors have (offsets are taken from where the directory ends).
 *
 * @throws LambdaPackageError `ZIP_NOT_A_ZIP` (no end record in the tail),
 *   `ZIP_DIRECTORY_CORRUPT` (the directory contradicts itself or the size,
 *   or claims more than the source holds or than MAX_DIRECTORY_BYTES),
 *   `ZIP_UNSUPPORTED` (split over several disks), each naming the source.
 */
export async function readCentralDirectory(source: RangedSource): Promise<ZipListing> {
  const { size } = source;
  if (size < END_FIXED) throw notAZip(source, `it is ${size} bytes, fewer than any zip`);
  const tailStart = Math.max(0, size - TAIL_BYTES);
  const tail = await readExactly(source, tailStart, size - tailStart);
  const end = findEnd(tail);
  if (end < 0) {
    throw notAZip(source, `no end-of-central-directory record in its last ${tail.length} bytes`);
  }
  // Disk numbers are 0 in a whole zip (0xFFFF when they are in the zip64 record).
  const disks = [tail.readUInt16LE(end + 4), tail.readUInt16LE(end + 6)];
  if (disks.some((disk) => disk !== 0 && disk !== MAX16)) {
    throw new LambdaPackageError(
      "ZIP_UNSUPPORTED",
      `${source.name} is one part of a zip split over several disks. Join the parts ` +
        "(`zip -s 0 split.zip --out whole.zip`) and give the whole zip.",
    );
  }
  const directory = await locateDirectory(source, tail, tailStart, end);
  const comment = decodeCp437(
    tail.subarray(end + END_FIXED, end + END_FIXED + tail.readUInt16LE(end + 20)),
  );
  const { start, length, count } = directory;
  const bytes =
    start >= tailStart
      ? tail.subarray(start - tailStart, start - tailStart + length)
      : Buffer.concat([
          await readExactly(source, start, tailStart - start),
          tail.subarray(0, start + length - tailStart),
        ]);
  return { entries: parseEntries(source, bytes, count), comment, zip64: directory.zip64 };
}

/**
 * Offset of the end record in `tail`: the last signature whose comment
 * length reaches exactly to the end; failing that (bytes appended after the
 * zip), the last one whose comment fits. Searching from the end finds the
 * real record before any signature bytes inside a comment.
 */
function findEnd(tail: Buffer): number {
  let fallback = -1;
  for (let at = tail.length - END_FIXED; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== SIG_END) continue;
    const reach = at + END_FIXED + tail.readUInt16LE(at + 20);
    if (reach === tail.length) return at;
    if (reach < tail.length && fallback < 0) fallback = at;
  }
  return fallback;
}

interface Directory {
  /** Where the directory starts in the source. */
  readonly start: number;
  readonly length: number;
  readonly count: number;
  readonly zip64: boolean;
}

/**
 * Where the central directory is and how many entries it holds, from the
 * end record, or from the zip64 end record when a locator precedes it. The
 * directory is taken to end where the end records begin, as Python's zipfile
 * and Info-ZIP do, which also finds it in a zip with bytes prepended.
 */
async function locateDirectory(
  source: RangedSource,
  tail: Buffer,
  tailStart: number,
  end: number,
): Promise<Directory> {
  let count = tail.readUInt16LE(end + 10);
  let length = tail.readUInt32LE(end + 12);
  let endsAt = tailStart + end;
  const locator = end - ZIP64_LOCATOR;
  const zip64 = locator >= 0 && tail.readUInt32LE(locator) === SIG_ZIP64_LOCATOR;
  if (zip64) {
    // Writers put the zip64 end record right before its locator; the offset
    // in the locator is the fallback (it is wrong when bytes were prepended).
    let recordAt = tailStart + locator - ZIP64_END_FIXED;
    let record =
      locator >= ZIP64_END_FIXED ? tail.subarray(locator - ZIP64_END_FIXED, locator) : undefined;
    if (record?.readUInt32LE(0) !== SIG_ZIP64_END) {
      recordAt = safeNumber(source, tail.readBigUInt64LE(locator + 8), "zip64 end record offset");
      if (recordAt + ZIP64_END_FIXED > source.size) {
        throw corrupt(source, `the zip64 locator points past the end, at ${recordAt}`);
      }
      record = await readExactly(source, recordAt, ZIP64_END_FIXED);
      if (record.readUInt32LE(0) !== SIG_ZIP64_END) {
        throw corrupt(source, `no zip64 end record where its locator points (${recordAt})`);
      }
    }
    count = safeNumber(source, record.readBigUInt64LE(32), "entry count");
    length = safeNumber(source, record.readBigUInt64LE(40), "central directory size");
    endsAt = recordAt;
  }
  // Checked before anything is read or allocated: the length and count are
  // the zip's word, the source's size and the limit are not.
  if (length > MAX_DIRECTORY_BYTES) {
    throw new LambdaPackageError(
      "ZIP_DIRECTORY_CORRUPT",
      `${source.name} claims a central directory of ${formatBytes(length)} (${length} bytes), ` +
        `more than the ${formatBytes(MAX_DIRECTORY_BYTES)} any Lambda package needs; it was not ` +
        "read. The zip is damaged or not a package: check that it is the file or object " +
        "version you meant.",
    );
  }
  const start = endsAt - length;
  if (start < 0) {
    throw corrupt(
      source,
      `it claims a central directory of ${length} bytes, which would start before the zip ` +
        `(${source.size} bytes)`,
    );
  }
  if (count * CENTRAL_FIXED > length) {
    throw corrupt(
      source,
      `it claims ${count} entries, which need at least ${count * CENTRAL_FIXED} bytes of ` +
        `directory, in ${length} bytes`,
    );
  }
  return { start, length, count, zip64 };
}

/** Parses `count` central headers from `bytes`, which must hold exactly them. */
function parseEntries(source: RangedSource, bytes: Buffer, count: number): ListedEntry[] {
  const entries: ListedEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_FIXED > bytes.length || bytes.readUInt32LE(at) !== SIG_CENTRAL) {
      throw corrupt(source, `entry ${i + 1} of ${count} is not a central directory header`);
    }
    const madeBy = bytes.readUInt16LE(at + 4);
    const flags = bytes.readUInt16LE(at + 8);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const next = at + CENTRAL_FIXED + nameLength + extraLength + commentLength;
    if (next > bytes.length)
      throw corrupt(source, `entry ${i + 1} of ${count} runs past the directory`);
    const raw = bytes.subarray(at + CENTRAL_FIXED, at + CENTRAL_FIXED + nameLength);
    const extra = bytes.subarray(
      at + CENTRAL_FIXED + nameLength,
      at + CENTRAL_FIXED + nameLength + extraLength,
    );
    const name = entryName(raw, flags, extra);
    const sizes = zip64Sizes(source, name, extra, {
      size: bytes.readUInt32LE(at + 24),
      compressedSize: bytes.readUInt32LE(at + 20),
      offset: bytes.readUInt32LE(at + 42),
    });
    const unixMode = madeBy >> 8 === HOST_UNIX ? bytes.readUInt32LE(at + 38) >>> 16 : 0;
    const mode = unixMode === 0 ? undefined : unixMode;
    entries.push({
      name,
      crc32: bytes.readUInt32LE(at + 16),
      ...sizes,
      method: bytes.readUInt16LE(at + 10),
      mode,
      executable: mode !== undefined && (mode & 0o111) !== 0,
      directory: name.endsWith("/"),
    });
    at = next;
  }
  if (at !== bytes.length) {
    throw corrupt(
      source,
      `its ${count} entries take ${at} of the directory's ${bytes.length} bytes`,
    );
  }
  return entries;
}

interface EntrySizes {
  size: number;
  compressedSize: number;
  offset: number;
}

/**
 * The sizes and local header offset, with any that are 0xFFFFFFFF taken from
 * the zip64 extra field, which holds just the fields that overflowed, in the
 * order uncompressed size, compressed size, offset.
 */
function zip64Sizes(
  source: RangedSource,
  name: string,
  extra: Buffer,
  sizes: EntrySizes,
): EntrySizes {
  if (sizes.size !== MAX32 && sizes.compressedSize !== MAX32 && sizes.offset !== MAX32)
    return sizes;
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === EXTRA_ZIP64) {
      const field = extra.subarray(at + 4, at + 4 + length);
      let x = 0;
      const next = (what: string) => {
        if (x + 8 > field.length)
          throw corrupt(source, `the zip64 field of "${escapeText(name)}" lacks its ${what}`);
        const value = safeNumber(
          source,
          field.readBigUInt64LE(x),
          `${what} of "${escapeText(name)}"`,
        );
        x += 8;
        return value;
      };
      const size = sizes.size === MAX32 ? next("size") : sizes.size;
      const compressedSize =
        sizes.compressedSize === MAX32 ? next("compressed size") : sizes.compressedSize;
      const offset = sizes.offset === MAX32 ? next("offset") : sizes.offset;
      return { size, compressedSize, offset };
    }
    at += 4 + length;
  }
  // 0xFFFFFFFF without a zip64 field: a true 4 GiB - 1 byte size, as old writers meant it.
  return sizes;
}

async function readExactly(source: RangedSource, offset: number, length: number): Promise<Buffer> {
  const bytes = await source.read(offset, length);
  if (bytes.length !== length) {
    throw corrupt(
      source,
      `asked for ${length} bytes at ${offset}, got ${bytes.length}; did it change while being read?`,
    );
  }
  return bytes;
}

function safeNumber(source: RangedSource, value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(source, `its ${what} is ${value}`);
  return Number(value);
}

function notAZip(source: RangedSource, why: string): LambdaPackageError {
  return new LambdaPackageError(
    "ZIP_NOT_A_ZIP",
    `${source.name} is not a zip: ${why}. Check that it is the file or object version you meant ` +
      "(a truncated upload or download looks like this too).",
  );
}

function corrupt(source: RangedSource, why: string): LambdaPackageError {
  return new LambdaPackageError(
    "ZIP_DIRECTORY_CORRUPT",
    `The central directory of ${source.name} is damaged: ${why}. Rebuild or re-upload the zip; ` +
      "`unzip -t` on a local copy tells more.",
  );
}
