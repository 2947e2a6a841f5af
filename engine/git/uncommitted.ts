import { createHash, type Hash } from "node:crypto";
import { closeSync, lstatSync, openSync, readlinkSync, readSync, type Stats } from "node:fs";
import path from "node:path";
import { runGit } from "./run";

/** Hex digits of the uncommitted digest kept in a key: 64 bits tell edits apart. */
const DIGEST_HEX = 16;
const READ_CHUNK = 1024 * 1024;

/**
 * The repository-relative paths with uncommitted changes under `pathspecs`
 * (relative to `cwd`): modified, staged, deleted, untracked and not ignored.
 *
 * The cost is one `git status`: git compares each tracked file's stat data
 * with its index entry (no content is read unless the stat data changed) and
 * lists the untracked files under the paths.
 */
export function uncommittedPaths(cwd: string, pathspecs: readonly string[]): string[] {
  return changedPaths(runGit(statusArgs(pathspecs, cwd), { cwd }));
}

/**
 * The `git status` that lists what `uncommittedPaths` returns, for callers
 * that batch it, run in `cwd`. The first status of a directory in a process
 * takes the index's optional lock, to write back the stat data it refreshed
 * (so files a fresh checkout left "racily clean" are compared by content
 * once, not on every call); later ones skip the lock (`--no-optional-locks`),
 * whose file creation and removal cost 0.3–1 ms a call on ext4, a tenth of
 * a preview's git time per resource. The listing is the same either way.
 */
export function statusArgs(pathspecs: readonly string[], cwd: string): string[] {
  const locks = statusedDirectories.has(cwd) ? ["--no-optional-locks"] : [];
  statusedDirectories.add(cwd);
  return [
    ...locks,
    "status",
    "--porcelain=v1",
    "-z",
    "--untracked-files=all",
    "--no-renames",
    "--ignore-submodules=none",
    "--",
    ...pathspecs,
  ];
}

/** Directories this process has asked a `git status` in (bounded by the repositories it keys). */
const statusedDirectories = new Set<string>();

/**
 * A digest of what the changed paths (relative to `top`) hold now, or
 * undefined when there are none. It covers each path and its current
 * content and executable bit, so two different edits give two digests and
 * undoing an edit gives the clean key back. Staging alone changes nothing:
 * what is packaged is the working tree. Only the changed files are read.
 */
export function uncommittedDigest(top: string, changed: readonly string[]): string | undefined {
  if (changed.length === 0) return undefined;
  const hash = createHash("sha256");
  for (const name of changed) {
    hash.update(`${name}\0`);
    addState(hash, path.join(top, name));
    hash.update("\n");
  }
  return hash.digest("hex").slice(0, DIGEST_HEX);
}

/** Those of `changed` under any of `paths` (both relative to the top; `""` is all of it). */
export function under(changed: readonly string[], paths: readonly string[]): string[] {
  return changed.filter((name) =>
    paths.some((p) => p === "" || p === "." || name === p || name.startsWith(`${p}/`)),
  );
}

/**
 * The repository-relative paths in `git status --porcelain=v1 -z` output,
 * sorted and without repeats: each record is `XY path` and a NUL (renames,
 * which add a second path, are turned off).
 */
export function changedPaths(output: string): string[] {
  const paths = new Set<string>();
  for (const record of output.split("\0")) {
    if (record.length > 3) paths.add(record.slice(3).replace(/\/$/, ""));
  }
  return [...paths].sort();
}

/** What a changed path holds now: gone, a link and its target, or a file's mode and bytes. */
function addState(hash: Hash, file: string): void {
  // A directory here is a submodule (or a nested repository) with changes of its own: its
  // commit and, the same way, what is uncommitted in it.
  addPathState(hash, file, (dir) => hash.update(`repository ${nestedState(dir)}`));
}

/**
 * Feeds what `file` holds now to `hash`: `deleted`, a link's target, or a
 * file's mode and bytes; a directory is `directory`'s to describe. One
 * description of a path's state for every key that reads bytes.
 */
export function addPathState(hash: Hash, file: string, directory: (dir: string) => void): void {
  let info: Stats;
  try {
    info = lstatSync(file);
  } catch {
    hash.update("deleted");
    return;
  }
  if (info.isSymbolicLink()) hash.update(`link ${readlinkSync(file)}`);
  else if (info.isFile()) {
    hash.update((info.mode & 0o111) !== 0 ? "file 755 " : "file 644 ");
    hashFile(hash, file);
  } else if (info.isDirectory()) directory(file);
}

function nestedState(dir: string): string {
  try {
    const head = runGit(["rev-parse", "HEAD"], { cwd: dir }).trim();
    return `${head} ${uncommittedDigest(dir, uncommittedPaths(dir, ["."])) ?? "clean"}`;
  } catch {
    return "unreadable"; // a repository without commits: named, its contents not hashed
  }
}

/** Feeds a file's bytes to `hash` a chunk at a time, so a large edited file needs no large buffer. */
export function hashFile(hash: Hash, file: string): void {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const read = readSync(fd, buffer, 0, READ_CHUNK, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
}
