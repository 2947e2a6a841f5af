import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import zlib from "node:zlib";
import { METHOD_DEFLATED, METHOD_STORED } from "./format";
import {
  BIG_FILE,
  CHUNK,
  DICTIONARY,
  WHOLE_FILE,
  type ChunkJob,
  type FilesJob,
  type Job,
} from "./plan";
import {
  chunkKey,
  fileKey,
  STORE_HIT,
  STORE_MISS,
  StoreReader,
  type StoreView,
} from "./store/reuse";
import { KEY_BYTES } from "./store/table";
import { Repeats, type RepeatsView } from "./repeats";

/** How one small file was stored. */
export interface FileOutcome {
  readonly crc: number;
  readonly compressedSize: number;
  readonly method: number;
}

/**
 * Numbers per file in a files job's `table`, packed to post cheaply: CRC,
 * compressed size, method, then what the store did (STORE_*) and a number
 * for it: the pack of a hit or of a damaged stream, the CRC-32 of a miss's
 * compressed bytes.
 */
export const COLUMNS = 5;

/** Outcome `i` of a files job's `table`. */
export function fileOutcome(table: Uint32Array, i: number): FileOutcome {
  const at = COLUMNS * i;
  return { crc: table[at], compressedSize: table[at + 1], method: table[at + 2] };
}

/** What the store did for one stream, and the key it was looked up by. */
export interface StoreOutcome {
  readonly state: number;
  /** As in a files job's table: a pack number, or the CRC-32 of a miss's compressed bytes. */
  readonly aux: number;
  readonly key: Uint8Array;
}

/** What a job wrote into its output slot: `length` bytes from the slot's start. */
export type JobResult =
  | {
      readonly kind: "files";
      readonly length: number;
      readonly table: Uint32Array;
      /** With a store: each file's key, KEY_BYTES each, in order. */
      readonly keys?: Uint8Array;
      /** Files whose bytes were copied from another file of the zip (see repeats.ts). */
      readonly repeated: number;
    }
  | {
      readonly kind: "chunk";
      readonly length: number;
      readonly crc: number;
      readonly store?: StoreOutcome;
    }
  | {
      readonly kind: "error";
      readonly file: string;
      /** Which file of a files job failed: entries that are ranges of one archive share `file`. */
      readonly index?: number;
      readonly code: string;
      readonly message: string;
    };

/**
 * One read buffer per thread, reused: a fresh buffer per file is garbage that
 * V8 only collects after tens of MB of it piled up in each thread.
 */
let scratch: Buffer | undefined;
function readBuffer(): Buffer {
  scratch ??= Buffer.allocUnsafe(Math.max(BIG_FILE + 1, DICTIONARY + CHUNK));
  return scratch;
}

/**
 * Runs one job synchronously, writing the compressed bytes into `out` (a
 * slot of SLOT_BYTES); read errors come back as a result, never as a throw.
 * With a `store`, streams found there are copied rather than compressed;
 * with `repeats`, so are files whose content another file of the zip had.
 */
export function runJob(job: Job, out: Buffer, store?: StoreView, repeats?: RepeatsView): JobResult {
  // Level 0 stores every byte as it is: there is nothing to reuse.
  const reader = store && job.level > 0 ? new StoreReader(store) : undefined;
  try {
    if (job.kind === "chunk") return compressChunk(job, out, reader);
    const shared = repeats && job.level > 0 ? new Repeats(repeats) : undefined;
    return compressFiles(job, out, reader, shared);
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { file?: string; index?: number };
    const file = e.file ?? (job.kind === "chunk" ? job.path : "");
    return { kind: "error", file, index: e.index, code: e.code ?? "EIO", message: e.message };
  } finally {
    reader?.close();
  }
}

/** Every parameter that shapes deflate's output, pinned so a Node default change cannot move bytes. */
function deflateOptions(level: number): zlib.ZlibOptions {
  return { level, windowBits: 15, memLevel: 8, strategy: zlib.constants.Z_DEFAULT_STRATEGY };
}

