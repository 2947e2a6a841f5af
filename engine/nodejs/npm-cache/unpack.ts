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
 */
import { readSync, writeSync } from "node:fs";
import path from "node:path";
import { Parser, type ReadEntry } from "tar";

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

/** The files of the tarball `tgz`, appended to `archive`, or the reason npm must unpack it. */
export function unpackTarball(
  tgz: Buffer,
  archive: Archive,
): { readonly files: PackageFiles } | { readonly reason: string } {
  const files: PackageFiles = new Map();
  const ignoreFiles = new Set<string>();
  let reason: string | undefined;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const name = packagePath(entry, ignoreFiles);
      if (name === undefined) return entry.resume();
      if (name.startsWith("node_modules/")) reason ??= `its tarball holds ${name}`;
      // $SOURCE_MANIFEST has a line per entry.
      if (/[\r\n]/.test(name)) reason ??= `its tarball holds a name with a line break`;
      const offset = archive.size;
      entry.on("data", (chunk: Buffer) => {
        writeSync(archive.fd, chunk, 0, chunk.length, archive.size);
        archive.size += chunk.length;
      });
      // Permission bits as node-tar creates the file: no umask clears an executable bit npm keeps.
      files.set(name, { offset, size: entry.size, executable: ((entry.mode ?? 0) & 0o111) !== 0 });
    },
  });
  parser.on("error", (error: Error) => (reason ??= `its tarball is unreadable: ${error.message}`));
  parser.end(tgz);
  if (reason) return { reason };
  for (const [name, file] of files) {
    if (file.offset + file.size > archive.size)
      return { reason: `its tarball ends inside ${name}` };
  }
  return { files };
}

/**
 * The entry's path in the package as pacote's filter and node-tar's `strip: 1`
 * leave it, or undefined when npm does not write it.
 */
function packagePath(entry: ReadEntry, ignoreFiles: Set<string>): string | undefined {
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
  if (parts.includes("..")) return undefined;
  const name = path.posix.normalize(parts.join("/")).replace(/^\/+/, "");
  if (name === "" || name === "." || name.endsWith("/")) return undefined;
  return name;
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
