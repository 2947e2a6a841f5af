import { rm, type FileHandle } from "node:fs/promises";
import os from "node:os";
import { LambdaPackageError } from "../../shared/errors";
import type { ZipListing } from "../listing";
import { escapeText, formatBytes } from "../../shared/format";
import type { JobResult } from "./compress";
import { dosDateTime } from "./format";
import { planUnits, sortEntries, type Unit } from "./plan";
import { inlineCompressor, sharedPool, type Compressor, type WorkerPool } from "./pool";
import { createZipFile } from "./output";
import { runInOrder } from "./schedule";
import {
  assertUnchanged,
  fileChanged,
  snapshotBefore,
  statHere,
  type StatFiles,
} from "./unchanged";
import { allocateSlots, slotCount } from "./slots";
import { defaultStore, ZipStore, type StoreStats, type ZipStoreOptions } from "./store";
import { ZipWriter } from "./writer";
import { repeatsView, steppedAside, REPEATS_MAX_BYTES } from "./repeats";

export type { StoreStats, ZipStoreOptions } from "./store";

export interface ZipEntry {
  /** Path inside the zip, forward slashes, relative, already validated (no "..", not absolute). */
  readonly name: string;
  /** Absolute path of the file on disk to read the bytes from (symlinks already resolved by the caller). */
  readonly sourceFile: string;
  /** Size in bytes (from stat). */
  readonly size: number;
  /** true keeps the executable bit (0755), else 0644. */
  readonly executable: boolean;
  /**
   * Where the bytes start when they are a range of `sourceFile` (`size`
   * bytes from here) rather than the whole file. @default the whole file
   */
  readonly offset?: number;
  /**
   * mtime (ms) of `sourceFile` from the same stat as `size`, when the caller
   * took one before handing the entry over: the zip's first snapshot then
   * takes size and mtime from the entry instead of a stat of its own (one
   * system call fewer per file). @default the zip stats the file
   */
  readonly mtimeMs?: number;
}

export interface WriteZipOptions {
  /** Deflate level 0-9 (0 stores), checked by the caller (`normalizeBuildOptions`). */
  readonly level: number;
  /** Timestamp written into every entry (seconds since epoch); earlier than 1980-01-01 is clamped to it. */
  readonly mtime: number;
  /** Worker threads compressing. @default os.availableParallelism(), at most 8 */
  readonly concurrency?: number;
  /** Called with files and bytes done so far, at most every 100 ms, and once at the end. */
  readonly onProgress?: (done: { files: number; bytes: number }) => void;
  /**
   * Where compressed streams are reused from and recorded to (see
   * store/index.ts), or false for none: every byte is compressed.
   * @default defaultStore(): `$LAMBDA_PACKAGE_ZIP_STORE`, else the user cache directory's
   */
  readonly store?: ZipStoreOptions | false;
  /** Lines about the store: what it reused, and any damage it found or failure to update it. */
  readonly log?: (line: string) => void;
  /**
   * Stops the zip: once it fires, no more jobs are handed out and writeZip
   * rejects with its reason, `outFile` removed; jobs already on the threads
   * finish and their output is dropped.
   * @default none
   */
  readonly signal?: AbortSignal;
  /**
   * Called once the first jobs are on the threads: what the caller does from
   * then on overlaps compression. Not called for a zip with no files.
   * @default none
   */
  readonly onCompressing?: () => void;
}

/** What a zip came out as. */
export interface ZipResult {
  /** Absolute path of the zip. */
  readonly path: string;
  /** SHA-256 of the zip, hex. */
  readonly sha256: string;
  /** SHA-256 of the zip, base64: what Lambda reports as `CodeSha256`. */
  readonly sourceCodeHash: string;
  /** Size of the zip in bytes. */
  readonly size: number;
  /** Sum of the sizes of the files in the zip. */
  readonly unzippedSize: number;
  /** Number of files in the zip. */
  readonly fileCount: number;
  /** What came from the zip store; none when it was not used (off, level 0, unreadable). */
  readonly store?: StoreStats;
  /**
   * Files whose compressed bytes were copied from another file of the zip
   * with the same content, not compressed again (see repeats.ts).
   */
  readonly repeated: number;
}

/** What `writeZip` gives back: the result, and the zip's listing as its central directory reads. */
export interface WrittenZip extends ZipResult {
  readonly listing: ZipListing;
}

/**
 * Below this much work, compressing on the calling thread beats starting
 * workers. Each file counts as 1 KiB on top of its bytes: opening it and
 * setting up deflate cost about as much as compressing that much.
 */