const optionsKeys = new Map<number, string>();
/** deflateOptions(level) as text, in the store's keys: a change to them is a change of key. */
function optionsKey(level: number): string {
  let key = optionsKeys.get(level);
  if (key === undefined) optionsKeys.set(level, (key = JSON.stringify(deflateOptions(level))));
  return key;
}

function compressFiles(
  job: FilesJob,
  out: Buffer,
  reader?: StoreReader,
  repeats?: Repeats,
): JobResult {
  const table = new Uint32Array(COLUMNS * job.paths.length);
  const keys = reader ? new Uint8Array(KEY_BYTES * job.paths.length) : undefined;
  let at = 0;
  let repeated = 0;
  for (let i = 0; i < job.paths.length; i++) {
    const path = job.paths[i];
    const size = job.sizes[i];
    const offset = job.offsets[i];
    const data = guard(
      path,
      () => (offset === WHOLE_FILE ? readWhole(path, size) : readPart(path, offset, size)),
      i,
    );
    const crc = zlib.crc32(data);
    const row = COLUMNS * i;
    table[row] = crc;
    const repeatable = repeats && job.repeatable?.[i] === true && size > 0;
    const key =
      (reader || repeatable) && size > 0 ? fileKey(optionsKey(job.level), data) : undefined;
    if (reader && keys && key) {
      keys.set(key, KEY_BYTES * i);
      const reused = reader.reuse(key, data, out, at, true);
      if (reused.state === STORE_HIT) {
        at += reused.compressedSize;
        table[row + 1] = reused.compressedSize;
        table[row + 2] = reused.method;
        table[row + 3] = STORE_HIT;
        table[row + 4] = reused.pack;
        continue;
      }
      table[row + 3] = reused.state;
      table[row + 4] = reused.pack;
    }
    let claimed = -1;
    if (repeatable && key) {
      const copied = repeats.copyOrClaim(key, data, out, at);
      if (typeof copied !== "number") {
        at += copied.compressedSize;
        table[row + 1] = copied.compressedSize;
        table[row + 2] = copied.method;
        // To the store, a miss like its first copy: recorded once, by key.
        if (table[row + 3] === STORE_MISS) table[row + 4] = copied.crc;
        repeated++;
        continue;
      }
      claimed = copied;
    }
    let kept: Uint8Array = data;
    let method = METHOD_STORED;
    if (job.level > 0 && size > 0) {
      // zlib's output buffer defaults to 16 KiB per call: mostly garbage for small files.
      const chunkSize = Math.min(Math.max(64, (size >> 1) + 256), 64 * 1024);
      const deflated = zlib.deflateRawSync(data, { ...deflateOptions(job.level), chunkSize });
      // Like Info-ZIP: store what deflate cannot shrink (already-compressed files).
      // Nothing kept is larger than its file, so a batch always fits its slot.
      if (deflated.length < data.length) {
        kept = deflated;
        method = METHOD_DEFLATED;
      }
    }
    out.set(kept, at);
    at += kept.length;
    table[row + 1] = kept.length;
    table[row + 2] = method;
    if (table[row + 3] === STORE_MISS || claimed >= 0) {
      const keptCrc = method === METHOD_STORED ? 0 : zlib.crc32(kept);
      if (table[row + 3] === STORE_MISS) table[row + 4] = keptCrc;
      if (claimed >= 0) repeats?.keep(claimed, method, kept, keptCrc);
    }
  }
  return { kind: "files", length: at, table, keys, repeated };
}

