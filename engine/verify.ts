/**
 * The proof that a package is reproducible: built twice, the second time
 * from a copy of the source at another path, the two zips must be the same
 * bytes. Building twice in place would miss the commonest way a package
 * depends on its checkout: a path (absolute, or relative through the
 * checkout's own directory name) written into a file of the package.
 */
import { realpathSync, type Dirent, type Stats } from "node:fs";
import {
  copyFile,
  link,
  lstat,
  lutimes,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  utimes,
} from "node:fs/promises";
import path from "node:path";
import yauzl from "yauzl";
import { LambdaPackageError } from "../shared/errors";
import { isWithin } from "../shared/paths";
import { Semaphore } from "../shared/semaphore";
import { build, type BuildResult } from "./build";
import { runGit } from "./git/run";
import { workTreeTop } from "./git/work-tree";
import {
  diffListings,
  openFileSource,
  readCentralDirectory,
  type ListingDiff,
  type ZipListing,
} from "./listing";
import type { BuildOptions } from "./options";
import { nextEntry } from "./zip/entries";
import { TEMP_PREFIX, withWorkDir } from "./workdir";

/** What was copied for the second build, and where to. */
export interface Relocation {
  /**
   * `workTree`: the git work tree holding sourcePath (its files that are not
   * ignored, all of sourcePath, the ignored `node_modules` directories and
   * ignored files the first build read). `sourcePath`: sourcePath alone, as
   * it is in no work tree; what the build reads outside it is read in place.
   */
  readonly scope: "workTree" | "sourcePath";
  /** The directory copied: the work tree's top, or sourcePath. Real path. */
  readonly from: string;
  /** Where it was copied to; removed when verify ends. */
  readonly to: string;
  /** Files copied or hard-linked, links made. */
  readonly files: number;
}

export type VerifyResult = BuildResult & {
  readonly reproducible: true;
  readonly relocation: Relocation;
};

/** Builds a package; `build` itself, or a caller's wrapper that shows progress. */
export type Builder = (options: BuildOptions) => Promise<BuildResult>;

/**
 * Builds `options` twice and compares the zips: first where the source is,
 * then from a copy at another path (a new directory name for the checkout, at
 * another depth), with every other option the same. Resolves to the first
 * build's result when both are the same bytes (its zip is removed: verify
 * keeps no package). Throws NOT_REPRODUCIBLE naming the entries that differ,
 * and which of them hold the checkout's path or directory name.
 */
export async function verifyBuild(
  options: BuildOptions,
  run: Builder = build,
): Promise<VerifyResult> {
  const given = { ...options, outFile: undefined };
  const first = await run(given);
  try {
    return await withWorkDir(async (work) => {
      const source = realpathSync(path.resolve(options.sourcePath));
      const relocation = await relocate(source, realpathSync(work), first.reads.paths);
      const moved = path.join(relocation.to, path.relative(relocation.from, source));
      let second: BuildResult;
      try {
        second = await run({
          ...given,
          sourcePath: moved,
          // A packager kept in the checkout runs from the copy too: one that finds its
          // helpers beside itself must not reach back into the original.
          packager: given.packager && movedPath(given.packager, relocation),
          packagersDir: given.packagersDir && movedPath(given.packagersDir, relocation),
        });
      } catch (error) {
        throw relocatedBuildFailed(error, source, relocation);
      }
      try {
        const [a, b] = await Promise.all([readFile(first.path), readFile(second.path)]);
        if (!a.equals(b)) {
          throw await notReproducible(first, second, { source, moved, relocation });
        }
      } finally {
        await rm(second.path, { force: true });
      }
      return { ...first, reproducible: true as const, relocation };
    });
  } finally {
    await rm(first.path, { force: true });
  }
}

/**
 * Copies what the build of `source` needs to a new place under `work`. In a
 * git work tree that is the tree at the same relative place: without the
 * rest of it, a bundle importing `../shared/x.ts` or a workspace member
 * reading the root's lockfile would fail. The copy's top gets a name of its
 * own and another depth, so a path embedded absolute, or relative through
 * the checkout's name, or counted in `../`, changes.
 */
async function relocate(
  source: string,
  work: string,
  reads: readonly string[],
): Promise<Relocation> {
  const top = workTreeTop(source);
  const from = top ?? source;
  const name = `relocated-${path.basename(work).slice(TEMP_PREFIX.length)}`;
  const depth = (dir: string) => dir.split(path.sep).filter(Boolean).length;
  // One more level when the plain place would sit at the original's depth.
  const parent = depth(work) + 1 === depth(from) ? path.join(work, "deeper") : work;
  const to = path.join(parent, name === path.basename(from) ? `${name}-copy` : name);
  const roots = new Set<string>([path.relative(from, source)]);
  if (top !== undefined) {
    for (const file of gitFiles(top, ["-c", "-o", "--exclude-standard"])) roots.add(file);
    // Ignored files the first build read (a generated import), and the node_modules that
    // Node's resolution walks through from them: those in a directory on the way up from
    // sourcePath or a read file. Another package's node_modules is no input, only cost.
    const read = reads
      .filter((r) => r !== top && isWithin(r, top))
      .map((r) => path.relative(top, r));
    const onTheWay = new Set([path.relative(top, source), ...read].flatMap(ancestors));
    for (const entry of gitFiles(top, ["-o", "-i", "--exclude-standard", "--directory"])) {
      const parts = entry.split(path.sep);
      const at = parts.indexOf("node_modules");
      if (at >= 0 && onTheWay.has(parts.slice(0, at).join(path.sep))) roots.add(entry);
    }
    for (const r of read) roots.add(r);
  }
  const copier = new Copier();
  await mkdir(to, { recursive: true });
  for (const root of outermost([...roots])) {
    await copier.place(path.join(from, root), path.join(to, root), inNodeModules(root), from);
  }
  return { scope: top === undefined ? "sourcePath" : "workTree", from, to, files: copier.files };
}

