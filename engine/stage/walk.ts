import { lstat, readdir, readlink, realpath, stat } from "node:fs/promises";
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
}

interface WalkContext {
  readonly exclude: Ignore;
  /** The user's source directory, which messages name instead of the staging directory. */
  readonly sourcePath: string;
  /** Real paths a symlink may point into: the staging root and the source root. */
  readonly allowedRoots: readonly string[];
  readonly files: StagedFile[];
  /** Real paths of directories on the current descent, to stop symlink loops. */
  readonly ancestors: Set<string>;
}

/**
 * Lists the files under `root`, following symlinks that stay inside one of
 * `allowedRoots`. A link that escapes them is an error rather than a silent
 * skip: packaging whatever it points at (a home directory, /etc) is the
 * accident this guards against.
 */
export async function collectFiles(
  root: string,
  exclude: Ignore,
  allowedRoots: readonly string[],
  sourcePath = root,
): Promise<StagedFile[]> {
  const realRoots = await Promise.all([root, ...allowedRoots].map((r) => realpath(r)));
  const context: WalkContext = {
    exclude,
    sourcePath,
    allowedRoots: realRoots,
    files: [],
    ancestors: new Set(),
  };
  await walkDirectory(context, await realpath(root), "");
  return context.files;
}

async function walkDirectory(context: WalkContext, dir: string, prefix: string): Promise<void> {
  context.ancestors.add(dir);
  const entries = await readdir(dir);
  for (const entry of entries.sort()) {
    const name = prefix + entry;
    await visit(context, path.join(dir, entry), name);
  }
  context.ancestors.delete(dir);
}

async function visit(context: WalkContext, file: string, name: string): Promise<void> {
  const link = await lstat(file);
  const { exclude } = context;
  // An excluded link is never resolved, so excluding it is how a user opts out
  // of the escape check below.
  if (link.isSymbolicLink() && (exclude.ignores(name) || exclude.ignores(`${name}/`))) return;
  const real = link.isSymbolicLink() ? await resolveLink(context, file, name) : file;
  const info = link.isSymbolicLink() ? await stat(real) : link;
  if (info.isDirectory()) {
    if (exclude.ignores(`${name}/`)) return;
    if (context.ancestors.has(real)) {
      throw new LambdaPackageError(
        "SYMLINK_LOOP",
        `Symlink loop at "${name}"${await origin(context, name)}: it points back at a directory ` +
          `that contains it. Remove the link or exclude "${name}".`,
      );
    }
    await walkDirectory(context, real, `${name}/`);
  } else if (info.isFile() && !exclude.ignores(name)) {
    const executable = (info.mode & 0o111) !== 0;
    context.files.push({ name, sourceFile: real, size: info.size, executable });
  }
  // Sockets, FIFOs and devices cannot be part of a Lambda package; skip them.
}

async function resolveLink(context: WalkContext, file: string, name: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(file);
  } catch (error) {
    const from = await origin(context, name);
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
      `Symlink "${name}"${from} points at "${await readlink(file)}", which does not exist. ` +
        `Fix or remove the link, or exclude "${name}".`,
      { cause: error },
    );
  }
  const inside = context.allowedRoots.some((r) => real === r || real.startsWith(r + path.sep));
  if (!inside) {
    throw new LambdaPackageError(
      "SYMLINK_ESCAPES",
      `Symlink "${name}"${await origin(context, name)} points at "${real}", outside the source ` +
        `directory ${context.sourcePath}. Copy the target into the source, or exclude "${name}".`,
    );
  }
  return real;
}

/**
 * Where a staged link came from, for messages: the user's source when it has
 * a link at that path (copied along), else the packager. The staging
 * directory itself is a temporary path the user never sees.
 */
async function origin(context: WalkContext, name: string): Promise<string> {
  const inSource = path.join(context.sourcePath, name);
  const info = await lstat(inSource).catch(() => undefined);
  return info?.isSymbolicLink()
    ? ` (${inSource})`
    : ` (made by the packager, for ${context.sourcePath})`;
}