function compressChunk(job: ChunkJob, out: Buffer, reader?: StoreReader): JobResult {
  const dictionaryLength = Math.min(DICTIONARY, job.offset);
  const buffer = readBuffer().subarray(0, dictionaryLength + job.length);
  guard(job.path, () =>
    job.base === WHOLE_FILE
      ? readRange(job.path, job.fileSize, buffer, job.offset - dictionaryLength)
      : readAt(job.path, buffer, job.base + job.offset - dictionaryLength),
  );
  const data = buffer.subarray(dictionaryLength);
  const crc = zlib.crc32(data);
  if (job.level === 0) {
    out.set(data);
    return { kind: "chunk", length: data.length, crc };
  }
  let store: StoreOutcome | undefined;
  if (reader) {
    const key = chunkKey(
      optionsKey(job.level),
      job.last,
      buffer.subarray(0, dictionaryLength),
      data,
    );
    const reused = reader.reuse(key, data, out, 0, false);
    if (reused.state === STORE_HIT) {
      const hit = { state: STORE_HIT, aux: reused.pack, key };
      return { kind: "chunk", length: reused.compressedSize, crc, store: hit };
    }
    store = { state: reused.state, aux: reused.pack, key };
  }
  // pigz-style: each chunk is primed with the 32 KiB before it, so matches
  // reach back across the cut, and ends on a byte boundary (sync flush) so
  // the chunks concatenate into one deflate stream; only the last one is final.
  const deflated = zlib.deflateRawSync(data, {
    ...deflateOptions(job.level),
    dictionary: dictionaryLength > 0 ? buffer.subarray(0, dictionaryLength) : undefined,
    finishFlush: job.last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
    chunkSize: 64 * 1024,
  });
  out.set(deflated); // a 256 KiB chunk deflates to well under a slot, even when incompressible
  if (store?.state === STORE_MISS) store = { ...store, aux: zlib.crc32(deflated) };
  return { kind: "chunk", length: deflated.length, crc, store };
}

/** Runs `read`, tagging any error with the file it was about (and its place in a files job). */
function guard<T>(path: string, read: () => T, index?: number): T {
  try {
    return read();
  } catch (error) {
    throw Object.assign(error as Error, { file: path, index });
  }
}

/**
 * The whole file, which must be `size` bytes, in the thread's read buffer.
 * Asking for one byte more than expected checks the size without an fstat:
 * a syscall saved on every one of thousands of small files.
 */
function readWhole(path: string, size: number): Buffer {
  const buffer = readBuffer();
  const fd = openSync(path, "r");
  let done = 0;
  try {
    while (done <= size) {
      const wanted = size + 1 - done;
      const n = readSync(fd, buffer, done, wanted, done);
      if (n === 0) break;
      done += n;
      // A short read of a regular file ends at its end.
      if (done === size && n < wanted) break;
    }
  } finally {
    closeSync(fd);
  }
  if (done !== size) throw changed(path, size, done > size ? `more than ${size}` : `${done}`);
  return buffer.subarray(0, size);
}

/** Fills `buffer` from `position` of a file that must still be `size` bytes long. */
function readRange(path: string, size: number, buffer: Buffer, position: number): void {
  const fd = openSync(path, "r");
  try {
    const actual = fstatSync(fd).size;
    if (actual !== size) throw changed(path, size, `${actual}`);
    fill(fd, buffer, position, () => changed(path, size, `${position}`));
  } finally {
    closeSync(fd);
  }
}

/** `size` bytes from `offset` of a file: an entry a packager listed as a range of an archive. */
function readPart(path: string, offset: number, size: number): Buffer {
  const buffer = readBuffer().subarray(0, size);
  readAt(path, buffer, offset);
  return buffer;
}

/** Fills `buffer` from `position` of a file, which must be long enough. */
function readAt(path: string, buffer: Buffer, position: number): void {
  const fd = openSync(path, "r");
  try {
    fill(fd, buffer, position, () => {
      const error = new Error(
        `it ends before byte ${position + buffer.length} of the range listed`,
      );
      return Object.assign(error, { code: "ZIP_FILE_CHANGED", file: path });
    });
  } finally {
    closeSync(fd);
  }
}

function fill(fd: number, buffer: Buffer, position: number, short: () => Error): void {
  let done = 0;
  while (done < buffer.length) {
    const n = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (n === 0) throw short();
    done += n;
  }
}

function changed(path: string, expected: number, actual: string): Error {
  const error = new Error(`its size changed from ${expected} to ${actual} bytes while zipping`);
  return Object.assign(error, { code: "ZIP_FILE_CHANGED", file: path });
}