const INLINE_WORK = 2 * 1024 * 1024;
const WORK_PER_FILE = 1024;
/**
 * Each worker costs 15-25 MB of RSS; past a handful, the main thread's
 * writing and the disk set the pace, so a 64-core build host does not get 64.
 */
const MAX_DEFAULT_THREADS = 8;

/**
 * Writes a reproducible zip of `entries` to `outFile`: sorted by name, one
 * fixed timestamp, modes 0644/0755, deflated on worker threads. The bytes
 * depend only on names, contents, executable bits, `level` and `mtime`.
 * A source file that changes while it is zipped (size or mtime) is
 * `ZIP_FILE_CHANGED`, never a half-written entry. On failure `outFile` is
 * removed and no thread is left running.
 */
export async function writeZip(
  entries: readonly ZipEntry[],
  outFile: string,
  options: WriteZipOptions,
): Promise<WrittenZip> {
  const { level } = options;
  assertOptions(options);
  const log = options.log ?? (() => {});
  const pool = poolFor(entries, options.concurrency);
  const statFiles: StatFiles = pool ? (files) => pool.statFiles(files) : statHere;
  // Threads still starting would keep this one waiting: it takes the first snapshot itself.
  const statFirst = pool?.isOnline() ? statFiles : statHere;
  // Before any file is read, so a change made while zipping shows against it;
  // on the worker threads, while this one opens the store, sorts and plans.
  const snapshotting = snapshotBefore(entries, statFirst);
  snapshotting.catch(() => {}); // awaited below, unless sorting throws first
  const storeOptions = options.store ?? defaultStore();
  // Level 0 keeps every byte as it is: nothing to reuse.
  const store = storeOptions && level > 0 ? await ZipStore.open(storeOptions, log) : undefined;
  const planned = sortEntries(entries);
  const { units, repeats: candidates } = planUnits(planned, level);
  const repeats = repeatsView(candidates.files, candidates.bytes);
  const unzippedSize = planned.reduce((sum, e) => sum + e.size, 0);
  const inline = !pool || units.length <= 1;
  // A zip with few jobs gets few slots.
  const threads = inline ? 1 : Math.min(pool.size, units.length);
  const slots = allocateSlots(slotCount(threads));
  const compressor: Compressor = inline
    ? inlineCompressor(slots, store?.view, repeats)
    : pool.compressor(slots, store?.view, repeats);
  let repeated = 0;
  let handle: FileHandle | undefined;
  let created = false;
  try {
    let written: { size: number; sha256: Buffer; listing: ZipListing };
    try {
      const before = await snapshotting;
      handle = await createZipFile(outFile);
      created = true;
      const writer = new ZipWriter(handle, dosDateTime(options.mtime));
      const progress = throttledProgress(options.onProgress);
      await runInOrder(
        units,
        compressor,
        slots,
        async (unit, result, output) => {
          if (result.kind === "files") repeated += result.repeated;
          // Both read the slot, which is reused once they are done.
          await Promise.all([
            writeUnit(writer, unit, result, output),
            store?.record(unit, result, output),
          ]);
          progress.add(unit);
        },
        { signal: options.signal, onStarted: options.onCompressing },
      );
      // Every source byte has been read: the second snapshot runs on the threads
      // while this one writes the central directory.
      const checking = assertUnchanged(planned, before, statFiles);
      checking.catch(() => {}); // awaited below, unless finishing throws first
      written = await writer.finish();
      await handle.close();
      handle = undefined;
      await checking;
      progress.end();
      if (repeats) for (const line of repeatsLines(steppedAside(repeats))) log(line);
      // Only a whole zip's streams are kept: a failed one's are dropped in finally.
      if (store) {
        await store.commit();
        // A first build reused nothing and has nothing to say: one line fewer per function.
        if (store.result().reused > 0) log(storeLine(store.result()));
      }
    } finally {
      await compressor.close();
      await store?.discard();
    }
    return {
      path: outFile,
      sha256: written.sha256.toString("hex"),
      sourceCodeHash: written.sha256.toString("base64"),
      size: written.size,
      unzippedSize,
      fileCount: planned.length,
      store: store?.result(),
      repeated,
      listing: written.listing,
    };
  } catch (error) {
    await handle?.close().catch(() => {});
    // Only what this call created: a failed open may name someone else's file.
    if (created) await rm(outFile, { force: true });
    throw error;
  }
}

