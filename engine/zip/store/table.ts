/**
 * The zip store's entries as its index files hold them and as worker threads
 * look them up: one fixed-width record per compressed stream, keyed by the
 * SHA-256 of what decides its bytes (see reuse.ts). The lookup table is
 * shared memory, built once per zip by the main thread and read by every
 * worker without copying.
 */
import zlib from "node:zlib";

/** Bytes of a key: a SHA-256. */
export const KEY_BYTES = 32;
/** Bytes of one record in an index file. */
export const RECORD_BYTES = 48;

/** Where a compressed stream is and how to check it. */
export interface StoredEntry {
  /** Deflated (8) or stored (0): deflate could not shrink it, so nothing is kept in the pack. */
  readonly method: number;
  /** Where the stream starts in its pack. */
  readonly offset: number;
  readonly compressedSize: number;
  /** CRC-32 of the stream's bytes in the pack, checked before they are used. */
  readonly crc: number;
}

/**
 * Writes one index record: key, offset (48 bits), method, size, CRC. An
 * offset beyond 48 bits would be a 256 TiB pack: packs are capped far below.
 */
export function writeRecord(out: Buffer, at: number, key: Uint8Array, entry: StoredEntry): void {
  out.set(key, at);
  out.writeUIntLE(entry.offset, at + 32, 6);
  out.writeUInt16LE(entry.method, at + 38);
  out.writeUInt32LE(entry.compressedSize, at + 40);
  out.writeUInt32LE(entry.crc, at + 44);
}

function readRecord(from: Buffer, at: number): StoredEntry {
  return {
    offset: from.readUIntLE(at + 32, 6),
    method: from.readUInt16LE(at + 38),
    compressedSize: from.readUInt32LE(at + 40),
    crc: from.readUInt32LE(at + 44),
  };
}

/** First bytes of an index file; a format change changes it, and old indexes are then ignored. */
const MAGIC = Buffer.from("lambda-package zip store index 1\n");

/** An index file's bytes for `records` (RECORD_BYTES each): magic, records, CRC-32 of both. */
export function indexFile(records: Buffer): Buffer {
  const out = Buffer.allocUnsafe(MAGIC.length + records.length + 4);
  MAGIC.copy(out);
  records.copy(out, MAGIC.length);
  out.writeUInt32LE(zlib.crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/** The records of an index file, or undefined when it is not one whole and intact. */
export function indexRecords(file: Buffer): Buffer | undefined {
  const body = file.length - MAGIC.length - 4;
  if (body < 0 || body % RECORD_BYTES !== 0) return undefined;
  if (!file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (zlib.crc32(file.subarray(0, file.length - 4)) !== file.readUInt32LE(file.length - 4)) {
    return undefined;
  }
  return file.subarray(MAGIC.length, MAGIC.length + body);
}

/**
 * Shared-memory table of 32-bit words: the capacity (a power of two), then
 * open-addressed slots of SLOT words: the key's 8, the offset's low and high
 * halves, method, compressed size, CRC, and the pack's number + 1 (0: empty).
 */
const SLOT = 14;
const PACK = 13;
const HEADER = 2;

/** A lookup table of `packs[i]`'s records; the first pack to hold a key wins. */
export function buildTable(packs: readonly Buffer[]): SharedArrayBuffer {
  const total = packs.reduce((sum, records) => sum + records.length / RECORD_BYTES, 0);
  let capacity = 16;
  while (capacity < 2 * total) capacity *= 2;
  const shared = new SharedArrayBuffer(4 * (HEADER + capacity * SLOT));
  const table = new Uint32Array(shared);
  table[0] = capacity;
  const key = new Uint32Array(8);
  packs.forEach((records, pack) => {
    for (let at = 0; at < records.length; at += RECORD_BYTES) {
      for (let w = 0; w < 8; w++) key[w] = records.readUInt32LE(at + 4 * w);
      const slot = findSlot(table, key);
      if (table[slot + PACK] !== 0) continue;
      table.set(key, slot);
      const entry = readRecord(records, at);
      table[slot + 8] = entry.offset % 2 ** 32;
      table[slot + 9] = Math.floor(entry.offset / 2 ** 32);
      table[slot + 10] = entry.method;
      table[slot + 11] = entry.compressedSize;
      table[slot + 12] = entry.crc;
      table[slot + PACK] = pack + 1;
    }
  });
  return shared;
}

/** The entry stored under `key` (a SHA-256) and its pack's number, if any. */
export function lookup(
  table: Uint32Array,
  key: Buffer,
): (StoredEntry & { readonly pack: number }) | undefined {
  const words = new Uint32Array(8);
  for (let w = 0; w < 8; w++) words[w] = key.readUInt32LE(4 * w);
  const slot = findSlot(table, words);
  const pack = table[slot + PACK];
  if (pack === 0) return undefined;
  return {
    offset: table[slot + 8] + table[slot + 9] * 2 ** 32,
    method: table[slot + 10],
    compressedSize: table[slot + 11],
    crc: table[slot + 12],
    pack: pack - 1,
  };
}

/** The slot (its first word) holding `key`, or the empty slot where it would go. */
function findSlot(table: Uint32Array, key: Uint32Array): number {
  const mask = table[0] - 1;
  for (let i = key[0] & mask; ; i = (i + 1) & mask) {
    const slot = HEADER + i * SLOT;
    if (table[slot + PACK] === 0) return slot;
    let w = 0;
    while (w < 8 && table[slot + w] === key[w]) w++;
    if (w === 8) return slot;
  }
}
