import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import path from "node:path";
import type { Ignore } from "ignore";
import { LambdaPackageError } from "../../shared/errors";

/** A file that goes into the package. */
export interface StagedFile {
  /** Path inside the zip, forward slashes. */
  readonly name: string;
  /** Real path of the bytes on disk (symlinks resolved). */
  readonly sourceFile: string;
  readonly size: number;
  readonly executable: boolean;
  /**
   * Where the bytes start when they are a range of `sourceFile` (an entry a
   * packager listed in $SOURCE_MANIFEST); none: the whole file.
   */
  readonly offset?: number;
  /** mtime of `sourceFile` from the stat that gave `size`, when the walk took it (see ZipEntry). */
  readonly mtimeMs?: number;
}

export interface WalkOptions {
  /** Gitignore-style patterns matched against package paths (`prefix` + the path under root). */
  readonly exclude: Ignore;
  /** Patterns matched against paths under the root itself. @default none */
  readonly rootExclude?: Ignore;
  /** Where the root's files go in the package, ending in "/". @default "" (the package root) */
  readonly prefix?: string;
  /** Real paths a symlink may point into besides the root: the source directory. */
  readonly allowedRoots: readonly string[];
  /** The user's source directory, which messages name rather than temporary paths. @default root */
  readonly sourcePath?: string;
}

interface WalkContext extends Required<Omit<WalkOptions, "rootExclude">> {
  readonly rootExclude?: Ignore;
  readonly files: StagedFile[];
  /** Real paths of directories on the current descent, to stop symlink loops. */
  readonly ancestors: Set<string>;
  /** Entries visited since the walk last let the event loop run. */
  sinceYield: number;
}

/**
 * The walk makes its system calls synchronously: an async lstat is a hand-off
 * to libuv's thread pool and back (two futex wake-ups and an epoll round) that
 * costs five times the call itself, once per file of a 15,000-file tree. It
 * lets the event loop run every this many entries, so a provider process
 * building several packages stays responsive (about a millisecond between).
 */
const YIELD_EVERY = 256;

/**
 * Lists the files under `root`, following symlinks that stay inside the root
 * or `allowedRoots`. A link that escapes them is an error rather than a
 * silent skip: packaging whatever it points at (a home directory, /etc) is
 * the accident this guards against. Excluded directories are not entered.
 */
export async function collectFiles(root: string, options: WalkOptions): Promise<StagedFile[]> {
  const realRoots = [root, ...options.allowedRoots].map((r) => realpathSync.native(r));
  const context: WalkContext = {
    ...options,
    prefix: options.prefix ?? "",
    sourcePath: options.sourcePath ?? root,
    allowedRoots: realRoots,
    files: [],
    ancestors: new Set(),
    sinceYield: 0,
  };
  await walkDirectory(context, realRoots[0], "");
  return context.files;
}

async function walkDirectory(context: WalkContext, dir: string, under: string): Promise<void> {
  context.ancestors.add(dir);
  const entries = readdirSync(dir);
  for (const entry of entries.sort()) {
    if (++context.sinceYield >= YIELD_EVERY) {
      context.sinceYield = 0;
      await yieldToLoop();
    }
    await visit(context, path.join(dir, entry), under + entry);
  }
  context.ancestors.delete(dir);
}

/** `relative` is the path under the root; the package path is the prefix and it. */
async function visit(context: WalkContext, file: string, relative: string): Promise<void> {
  const name = context.prefix + relative;
  const excluded = (dir: boolean) => {
    const suffix = dir ? "/" : "";
    return (
      context.exclude.ignores(name + suffix) ||
      (context.rootExclude?.ignores(relative + suffix) ?? false)
    );
  };
  const link = lstatSync(file);
  // An excluded link is never resolved, so excluding it is how a user opts out
  // of the escape check below.
  if (link.isSymbolicLink() && (excluded(false) || excluded(true))) return;
  const real = link.isSymbolicLink() ? resolveLink(context, file, relative) : file;
  const info = link.isSymbolicLink() ? statSync(real) : link;
  if (info.isDirectory()) {
    if (excluded(true)) return;
    if (context.ancestors.has(real)) {
      throw new LambdaPackageError(
        "SYMLINK_LOOP",
        `Symlink loop at "${name}"${origin(context, relative)}: it points back at a ` +
          `directory that contains it. Remove the link or exclude "${name}".`,
      );
    }
    await walkDirectory(context, real, `${relative}/`);
  } else if (info.isFile() && !excluded(false)) {
    const executable = (info.mode & 0o111) !== 0;
    context.files.push({
      name,
      sourceFile: real,
      size: info.size,
      executable,
      mtimeMs: info.mtimeMs,
    });
  }
  // Sockets, FIFOs and devices cannot be part of a Lambda package; skip them.
}

function resolveLink(context: WalkContext, file: string, relative: string): string {
  const name = context.prefix + relative;
  let real: string;
  try {
    real = realpathSync.native(file);
  } catch (error) {
    const from = origin(context, relative);
    if ((error as NodeJS.ErrnoException).code === "ELOOP") {
      throw new LambdaPackageError(
        "SYMLINK_LOOP",
        `Symlink "${name}"${from} leads back to itself through links (a loop), so it points at ` +
          `nothing. Remove the link or exclude "${name}".`,
        { cause: error },
      );
    }
    throw new LambdaPackageError(
      "SYMLINK_BROKEN",
      `Symlink "${name}"${from} points at "${readlinkSync(file)}", which does not exist. ` +
        `Fix or remove the link, or exclude "${name}".`,
      { cause: error },
    );
  }
  const inside = context.allowedRoots.some((r) => real === r || real.startsWith(r + path.sep));
  if (!inside) {
    throw new LambdaPackageError(
      "SYMLINK_ESCAPES",
      `Symlink "${name}"${origin(context, relative)} points at "${real}", outside the ` +
        `source directory ${context.sourcePath}. Copy the target into the source, or exclude "${name}".`,
    );
  }
  return real;
}

/**
 * Where a link came from, for messages: the user's source when it has a link
 * at that path, else the packager. A staging directory is a temporary path
 * the user never sees.
 */
function origin(context: WalkContext, relative: string): string {
  const inSource = path.join(context.sourcePath, relative);
  let info;
  try {
    info = lstatSync(inSource, { throwIfNoEntry: false });
  } catch {
    info = undefined; // unreadable: the message names the packager, never fails on it
  }
  return info?.isSymbolicLink()
    ? ` (${inSource})`
    : ` (made by the packager, for ${context.sourcePath})`;
}
