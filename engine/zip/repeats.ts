/**
 * Files of one zip with the same content are compressed once. An installed
 * `node_modules` holds many: a package installed at several places at one
 * version, identical `esm` and `esnext` builds, licence files. In the npm
 * tree of the benchmarks, 6,084 of 15,185 files (12.6 MB of 105) repeat an
 * earlier one. Deflate's output depends only on the bytes and the options,
 * so the bytes of a repeat are those of its first: they are copied instead
 * of compressed again, by whichever thread meets the repeat.
 *
 * The threads share a table in shared memory: keys (the zip store's key of
 * the content, see store/reuse.ts) and the compressed bytes after them in an
 * arena. Only files that share their size with another file of the zip are
 * looked up and kept (the planner marks them), so a tree without repeats
 * hashes and keeps nothing. A thread that meets a key another thread is still
 * compressing compresses it too rather than wait: the same bytes either way.
 * Bytes are checked against their CRC-32 before they are copied.
 */
import zlib from "node:zlib";
import { METHOD_STORED } from "./format";

/** What the threads of one zip share: the table, then the arena of compressed bytes. */
export interface RepeatsView {
  readonly table: SharedArrayBuffer;
  readonly arena: SharedArrayBuffer;
}

/**
 * Compressed bytes kept for repeats at most; past it, a file's first copy is
 * not kept and its repeats are compressed as any file is. Memory is taken
 * only as it is written.
 */
export const REPEATS_MAX_BYTES = 32 * 1024 * 1024;

/** Words of a slot: the key's 8, then state, offset, length, method, CRC. */
const SLOT = 13;
const STATE = 8;
const OFFSET = 9;
const LENGTH = 10;
const METHOD = 11;
const CRC = 12;
/**
 * Words before the slots: the capacity in slots, the arena's bytes handed
 * out, then how often the shortcut stepped aside (see `steppedAside`).
 */
const HEADER = 4;
const USED = 1;
const NOT_KEPT = 2;
const FAILED_CHECK = 3;

/** A free slot. */
const EMPTY = 0;
/** Claimed by a thread that is writing its key: not yet comparable. */
const CLAIMED = 1;
/** Its key is there; the thread that claimed it is compressing. */
const PENDING = 2;
/** Its bytes are in the arena. */
const READY = 3;
/** Its bytes did not fit in the arena: its repeats compress on their own. */
const DROPPED = 4;

/**
 * The shared table for a zip in which `candidates` files may repeat another
 * (at most `bytes` of them in all), or none when there are none.
 */
export function repeatsView(candidates: number, bytes: number): RepeatsView | undefined {
  if (candidates < 2) return undefined;
  let capacity = 16;
  // At most one slot per file: at most half full, so a probe ends soon.
  while (capacity < 2 * candidates) capacity *= 2;
  const table = new SharedArrayBuffer(4 * (HEADER + capacity * SLOT));
  new Int32Array(table)[0] = capacity;
  const arena = new SharedArrayBuffer(Math.min(bytes, REPEATS_MAX_BYTES));
  return { table, arena };
}

/** A repeat's bytes were copied into the output: how many, and how they are stored. */
export interface Copied {
  readonly method: number;
  readonly compressedSize: number;
  /** CRC-32 of the compressed bytes; 0 when stored (the content's own CRC is the entry's). */
  readonly crc: number;
}

/** One thread's use of a zip's repeats table. */
export class Repeats {
  private readonly table: Int32Array;
  private readonly arena: Buffer;

  constructor(view: RepeatsView) {
    this.table = new Int32Array(view.table);
    this.arena = Buffer.from(view.arena);
  }

