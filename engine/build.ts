import { copyFile, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LambdaPackageError } from "./errors";
import { resolvePackager, runPackager } from "./packager";
import { assertSourceDirectory } from "./source";
import { excludeMatcher } from "./stage/exclude";
import { assertWithinLimits } from "./stage/limits";
import { extractPackageZip, writeEmptyZip } from "./stage/package-zip";
import { collectFiles } from "./stage/walk";
import type { BuildOptions, BuildResult } from "./types";
import { writeZip } from "./zip";

/** 1980-01-01T00:00:00Z, the earliest time a zip entry can carry. */
export const ZIP_EPOCH = 315532800;

/**
 * Runs the packager for `options.runtime` on `options.sourcePath` and writes a
 * reproducible Lambda zip. Nothing is left behind on failure but the error.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const sourcePath = path.resolve(options.sourcePath);
  const level = options.compressionLevel ?? 9;
  assertLevel(level);
  const mtime = options.sourceDateEpoch ?? sourceDateEpochFromEnv() ?? ZIP_EPOCH;
  const log = options.log ?? (() => {});

  await assertSourceDirectory(sourcePath);
  const script = await resolvePackager(options);
  const runtime = options.runtime ?? path.basename(script);

  const work = await mkdtemp(path.join(os.tmpdir(), "lambda-package-"));
  const outFile = path.resolve(
    options.outFile ?? path.join(work, "..", `${path.basename(work)}.zip`),
  );
  try {
    const buildDir = path.join(work, "build");
    const packageZip = path.join(work, "package.zip");
    await mkdir(buildDir);
    await writeEmptyZip(packageZip);
    options.onProgress?.({ phase: "packaging", files: 0, totalFiles: 0, bytes: 0, totalBytes: 0 });
    await runPackager({ ...options, script, runtime, sourcePath, buildDir, packageZip, log });
    const extracted = await extractPackageZip(packageZip, buildDir);
    if (extracted > 0) log(`lambda-package: took ${extracted} entries from $PACKAGE_ZIP`);

    const files = await collectFiles(buildDir, excludeMatcher(options.exclude), [sourcePath]);
    assertWithinLimits(files, sourcePath);
    const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
    // Written next to the target and renamed, so a failed build never leaves
    // a half-written zip where a good one is expected.
    const partial = path.join(work, "out.zip");
    const result = await writeZip(files, partial, {
      level,
      mtime,
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

function assertLevel(level: number): void {
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new LambdaPackageError(
      "BAD_COMPRESSION_LEVEL",
      `compressionLevel must be a whole number from 0 (store) to 9 (smallest), got ${level}.`,
    );
  }
}

function sourceDateEpochFromEnv(): number | undefined {
  const raw = process.env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new LambdaPackageError(
      "BAD_SOURCE_DATE_EPOCH",
      `SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, got "${raw}". Unset it or fix it.`,
    );
  }
  return Math.max(value, ZIP_EPOCH);
}
