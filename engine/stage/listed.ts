/**
 * The files a packager listed in $SOURCE_MANIFEST as ranges of an archive it
 * wrote (the nodejs packagers' packages unpacked from npm's cache): staged
 * like the files of BUILD_DIR, with the same excludes and limits, without a
 * file of their own on disk.
 */
import { stat } from "node:fs/promises";
import type { Ignore } from "ignore";
import { LambdaPackageError } from "../../shared/errors";
import type { ListedEntry } from "../packager/manifest";
import type { StagedFile } from "./walk";

/**
 * The listed entries that are not excluded, as staged files. An archive that
 * is missing, or shorter than a range listed in it, fails the build: the
 * packager's listing and its archive disagree.
 */
export async function listedFiles(
  entries: readonly ListedEntry[],
  exclude: Ignore,
  sourcePath: string,
): Promise<StagedFile[]> {
  const sizes = new Map<string, number>();
  for (const archive of new Set(entries.map((e) => e.archive))) {
    const info = await stat(archive).catch(() => undefined);
    if (!info?.isFile()) throw broken(archive, sourcePath, "does not exist or is not a file");
    sizes.set(archive, info.size);
  }
  const files: StagedFile[] = [];
  for (const entry of entries) {
    const { name, archive, offset, size, executable } = entry;
    if (name.split("/").some((part) => part === "" || part === "." || part === "..")) {
      throw broken(archive, sourcePath, `lists "${name}", which is not a path inside the package`);
    }
    if (offset + size > sizes.get(archive)!) {
      throw broken(
        archive,
        sourcePath,
        `is ${sizes.get(archive)} bytes, and "${name}" is listed at bytes ${offset}–${offset + size}`,
      );
    }
    // `ignore` tests the parent directories too: a file under an excluded directory is excluded.
    if (exclude.ignores(name)) continue;
    files.push({ name, sourceFile: archive, size, executable, offset });
  }
  return files;
}

function broken(archive: string, sourcePath: string, what: string): LambdaPackageError {
  return new LambdaPackageError(
    "SOURCE_MANIFEST_INVALID",
    `The packager for ${sourcePath} listed entries of ${archive} in $SOURCE_MANIFEST, and the ` +
      `archive ${what}. The packager must write the archive before listing it, and keep it until ` +
      `it exits (beside $SOURCE_MANIFEST). See "Including the source" in packagers/README.md.`,
  );
}
