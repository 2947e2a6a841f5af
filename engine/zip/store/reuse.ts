/**
 * The worker side of the zip store: the key of a compressed stream, and
 * taking its bytes from the store instead of compressing. A stream's bytes
 * depend only on what its key hashes: the zlib build, the level, how the
 * stream was cut (a whole file, or a chunk with its dictionary and whether
 * it ends the stream), the deflate options pinned in compress.ts, and the
 * bytes themselves. So bytes found under a key are the bytes a cold
 * build would compute, provided they are intact: their CRC-32 is checked
 * before they are used, and anything amiss compresses cold instead.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import zlib from "node:zlib";
import { METHOD_DEFLATED, METHOD_STORED } from "../format";
import { lookup } from "./table";

/** What a job needs of the store: the lookup table and the packs it points into. */
export interface StoreView {
  readonly table: SharedArrayBuffer;
  /** Absolute paths of the packs, by number. */
  readonly packs: readonly string[];
}

/** What became of one stream, as a job reports it. */
export const STORE_OFF = 0;
/** Its bytes came from the store. */
export const STORE_HIT = 1;
/** Not in the store (or its pack is gone): compressed, to be recorded. */
export const STORE_MISS = 2;
/** In the store but damaged: compressed, to be recorded, and its pack dropped. */
export const STORE_BAD = 3;

/**
 * Everything outside the bytes that decides a stream's output. zlib's
 * version (Node reports its build, e.g. `1.3.1-470d3a2`) keeps a Node
 * upgrade that changes deflate's output from reusing what an older one made.
 */
const IDENTITY = `lambda-package zip store 1\0zlib ${process.versions.zlib}\0${process.arch}\0`;

/**
 * Key of a whole file's stream (a file the zipper compresses in one piece);
 * `options` is every deflate option as text, the level among them.
 */
export function fileKey(options: string, data: Uint8Array): Buffer {
  return createHash("sha256").update(`${IDENTITY}file ${options}\0`).update(data).digest();
}

/** Key of a chunk of a big file: its bytes, the dictionary that primed it, and whether it is last. */
export function chunkKey(
  options: string,
  last: boolean,
  dictionary: Uint8Array,
  data: Uint8Array,
): Buffer {
  return createHash("sha256")
    .update(`${IDENTITY}chunk ${options} ${dictionary.length} ${last ? 1 : 0}\0`)
    .update(dictionary)
    .update(data)
    .digest();
}

/** A hit: how many bytes were written and how, and which pack they came from. */
export interface Reused {
  readonly state: typeof STORE_HIT;
  readonly method: number;
  readonly compressedSize: number;
  readonly pack: number;
}

/** A miss; `pack` is set when the stream was found damaged there. */
export interface NotReused {
  readonly state: typeof STORE_MISS | typeof STORE_BAD;
  readonly pack: number;
}

/**
 * Reads from the packs for one job, each pack opened at most once. A pack
 * removed by another build's eviction after this one was opened stays
 * readable until closed; one removed before is a miss.
 */
export class StoreReader {
  private readonly table: Uint32Array;
  private readonly fds = new Map<number, number>();

  constructor(private readonly view: StoreView) {
    this.table = new Uint32Array(view.table);
  }

  /**
   * Writes the stream stored under `key` into `out` at `at`, if it is there
   * and intact. `content` is what was read of the source. A whole file is
   * stored as it is when deflate cannot shrink it (then the entry is the
   * content itself) and deflated only when that is smaller; a chunk is
   * always deflated and fits its slot. An entry breaking those rules is
   * damaged: trusting its size could write past the slot.
   */
  reuse(
    key: Buffer,
    content: Uint8Array,
    out: Buffer,
    at: number,
    wholeFile: boolean,
  ): Reused | NotReused {
    const entry = lookup(this.table, key);
    if (!entry) return { state: STORE_MISS, pack: -1 };
    const { pack, method, compressedSize } = entry;
    if (method === METHOD_STORED && wholeFile) {
      if (compressedSize !== content.length) return { state: STORE_BAD, pack };
      out.set(content, at);
      return { state: STORE_HIT, method, compressedSize, pack };
    }
    const fits = wholeFile ? compressedSize < content.length : at + compressedSize <= out.length;
    if (method !== METHOD_DEFLATED || !fits) return { state: STORE_BAD, pack };
    const fd = this.open(pack);
    if (fd < 0) return { state: STORE_MISS, pack: -1 };
    const target = out.subarray(at, at + compressedSize);
    if (!readFully(fd, target, entry.offset) || zlib.crc32(target) !== entry.crc) {
      return { state: STORE_BAD, pack };
    }
    return { state: STORE_HIT, method, compressedSize, pack };
  }

  close(): void {
    for (const fd of this.fds.values()) if (fd >= 0) closeSync(fd);
    this.fds.clear();
  }

  /** The pack's descriptor, or -1 when it cannot be opened (then it is not tried again). */
  private open(pack: number): number {
    let fd = this.fds.get(pack);
    if (fd === undefined) {
      try {
        fd = openSync(this.view.packs[pack], "r");
      } catch {
        fd = -1;
      }
      this.fds.set(pack, fd);
    }
    return fd;
  }
}

/** Fills `target` from `position`; false when the pack ends first or cannot be read. */
function readFully(fd: number, target: Buffer, position: number): boolean {
  try {
    for (let done = 0; done < target.length;) {
      const n = readSync(fd, target, done, target.length - done, position + done);
      if (n === 0) return false;
      done += n;
    }
    return true;
  } catch {
    return false;
  }
}
