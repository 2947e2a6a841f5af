import { copyFile, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { normalizeBuildOptions, type BuildOptions } from "./options";
import { preflight } from "./preflight";
import { stage } from "./stage";
import { writeZip, type ZipResult } from "./zip";

/** What a build wrote: the zip's path, hashes, sizes and file count. */
export type BuildResult = ZipResult;

/**
 * Runs the packager for `options.runtime` on `options.sourcePath` and writes a
 * reproducible Lambda zip: options are checked, the packager stages the files
 * (`stage`), the zipper writes them (`writeZip`). Nothing is left behind on
 * failure but the error.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const normalized = normalizeBuildOptions(options);
  const packager = preflight(normalized);
  const work = await mkdtemp(path.join(os.tmpdir(), "lambda-package-"));
  const outFile = path.resolve(
    options.outFile ?? path.join(work, "..", `${path.basename(work)}.zip`),
  );
  try {
    const files = await stage(normalized, packager, work);
    const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
    // Written next to the target and renamed, so a failed build never leaves
    // a half-written zip where a good one is expected.
    const partial = path.join(work, "out.zip");
    const result = await writeZip(files, partial, {
      level: normalized.compressionLevel,
      mtime: normalized.sourceDateEpoch,
      onProgress: ({ files: done, bytes }) =>
        options.onProgress?.({
          phase: "zipping",
          files: done,
          totalFiles: files.length,
          bytes,
          totalBytes,
        }),
    });
    await mkdir(path.dirname(outFile), { recursive: true });
    // rename fails across file systems; fall back to a copy.
    await rename(partial, outFile).catch(() => copyFile(partial, outFile));
    return { ...result, path: outFile };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