  /**
   * Copies the compressed bytes of content with `key` into `out` at `at`
   * when another file of the zip had it; otherwise returns the slot this
   * thread now owns for it (pass it to `keep` once compressed), or -1 when
   * another thread is compressing it. `content` is the file's own bytes: a
   * stored entry is the content itself.
   */
  copyOrClaim(key: Buffer, content: Uint8Array, out: Buffer, at: number): Copied | number {
    const t = this.table;
    const words = new Int32Array(8);
    for (let w = 0; w < 8; w++) words[w] = key.readInt32LE(4 * w);
    const mask = t[0] - 1;
    for (let i = words[0] & mask; ; i = (i + 1) & mask) {
      const slot = HEADER + i * SLOT;
      let state = Atomics.load(t, slot + STATE);
      if (state === EMPTY) {
        if (Atomics.compareExchange(t, slot + STATE, EMPTY, CLAIMED) === EMPTY) {
          for (let w = 0; w < 8; w++) t[slot + w] = words[w];
          Atomics.store(t, slot + STATE, PENDING);
          return slot;
        }
        state = Atomics.load(t, slot + STATE);
      }
      // A key being written cannot be compared: the probe goes on. At worst one content
      // gets two slots, and is compressed twice.
      if (state === CLAIMED) continue;
      let w = 0;
      while (w < 8 && t[slot + w] === words[w]) w++;
      if (w < 8) continue;
      return state === READY ? (this.copy(slot, content, out, at) ?? -1) : -1;
    }
  }

  /**
   * Keeps what the file of the slot `copyOrClaim` gave this thread came out
   * as: `kept`, its compressed bytes (a stored file keeps none), and their
   * CRC-32.
   */
  keep(slot: number, method: number, kept: Uint8Array, crc: number): void {
    const t = this.table;
    const length = method === METHOD_STORED ? 0 : kept.length;
    // Checked before the add too: the count never runs past the arena by more than a file a thread.
    const full = Atomics.load(t, USED) + length > this.arena.length;
    const offset = length === 0 || full ? 0 : Atomics.add(t, USED, length);
    if (full || offset + length > this.arena.length) {
      Atomics.add(t, NOT_KEPT, 1);
      Atomics.store(t, slot + STATE, DROPPED);
      return;
    }
    if (length > 0) this.arena.set(kept, offset);
    t[slot + OFFSET] = offset;
    t[slot + LENGTH] = kept.length;
    t[slot + METHOD] = method;
    t[slot + CRC] = crc;
    // After the bytes and the words: a thread that sees READY sees them too.
    Atomics.store(t, slot + STATE, READY);
  }

  /** The slot's bytes into `out`, checked; undefined (and counted) when they do not check out. */
  private copy(slot: number, content: Uint8Array, out: Buffer, at: number): Copied | undefined {
    const copied = this.checkedCopy(slot, content, out, at);
    if (!copied) Atomics.add(this.table, FAILED_CHECK, 1);
    return copied;
  }

  private checkedCopy(
    slot: number,
    content: Uint8Array,
    out: Buffer,
    at: number,
  ): Copied | undefined {
    const t = this.table;
    const method = t[slot + METHOD];
    const length = t[slot + LENGTH];
    const crc = t[slot + CRC] >>> 0;
    if (method === METHOD_STORED) {
      if (length !== content.length) return undefined;
      out.set(content, at);
      return { method, compressedSize: length, crc: 0 };
    }
    // Nothing kept is as large as its content: the entry fits where the content would.
    if (length >= content.length) return undefined;
    const offset = t[slot + OFFSET];
    const target = out.subarray(at, at + length);
    this.arena.copy(target, 0, offset, offset + length);
    if (zlib.crc32(target) !== crc) return undefined;
    return { method, compressedSize: length, crc };
  }
}

/**
 * How often the threads of a zip compressed a repeat instead of copying it,
 * and why: contents whose bytes did not fit in the arena, and kept bytes that
 * failed their check (which only a fault of this code could cause).
 */
export function steppedAside(view: RepeatsView): { notKept: number; failedCheck: number } {
  const t = new Int32Array(view.table);
  return { notKept: Atomics.load(t, NOT_KEPT), failedCheck: Atomics.load(t, FAILED_CHECK) };
}