/** Paths `git ls-files` gives with `args`, relative to the top, without a trailing slash. */
function gitFiles(top: string, args: readonly string[]): string[] {
  const listed = runGit(["ls-files", "-z", ...args], { cwd: top })
    .split("\0")
    .filter(Boolean);
  return listed.map((entry) => entry.replace(/\/$/, "").split("/").join(path.sep));
}

/** The paths not under another of them: copying a directory copies what is in it. */
function outermost(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const candidate of sorted) {
    if (!kept.some((dir) => isWithin(candidate, dir))) kept.push(candidate);
  }
  return kept;
}

/** `relative` and each directory above it, up to the top (""). */
function ancestors(relative: string): string[] {
  const all = [relative];
  for (let dir = relative; dir !== "";) {
    dir = path.dirname(dir) === "." ? "" : path.dirname(dir);
    all.push(dir);
  }
  return all;
}

function inNodeModules(relative: string): boolean {
  return relative.split(path.sep).includes("node_modules");
}

/** Files are copied a few at a time: enough to keep the disk busy on a large tree. */
const COPY_SLOTS = 16;

/**
 * Copies a tree keeping what a build could see besides the path: modes, times
 * and links as they are (a relative link still points within the copy).
 * Files under `node_modules` are hard-linked when they can be: thousands of
 * files no build writes to (installers replace them, they do not edit them),
 * and unlike a link to the directory, which esbuild would resolve back to the
 * original, a hard link has the copy's path.
 */
class Copier {
  files = 0;
  private readonly slots = new Semaphore(COPY_SLOTS);

