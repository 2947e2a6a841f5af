import { mkdir } from "node:fs/promises";
import path from "node:path";
import ignore from "ignore";
import { LambdaPackageError } from "../../shared/errors";
import type { NormalizedBuildOptions } from "../options";
import { runPackager } from "../packager";
import type { Preflight } from "../preflight";
import { excludeMatcher } from "./exclude";
import { assertWithinLimits } from "./limits";
import { readSourceManifest, SOURCE_MANIFEST_FILE } from "../packager/manifest";
import { listedFiles } from "./listed";
import { extractPackageZip } from "./package-zip";
import { collectFiles, type StagedFile } from "./walk";

export type { StagedFile } from "./walk";

/**
 * The first half of a build: runs the packager in `workDir` and lists the
 * files that go into the zip, from three places, each winning over the one
 * before it at the same path: what the packager wrote into BUILD_DIR (or
 * listed as ranges of an archive it wrote); the source directory, read in place, where the packager's manifest asks for it
 * (nothing is copied); and what it added to $PACKAGE_ZIP. Excludes, symlink
 * checks and Lambda's size limit apply to the whole. The second half,
 * `writeZip`, only reads the files listed.
 */
export async function stage(
  options: NormalizedBuildOptions,
  packager: Preflight,
  workDir: string,
): Promise<StagedFile[]> {
  const log = options.log ?? (() => {});
  options.onProgress?.({ phase: "packaging", files: 0, totalFiles: 0, bytes: 0, totalBytes: 0 });
  const { buildDir, packageZip } = await runPackager({ ...options, ...packager, workDir, log });
  const zipDir = path.join(workDir, "package-zip");
  await mkdir(zipDir);
  const extracted = await extractPackageZip(packageZip, zipDir);
  if (extracted > 0) log(`lambda-package: took ${extracted} entries from $PACKAGE_ZIP`);
  const manifest = await readSourceManifest(path.join(workDir, SOURCE_MANIFEST_FILE), workDir);

  const { sourcePath } = packager;
  const walks = new Set<StagedFile[]>();
  const walk = async (root: string, extra: { prefix?: string; rootExclude?: string[] } = {}) => {
    const files = await collectFiles(root, {
      exclude: excludeMatcher(options.exclude),
      rootExclude: extra.rootExclude && ignore().add(extra.rootExclude),
      prefix: extra.prefix,
      allowedRoots: [sourcePath],
      sourcePath,
    });
    walks.add(files);
    return files;
  };
  const layers = [await walk(buildDir)];
  // Listed entries are the packager's output too, only kept in an archive.
  if (manifest?.entries.length) {
    layers.push(await listedFiles(manifest.entries, excludeMatcher(options.exclude), sourcePath));
  }
  for (const prefix of manifest?.includes ?? []) {
    layers.push(await walk(sourcePath, { prefix, rootExclude: [...manifest!.excludes] }));
  }
  if (extracted > 0) layers.push(await walk(zipDir));
  const files = overlay(layers, walks, sourcePath);
  assertWithinLimits(files, sourcePath);
  return files;
}

/** The layers merged by path, a later layer's file replacing an earlier one's. */
function overlay(
  layers: readonly StagedFile[][],
  walks: ReadonlySet<StagedFile[]>,
  sourcePath: string,
): StagedFile[] {
  // One walk of one tree (a `copy` build, a source read in place): its names are unique and
  // none is both a file and a directory, so there is nothing to merge or check.
  const held = layers.filter((layer) => layer.length > 0);
  if (held.length === 1 && walks.has(held[0])) return held[0];
  const byName = new Map<string, StagedFile>();
  for (const layer of layers) for (const file of layer) byName.set(file.name, file);
  // A path that is a file in one layer and a directory in another cannot be both in a zip.
  for (const name of byName.keys()) {
    for (let at = name.indexOf("/"); at > 0; at = name.indexOf("/", at + 1)) {
      const parent = name.slice(0, at);
      if (byName.has(parent)) {
        throw new LambdaPackageError(
          "PACKAGE_PATH_CONFLICT",
          `"${parent}" is a file in one part of the package of ${sourcePath} and a directory ` +
            `(holding "${name}") in another (the packager's output, the source, $PACKAGE_ZIP). ` +
            `Rename one, or exclude it.`,
        );
      }
    }
  }
  return [...byName.values()];
}
