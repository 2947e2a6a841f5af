/**
 * A package's tarball unpacked as npm unpacks it (pacote on node-tar, then
 * bin-links), into ranges of one archive file instead of files on disk:
 *
 * - only regular files; directories come with them, links are dropped;
 * - the tarball's top directory is stripped, `..` paths are dropped, a
 *   leading `/` is removed;
 * - `.gitignore` becomes `.npmignore` unless the package has one (npm pack
 *   renamed it the other way);
 * - a later entry of the same path replaces an earlier one;
 * - files with an executable bit stay executable, and so does every bin;
 * - each bin is also a file of `node_modules/.bin`, as the link npm makes
 *   would be read by the walk that lists BUILD_DIR.
 *
 * Anything npm would do otherwise (rewrite a bin's `\r\n` shebang, link a bin
 * over another one) is a reason to let npm do it.
 *
 * This is where a package's file names enter: a name with a control
 * character (a manifest line per file) or a `..` part is a reason to let npm
 * unpack it; a name with a backslash, which npm writes as it is and no zip
 * entry can hold, is refused (`refused`), since npm ci would end the same
 * way. The tarball is inflated as a stream, chunk by chunk into node-tar's
 * parser and each file's bytes straight to the archive, under a budget: no
 * more of it is in memory than a chunk, whatever it inflates to.
 */
import { readSync, writeSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { formatBytes, hasUnsafeCharacter, show } from "../../../shared/format";
import { MAX_UNZIPPED_BYTES } from "../../stage/limits";

/**
 * The most one tarball may inflate to: Lambda's limit on unzipped code, which
 * the package could not pass holding all of it. Past it the tarball is left
 * to npm ci rather than refused: the build's excludes, applied later, may
 * still bring the package under the limit, and the fast path must not fail a
 * build npm ci would pass; npm ci streams the files to disk, so neither holds
 * them in memory, and the engine's limit check speaks if they are too many.
 */
export const TARBALL_BUDGET = MAX_UNZIPPED_BYTES;

/** A file of a package: `size` bytes at `offset` of the archive. */
export interface PackedFile {
  readonly offset: number;
  readonly size: number;
  executable: boolean;
}

/** The archive being written: an open file and how much is in it. */
export interface Archive {
  readonly fd: number;
  size: number;
}

/** Paths in a package (no leading "/") and their bytes in the archive. */
export type PackageFiles = Map<string, PackedFile>;

/**
 * What unpacking a tarball came to: its files; or a reason to let npm ci
 * unpack it; or a name npm ci would write too and a zip cannot hold, `refused`.
 */
export type Unpacked = { readonly files: PackageFiles } | Refusal;
export type Refusal = { readonly reason: string } | { readonly refused: string };

/**
 * What is wrong with a name from a package (a file's path, a bin's name) for
 * $SOURCE_MANIFEST and the zip, or undefined when nothing is.
 */
export function nameProblem(
  name: string,
): "a line break" | "a control character" | "a backslash" | undefined {
  if (/[\r\n]/.test(name)) return "a line break";
  if (hasUnsafeCharacter(name)) return "a control character";
  if (name.includes("\\")) return "a backslash";
  return undefined;
}

/** Why a file's name stops the unpacking, if it does. */
function fileNameRefusal(name: string): Refusal | undefined {
  const problem = nameProblem(name);
  // A line break's reason is kept as it was.
  if (problem === "a line break") return { reason: "its tarball holds a name with a line break" };
  if (problem === "a control character") {
    return { reason: `its tarball holds ${show(name)}, a name with a control character` };
  }
  // npm writes it as it is, and then the zip cannot hold it: npm ci ends no better.
  if (problem === "a backslash") {
    return {
      refused: `its tarball holds ${show(name)}, and a zip entry's name cannot hold a backslash`,
    };
  }
  return undefined;
}

/**
 * The files of the gzipped tarball `tarball`, appended to `archive`, or why
 * npm must unpack it (see `Unpacked`).
 */
export async function unpackTarball(
  tarball: Readable | Buffer,
  archive: Archive,
): Promise<Unpacked> {
  const files: PackageFiles = new Map();
  const ignoreFiles = new Set<string>();
  let outcome: Refusal | undefined;
  const stop = (why: Refusal) => (outcome ??= why);
  const tooBig = () =>
    stop({ reason: `its tarball unpacks to more than ${formatBytes(TARBALL_BUDGET)}` });
  let declared = 0;
  const parser = new Parser({
    strict: true,
    // Inflated here already; a tarball zstd-compressed inside is not one npm unpacks.
    zstd: false,
    onReadEntry: (entry: ReadEntry) => {
      if (outcome) return entry.resume();
      const name = packagePath(entry, ignoreFiles);
      if (name === undefined) return entry.resume();
      if (typeof name !== "string") return (stop(name), entry.resume());
      if (name.startsWith("node_modules/")) stop({ reason: `its tarball holds ${name}` });
      // The header says how much follows: a file past the budget is refused before it is read.
      declared += entry.size;
      if (declared > TARBALL_BUDGET) tooBig();
      if (outcome) return entry.resume();
      const offset = archive.size;
      entry.on("data", (chunk: Buffer) => {
        writeSync(archive.fd, chunk, 0, chunk.length, archive.size);
        archive.size += chunk.length;
      });
      // Permission bits as node-tar creates the file: no umask clears an executable bit npm keeps.
      files.set(name, { offset, size: entry.size, executable: ((entry.mode ?? 0) & 0o111) !== 0 });
    },
  });
  parser.on("error", (error: Error) =>
    stop({ reason: `its tarball is unreadable: ${error.message}` }),
  );
  // Past the end-of-archive blocks node-tar keeps whatever comes, growing one buffer; npm
  // writes none of it, so none of it is read.
  let ended = false;
  parser.on("eof", () => (ended = true));
  const source = Buffer.isBuffer(tarball) ? Readable.from([tarball]) : tarball;
  const gunzip = createGunzip();
  // Its errors reach the loop below, through gunzip; stopping early is not one.
  const flowing = pipeline(source, gunzip).catch(() => undefined);
  let inflated = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      // npm inflates once; what is still gzip inside is no tarball to it.
      if (inflated === 0 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
        stop({ reason: "its tarball is gzipped twice" });
      }
      inflated += chunk.length;
      // Headers, padding and the bodies of entries left out count too: all of it is inflated.
      if (inflated > TARBALL_BUDGET) tooBig();
      if (outcome) break;
      parser.write(chunk);
      if (outcome || ended) break;
    }
  } catch (error) {
    stop({ reason: `its tarball is unreadable: ${(error as Error).message}` });
  } finally {
    source.destroy();
    gunzip.destroy();
    await flowing;
  }
  if (outcome) return outcome;
  parser.end();
  if (outcome) return outcome;
  for (const [name, file] of files) {
    if (file.offset + file.size > archive.size)
      return { reason: `its tarball ends inside ${name}` };
  }
  return { files };
}