/**
 * Starts the worker threads a zip of `entries` will use, if it uses any, so
 * their start-up overlaps the caller's work before `writeZip` (a build's
 * audit and reports) instead of delaying its first job.
 */
export function startZipThreads(
  entries: readonly ZipEntry[],
  options: Pick<WriteZipOptions, "concurrency"> = {},
): void {
  assertOptions({ mtime: 0, level: 0, ...options });
  poolFor(entries, options.concurrency)?.startThreads();
}

/**
 * The process's pool of worker threads for a zip of `entries`, or none for
 * a zip so small that it compresses faster than threads start. One pool per
 * process, whatever the zip.
 */
function poolFor(entries: readonly ZipEntry[], concurrency?: number): WorkerPool | undefined {
  let work = 0;
  for (const e of entries) work += e.size + WORK_PER_FILE;
  if (work < INLINE_WORK) return undefined;
  return sharedPool(concurrency ?? Math.min(os.availableParallelism(), MAX_DEFAULT_THREADS));
}

function assertOptions(options: WriteZipOptions): void {
  if (!Number.isFinite(options.mtime)) {
    throw new LambdaPackageError(
      "BAD_MTIME",
      `mtime must be seconds since the epoch, got ${options.mtime}.`,
    );
  }
  const concurrency = options.concurrency;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new LambdaPackageError(
      "BAD_CONCURRENCY",
      `concurrency must be a whole number of worker threads, at least 1, got ${concurrency}.`,
    );
  }
}

async function writeUnit(
  writer: ZipWriter,
  unit: Unit,
  result: JobResult,
  output: Buffer,
): Promise<void> {
  if (result.kind === "error") {
    const entry = "entries" in unit ? unit.entries[result.index ?? -1] : unit.entry;
    if (entry && result.code === "ZIP_FILE_CHANGED") {
      throw fileChanged(result.file, entry.displayName, result.message);
    }
    const name = entry ? ` (zip entry "${escapeText(entry.displayName)}")` : "";
    throw new LambdaPackageError(
      result.code === "ZIP_FILE_CHANGED" ? "ZIP_FILE_CHANGED" : "ZIP_READ_FAILED",
      `Cannot zip ${result.file}${name}: ${result.message}. ` +
        "Check that the file exists, is readable and is not being modified during the build.",
    );
  }
  if ("entries" in unit && result.kind === "files") {
    await writer.writeFiles(unit.entries, result.table, output);
  } else if ("entry" in unit && result.kind === "chunk") {
    await writer.writeChunk(unit.entry, unit.job, output, result.crc);
  }
}

/** Why repeated files were compressed again rather than copied, for the build's log. */
function repeatsLines(aside: { notKept: number; failedCheck: number }): string[] {
  const lines: string[] = [];
  if (aside.notKept > 0)
    lines.push(
      `lambda-package: zip: ${aside.notKept} contents that may repeat did not fit the ` +
        `${formatBytes(REPEATS_MAX_BYTES)} kept for repeats; their repeats were compressed again.`,
    );
  if (aside.failedCheck > 0)
    lines.push(
      `lambda-package: zip: ${aside.failedCheck} repeated files' kept bytes failed their CRC-32 ` +
        "check and were compressed again; the zip is right, but this is a fault of " +
        "lambda-package: please report it.",
    );
  return lines;
}

/** What the store gave this zip, for the build's log. */
function storeLine(stats: StoreStats): string {
  const share = (part: number, whole: number) =>
    whole === 0 ? 0 : Math.round((100 * part) / whole);
  return (
    `lambda-package: zip store: reused ${stats.reused} of ${stats.streams} compressed streams ` +
    `(${formatBytes(stats.reusedBytes)} of ${formatBytes(stats.bytes)}, ${share(stats.reusedBytes, stats.bytes)}%)`
  );
}

const PROGRESS_INTERVAL_MS = 100;

/** Counts written units and reports at most every PROGRESS_INTERVAL_MS, and once at the end. */
function throttledProgress(
  onProgress: ((done: { files: number; bytes: number }) => void) | undefined,
) {
  let files = 0;
  let bytes = 0;
  let last = 0;
  return {
    add(unit: Unit) {
      files += "entries" in unit ? unit.entries.length : unit.job.last ? 1 : 0;
      bytes += unit.bytes;
      const now = Date.now();
      if (onProgress && now - last >= PROGRESS_INTERVAL_MS) {
        last = now;
        onProgress({ files, bytes });
      }
    },
    end: () => onProgress?.({ files, bytes }),
  };
}