  /** Copies `src` (a file, link or directory) to `dest`; nothing when it is gone. */
  async place(src: string, dest: string, hardLink: boolean, top: string): Promise<void> {
    const info = await lstat(src).catch((error: NodeJS.ErrnoException) => {
      // A tracked file deleted in the work tree: the build does not see it either.
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (info === undefined) return;
    await mkdir(path.dirname(dest), { recursive: true });
    await this.entry(src, dest, info, hardLink, top);
  }

  private async entry(
    src: string,
    dest: string,
    kind: Stats | Dirent,
    hardLink: boolean,
    top: string,
  ): Promise<void> {
    if (kind.isDirectory()) {
      // The work tree's own repository is never part of a package.
      if (src === path.join(top, ".git")) return;
      const entries = await this.slots.run(async () => {
        await mkdir(dest, { recursive: true });
        return readdir(src, { withFileTypes: true });
      });
      await Promise.all(
        entries.map((e) =>
          this.entry(
            path.join(src, e.name),
            path.join(dest, e.name),
            e,
            hardLink || e.name === "node_modules",
            top,
          ),
        ),
      );
      const info = await lstat(src);
      await utimes(dest, info.atime, info.mtime);
      return;
    }
    if (!kind.isFile() && !kind.isSymbolicLink()) return;
    await this.slots.run(async () => {
      if (kind.isSymbolicLink()) {
        await symlink(await readlink(src), dest);
        const info = await lstat(src);
        await lutimes(dest, info.atime, info.mtime);
      } else if (
        hardLink &&
        (await link(src, dest).then(
          () => true,
          () => false,
        ))
      ) {
        // The same inode: mode and times are the original's already.
      } else {
        // copyFile keeps the mode, not the times; a hard link fails across file systems.
        await copyFile(src, dest);
        const info = await lstat(src);
        await utimes(dest, info.atime, info.mtime);
      }
      this.files++;
    });
  }
}

/** `file` in the copy when it lies in what was copied, else where it is. */
function movedPath(file: string, relocation: Relocation): string {
  let real: string;
  try {
    real = realpathSync(path.resolve(file));
  } catch {
    return file;
  }
  if (!isWithin(real, relocation.from)) return file;
  const moved = path.join(relocation.to, path.relative(relocation.from, real));
  try {
    realpathSync(moved);
    return moved;
  } catch {
    return file;
  }
}

function copied(relocation: Relocation): string {
  return relocation.scope === "workTree"
    ? `the git work tree ${relocation.from} (its files that git does not ignore, all of ` +
        `sourcePath, node_modules)`
    : `${relocation.from} alone (it is in no git work tree; files the build reads outside it ` +
        `were read in place)`;
}

function relocatedBuildFailed(
  error: unknown,
  source: string,
  relocation: Relocation,
): LambdaPackageError {
  const reason = error instanceof Error ? error.message : String(error);
  return new LambdaPackageError(
    error instanceof LambdaPackageError ? error.code : "NOT_REPRODUCIBLE",
    `verify built ${source}, then copied ${copied(relocation)} to ${relocation.to} and built ` +
      `it there, which failed: ${reason}\nThe build needs a file that was not copied, or it ` +
      `reads the checkout's path; a file git ignores outside sourcePath is copied only when ` +
      `the first build is known to read it (a bundle's inputs).`,
    { cause: error },
  );
}

/** How many differing entries the message names; the rest are counted. */
const MAX_NAMED = 10;
/** Entries bigger than this are not searched for paths. */
const MAX_SEARCHED_BYTES = 64 * 1024 * 1024;

interface Places {
  readonly source: string;
  readonly moved: string;
  readonly relocation: Relocation;
}

async function notReproducible(
  first: BuildResult,
  second: BuildResult,
  places: Places,
): Promise<LambdaPackageError> {
  const { source, relocation } = places;
  const diff = diffListings(await listing(first.path), await listing(second.path));
  const differing = [
    ...diff.changed.map((c) => ({
      kind: "changed",
      name: c.name,
      why: ` (${c.reasons.join(", ")})`,
    })),
    ...diff.added.map((e) => ({ kind: "only in the copy's build", name: e.name, why: "" })),
    ...diff.removed.map((e) => ({ kind: "only in the first build", name: e.name, why: "" })),
  ];
  const named = differing.slice(0, MAX_NAMED);
  const wanted = new Set(named.map((d) => d.name));
  const [before, after] = await Promise.all([
    entryContents(first.path, wanted),
    entryContents(second.path, wanted),
  ]);
  let embedded = false;
  const lines = named.map(({ kind, name, why }) => {
    const found = embeddedPath(before.get(name), after.get(name), places);
    if (found) embedded = true;
    return `  ${kind}: ${name}${why}${found ? `: ${found}` : ""}`;
  });
  if (differing.length > named.length)
    lines.push(`  … and ${differing.length - named.length} more`);
  if (lines.length === 0) lines.push(`  no entry differs: ${sameFilesNote(diff)}`);
  const advice = embedded
    ? "The package depends on where the source is checked out, so another checkout (a CI " +
      "runner, a colleague's machine) gives other bytes: have the packager write paths " +
      "relative to $SOURCE_PATH or $BUILD_DIR, or none."
    : "The packager writes something that changes between runs or with the checkout's path " +
      "(timestamps, random names, paths); run with --verbose, or build twice with " +
      "`lambda-package build -o` and compare with `lambda-package diff`.";
  return new LambdaPackageError(
    "NOT_REPRODUCIBLE",
    `Two builds of ${source} differ (${first.sha256} vs ${second.sha256}); the second ran ` +
      `from a copy of ${copied(relocation)} at ${relocation.to}. Entries that differ:\n` +
      `${lines.join("\n")}\n${advice}`,
  );
}

function sameFilesNote(diff: ListingDiff): string {
  return `the ${diff.unchanged} files are the same; the zips differ in their order or headers`;
}

/** What an entry holds of the checkout's path: the absolute path, or the directory's name. */
function embeddedPath(
  before: Buffer | undefined,
  after: Buffer | undefined,
  { source, moved, relocation }: Places,
): string | undefined {
  const holds = (bytes: Buffer | undefined, text: string) => bytes?.includes(text) === true;
  if (
    [source, relocation.from].some((p) => holds(before, p)) ||
    [moved, relocation.to].some((p) => holds(after, p))
  ) {
    return `it holds the checkout's absolute path (${source} in the first build, ${moved} in the copy's)`;
  }
  // The copy's name is made to be found nowhere else; the original's may be a common word.
  if (holds(after, path.basename(relocation.to))) {
    return `it holds the checkout's directory name ("${path.basename(relocation.from)}", in the copy "${path.basename(relocation.to)}")`;
  }
  return undefined;
}

async function listing(zipFile: string): Promise<ZipListing> {
  const source = await openFileSource(zipFile);
  try {
    return await readCentralDirectory(source);
  } finally {
    await source.close();
  }
}

/** The bytes of the entries of `zipFile` named in `names` (up to MAX_SEARCHED_BYTES each). */
async function entryContents(
  zipFile: string,
  names: ReadonlySet<string>,
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (names.size === 0) return found;
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipFile, { lazyEntries: true, autoClose: false }, (error, opened) =>
      error ? reject(error) : resolve(opened),
    ),
  );
  try {
    const failure = (error: Error) => error;
    for (let entry = await nextEntry(zip, failure); entry; entry = await nextEntry(zip, failure)) {
      if (!names.has(entry.fileName) || entry.uncompressedSize > MAX_SEARCHED_BYTES) continue;
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        zip.openReadStream(entry, (error, opened) => (error ? reject(error) : resolve(opened))),
      );
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      found.set(entry.fileName, Buffer.concat(chunks));
    }
  } finally {
    zip.close();
  }
  return found;
}
