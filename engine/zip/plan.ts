import { LambdaPackageError } from "../../shared/errors";

/**
 * Files above this size are cut into chunks compressed in parallel. The cut
 * points depend on the size alone, never on the number of workers, so the
 * output is the same however many threads ran.
 */
export const BIG_FILE = 1024 * 1024;
/** Uncompressed bytes per chunk of a big file. */
export const CHUNK = 256 * 1024;
/** Bytes before a chunk that prime its compressor: deflate's whole window. */
export const DICTIONARY = 32 * 1024;
/** Small files go to a worker together, up to this many or this many bytes. */
const BATCH_FILES = 64;
export const BATCH_BYTES = BIG_FILE;
/** One file as the zipper sees it, in output order. */
export interface PlannedEntry {
  readonly name: Buffer;
  readonly displayName: string;
  readonly sourceFile: string;
  readonly size: number;
  readonly executable: boolean;
  /** Where a range of `sourceFile` starts; none: the whole file. */
  readonly offset?: number;
}

/** `offsets` of a job for a whole file, which is read to its end to check its size. */
export const WHOLE_FILE = -1;

/** Read and compress several small files, each as a whole. */
export interface FilesJob {
  readonly kind: "files";
  readonly level: number;
  /** Parallel arrays rather than objects: cheaper to post to a worker. */
  readonly paths: readonly string[];
  readonly sizes: readonly number[];
  /** Where each file's bytes start in its path, or WHOLE_FILE. */
  readonly offsets: readonly number[];
  /**
   * Whether each file may repeat another of the zip (see repeats.ts): it
   * shares its size with another file. @default none: no file of the batch may
   */
  readonly repeatable?: readonly boolean[];
}

/** Read and compress one chunk of a big file as part of a single deflate stream. */
export interface ChunkJob {
  readonly kind: "chunk";
  readonly level: number;
  readonly path: string;
  readonly fileSize: number;
  /** Where the file's bytes start in `path`, or WHOLE_FILE (then `path` must be `fileSize` long). */
  readonly base: number;
  readonly offset: number;
  readonly length: number;
  readonly last: boolean;
}

export type Job = FilesJob | ChunkJob;

/** A job with what the main thread needs to write its result. */
export type Unit =
  | { readonly job: FilesJob; readonly bytes: number; readonly entries: readonly PlannedEntry[] }
  | { readonly job: ChunkJob; readonly bytes: number; readonly entry: PlannedEntry };

/** Sorts entries by the bytes of their UTF-8 names and rejects names a zip must not hold. */
export function sortEntries(
  entries: readonly {
    name: string;
    sourceFile: string;
    size: number;
    executable: boolean;
    offset?: number;
  }[],
): PlannedEntry[] {
  const planned = entries.map((e) => ({
    name: Buffer.from(e.name, "utf8"),
    displayName: e.name,
    sourceFile: e.sourceFile,
    size: e.size,
    executable: e.executable,
    offset: e.offset,
  }));
  planned.forEach(assertName);
  // For names all ASCII (the usual case), comparing the strings is comparing
  // their bytes, without a call into C++ per comparison. Otherwise the bytes
  // decide: UTF-16 order differs from UTF-8's past U+D7FF.
  const ascii = planned.every((e) => e.name.length === e.displayName.length);
  if (ascii)
    planned.sort((a, b) =>
      a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0,
    );
  else planned.sort((a, b) => Buffer.compare(a.name, b.name));
  for (let i = 1; i < planned.length; i++) {
    if (planned[i].name.equals(planned[i - 1].name)) {
      throw new LambdaPackageError(
        "ZIP_DUPLICATE_ENTRY",
        `Two files map to the zip entry "${planned[i].displayName}" ` +
          `(${planned[i - 1].sourceFile} and ${planned[i].sourceFile}); keep only one of them.`,
      );
    }
  }
  return planned;
}

/** A part of a path that is empty, "." or "..": between slashes or the ends. */
const EMPTY_DOT_OR_DOTDOT_PART = /(?:^|\/)\.{0,2}(?:\/|$)/;

function assertName(entry: PlannedEntry): void {
  const name = entry.displayName;
  const bad =
    name === "" ||
    name.startsWith("/") ||
    name.endsWith("/") ||
    name.includes("\\") ||
    EMPTY_DOT_OR_DOTDOT_PART.test(name) ||
    entry.name.length > 0xffff;
  if (bad) {
    throw new LambdaPackageError(
      "ZIP_BAD_ENTRY_NAME",
      `Zip entry name "${name}" (from ${entry.sourceFile}) must be a relative path of ` +
        `forward-slash-separated parts without ".", ".." or empty parts; rename the file.`,
    );
  }
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
    throw new LambdaPackageError(
      "ZIP_BAD_ENTRY_SIZE",
      `Zip entry "${name}" has size ${entry.size}; pass the size from stat().`,
    );
  }
}

/** Cuts the sorted entries into jobs: batches of small files and chunks of big ones. */
export function planUnits(entries: readonly PlannedEntry[], level: number): Planned {
  const units: Unit[] = [];
  let batch: PlannedEntry[] = [];
  let batchBytes = 0;
  // A small file can repeat another only if another has its size.
  const sizes = new Map<number, number>();
  for (const e of entries) {
    if (e.size > 0 && e.size <= BIG_FILE) sizes.set(e.size, (sizes.get(e.size) ?? 0) + 1);
  }
  const repeats = { files: 0, bytes: 0 };
  const flush = () => {
    if (batch.length === 0) return;
    const repeatable = batch.map((e) => level > 0 && (sizes.get(e.size) ?? 0) > 1);
    const job: FilesJob = {
      kind: "files",
      level,
      paths: batch.map((e) => e.sourceFile),
      sizes: batch.map((e) => e.size),
      offsets: batch.map((e) => e.offset ?? WHOLE_FILE),
      repeatable: repeatable.includes(true) ? repeatable : undefined,
    };
    batch.forEach((e, i) => {
      if (!repeatable[i]) return;
      repeats.files++;
      repeats.bytes += e.size;
    });
    units.push({ job, bytes: batchBytes, entries: batch });
    batch = [];
    batchBytes = 0;
  };
  for (const entry of entries) {
    if (entry.size <= BIG_FILE) {
      if (batchBytes + entry.size > BATCH_BYTES) flush();
      batch.push(entry);
      batchBytes += entry.size;
      if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) flush();
      continue;
    }
    flush();
    for (let offset = 0; offset < entry.size; offset += CHUNK) {
      const length = Math.min(CHUNK, entry.size - offset);
      const last = offset + length === entry.size;
      const job: ChunkJob = {
        kind: "chunk",
        level,
        path: entry.sourceFile,
        fileSize: entry.size,
        base: entry.offset ?? WHOLE_FILE,
        offset,
        length,
        last,
      };
      units.push({ job, bytes: length, entry });
    }
  }
  flush();
  return { units, repeats };
}

/** A zip's jobs, and how many files (and bytes) may repeat another. */
export interface Planned {
  readonly units: Unit[];
  readonly repeats: { readonly files: number; readonly bytes: number };
}
