import { statSync } from "node:fs";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { LambdaPackageError } from "../../shared/errors";
import { escapeText } from "../../shared/format";
import type { PlannedEntry } from "./plan";

/** What a source file looked like before it was read: size and mtime. */
export type Snapshot = ReadonlyMap<string, { readonly size: number; readonly mtimeMs: number }>;

/**
 * Files stat'ed between two turns of the event loop. The calls are
 * synchronous: an async stat is a hand-off to libuv's thread pool and back
 * that costs several times the call itself, and a zip takes two of these
 * snapshots of every file. A slice of 512 takes about a millisecond.
 */
const STAT_SLICE = 512;

/**
 * Stats `files`: size and mtime of file `i` at `2i` and `2i + 1`, NaN for a
 * file that cannot be stat'ed. The zipper hands this to its worker threads,
 * which stat a share each at once (see pool.ts), or calls `statHere`.
 */
export type StatFiles = (files: readonly string[]) => Promise<Float64Array>;

/** `StatFiles` on this thread, letting the event loop run between slices. */
export async function statHere(files: readonly string[]): Promise<Float64Array> {
  const out = new Float64Array(2 * files.length);
  for (let at = 0; at < files.length; at += STAT_SLICE) {
    if (at > 0) await yieldToLoop();
    statInto(files, at, Math.min(at + STAT_SLICE, files.length), out, 2 * at);
  }
  return out;
}

/** `StatFiles` at once, for a thread that has nothing else to do. */
export function statAll(files: readonly string[]): Float64Array {
  const out = new Float64Array(2 * files.length);
  statInto(files, 0, files.length, out, 0);
  return out;
}

function statInto(
  files: readonly string[],
  from: number,
  to: number,
  out: Float64Array,
  at: number,
): void {
  for (let i = from; i < to; i++, at += 2) {
    const info = statSafe(files[i]);
    out[at] = info ? info.size : NaN;
    out[at + 1] = info ? info.mtimeMs : NaN;
  }
}

/** What a snapshot needs of an entry: its file, and the stat its caller took of it, if any. */
interface SnapshotEntry {
  readonly sourceFile: string;
  readonly size: number;
  readonly offset?: number;
  readonly mtimeMs?: number;
}

/**
 * Size and mtime of each source file, taken before any is read. ctime is
 * left out on purpose: a hard link made to the file (pnpm's store, a cache
 * shared by builds running at once) changes it without changing a byte. A
 * file that cannot be stat'ed is left out; reading it reports why.
 */
export async function snapshot(
  entries: readonly { readonly sourceFile: string }[],
  statFiles: StatFiles = statHere,
): Promise<Snapshot> {
  return statSnapshot([...new Set(entries.map((e) => e.sourceFile))], statFiles, new Map());
}

/**
 * The snapshot before the zip reads anything. A whole-file entry whose
 * caller stat'ed it (the walk does, for its size) brings its size and mtime:
 * taken earlier, they make the window a change is caught in only wider,
 * and a tree of 15,000 files costs 15,000 system calls fewer. Ranges of an
 * archive, and entries without, are stat'ed here.
 */
export async function snapshotBefore(
  entries: readonly SnapshotEntry[],
  statFiles: StatFiles = statHere,
): Promise<Snapshot> {
  const given = new Map<string, { size: number; mtimeMs: number }>();
  for (const { sourceFile, size, offset, mtimeMs } of entries) {
    if (offset === undefined && mtimeMs !== undefined && !given.has(sourceFile))
      given.set(sourceFile, { size, mtimeMs });
  }
  const rest = new Set<string>();
  for (const { sourceFile } of entries) if (!given.has(sourceFile)) rest.add(sourceFile);
  return statSnapshot([...rest], statFiles, given);
}

/** `seen` with the stat of each of `files` added. */
async function statSnapshot(
  files: readonly string[],
  statFiles: StatFiles,
  seen: Map<string, { size: number; mtimeMs: number }>,
): Promise<Snapshot> {
  const stats = files.length > 0 ? await statFiles(files) : new Float64Array(0);
  for (let i = 0; i < files.length; i++) {
    const size = stats[2 * i];
    if (!Number.isNaN(size)) seen.set(files[i], { size, mtimeMs: stats[2 * i + 1] });
  }
  return seen;
}

/** stat, or undefined for a file that is gone or cannot be stat'ed (reading it says why). */
function statSafe(file: string) {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * Checks, once every byte is in the zip, that no source file changed since
 * `before` and that each whole file is still the size it was staged with.
 * Reading a file checks its size as it is read; this catches what a writer
 * did after that (a file grown or rewritten once its bytes were taken), so a
 * file another process was still writing never passes as a finished one.
 *
 * @throws LambdaPackageError `ZIP_FILE_CHANGED` naming the first file changed.
 */
export async function assertUnchanged(
  entries: readonly PlannedEntry[],
  before: Snapshot,
  statFiles: StatFiles = statHere,
): Promise<void> {
  const after = await snapshot(entries, statFiles);
  for (const entry of entries) {
    const was = before.get(entry.sourceFile);
    const now = after.get(entry.sourceFile);
    let why: string | undefined;
    if (!now) why = "it was removed while zipping";
    else if (entry.offset === undefined && now.size !== entry.size)
      why = `its size changed from ${entry.size} to ${now.size} bytes while zipping`;
    else if (was && now.size !== was.size)
      why = `its size changed from ${was.size} to ${now.size} bytes while zipping`;
    else if (was && now.mtimeMs !== was.mtimeMs) why = "it was written to while zipping";
    if (why) throw fileChanged(entry.sourceFile, entry.displayName, why);
  }
}

/**
 * The error for a source file that changed under the zipper: most often a
 * process still writing it after the packager exited, a background child
 * that left the packager's process group (setsid), which cannot be stopped.
 */
export function fileChanged(file: string, name: string, why: string): LambdaPackageError {
  return new LambdaPackageError(
    "ZIP_FILE_CHANGED",
    `Cannot zip ${file} (zip entry "${escapeText(name)}"): ${why}. A process may still be ` +
      "writing it, such as a background child the packager left running (one started with " +
      "setsid outlives it). Make the packager wait for everything it starts, then build again.",
  );
}