/**
 * The entry's path in the package as pacote's filter and node-tar's `strip: 1`
 * leave it; undefined when npm does not write it; or what is wrong with it.
 */
function packagePath(entry: ReadEntry, ignoreFiles: Set<string>): string | Refusal | undefined {
  if (!/File$/.test(entry.type)) return undefined;
  let raw = entry.path;
  const base = path.posix.basename(raw);
  if (base === ".npmignore") ignoreFiles.add(raw);
  else if (base === ".gitignore") {
    const renamed = raw.replace(/\.gitignore$/, ".npmignore");
    if (ignoreFiles.has(renamed)) return undefined;
    raw = renamed;
  }
  const parts = raw.split("/").slice(1);
  // node-tar skips such an entry; npm ci says so, and nothing of it is written.
  if (parts.includes("..")) {
    return { reason: `its tarball holds ${show(entry.path)}, a path out of the package` };
  }
  // Empty and "." parts go, as node-tar makes the path; a leading "/" too.
  const name = path.posix.normalize(parts.join("/")).replace(/^\/+/, "");
  if (name === "" || name === "." || name.endsWith("/")) return undefined;
  return fileNameRefusal(name) ?? name;
}

/** A package's bins as npm normalises `bin`: link name → path in the package. */
export function packageBins(manifest: { name?: unknown; bin?: unknown }): Map<string, string> {
  const bins = new Map<string, string>();
  let bin = manifest.bin;
  if (typeof bin === "string") {
    if (typeof manifest.name !== "string") return bins;
    bin = { [manifest.name]: bin };
  } else if (Array.isArray(bin)) {
    bin = Object.fromEntries(
      bin.filter((b): b is string => typeof b === "string").map((b) => [path.posix.basename(b), b]),
    );
  }
  if (typeof bin !== "object" || bin === null) return bins;
  for (const [key, target] of Object.entries(bin as Record<string, unknown>)) {
    const name = path.posix.join("/", path.posix.basename(key.replace(/\\|:/g, "/"))).slice(1);
    if (typeof target !== "string" || !name) continue;
    const file = path.posix.join("/", target.replace(/\\/g, "/")).slice(1);
    if (file) bins.set(name, file);
  }
  return bins;
}

/** Bytes a bin-links shebang check reads. */
const SHEBANG_PEEK = 2048;

/** Whether a bin starts with a `#!…\r\n` line, which npm rewrites to `\n` on install. */
export function hasWindowsShebang(archive: Archive, file: PackedFile): boolean {
  const head = Buffer.alloc(Math.min(SHEBANG_PEEK, file.size));
  readSync(archive.fd, head, 0, head.length, file.offset);
  return /^#![^\n]+\r\n/.test(head.toString());
}
