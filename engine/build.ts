import { realpathSync } from "node:fs";
import { copyFile, mkdir, rename } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Semaphore } from "../shared/semaphore";
import { checkNativeCode } from "./audit";
import { checkBudget } from "./contents/budget";
import { readBundledOutputs } from "./contents/bundled";
import type { PackageContents } from "./contents/groups";
import { contentsLines } from "./contents/report";
import { zipContents } from "./contents/zip";
import { checkHandler } from "./handler";
import { workTreeTopAside } from "./git/work-tree";
import { openFileSource } from "./listing";
import { normalizeBuildOptions, type BuildOptions, type NormalizedBuildOptions } from "./options";
import { preflight, type Preflight } from "./preflight";
import { buildReads, type BuildReads } from "./reads/record";
import { stage } from "./stage";
import { calloutContents, calloutIgnored } from "./stage/callouts";
import { tempFileBeside, withWorkDir } from "./workdir";
import { startZipThreads, writeZip, type ZipResult } from "./zip";

/** What a build wrote: the zip's path, hashes, sizes and file count, and what it read. */
export type BuildResult = ZipResult & {
  /** The files and directories whose content decides the package (see engine/reads). */
  readonly reads: BuildReads;
  /** The CycloneDX document (JSON) of the third-party packages the zip holds (engine/sbom). */
  readonly sbom: string;
  /** What the package holds by dependency, largest first (see engine/contents). */
  readonly contents: PackageContents;
};

/**
 * Runs the packager for `options.runtime` on `options.sourcePath` and writes a
 * reproducible Lambda zip: options are checked, the packager stages the files
 * (`stage`), the zipper writes them (`writeZip`) while their native code is
 * audited (`checkNativeCode`) and the reports are made; a failed check stops
 * the zip. Nothing is left behind on failure or interruption
 * but the error. Without `outFile` the zip is a temporary file the caller
 * removes.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const normalized = normalizeBuildOptions(options);
  const packager = preflight(normalized);
  return BUILD_SLOTS.run(
    () => buildIn(normalized, packager, options),
    (running, ahead) =>
      options.log?.(
        `lambda-package: waiting for a build slot (${running} building, ${ahead} waiting before ` +
          `this one; one build per core at a time)`,
      ),
  );
}

/**
 * Builds at once in this process: one per core. A build is a packager (pip,
 * npm: CPU and memory hungry) and then a zip on the shared worker threads;
 * running more at once than there are cores only makes each slower and the
 * sum of their memory larger. A stack of 50 functions queues here.
 */
const BUILD_SLOTS = new Semaphore(os.availableParallelism());

async function buildIn(
  normalized: NormalizedBuildOptions,
  packager: Preflight,
  options: BuildOptions,
): Promise<BuildResult> {
  return withWorkDir(async (work) => {
    const outFile = path.resolve(options.outFile ?? tempFileBeside(work, ".zip"));
    // Asked of the git helper (builds running at once are not blocked while git runs for one),
    // and asked first: starting the helper takes tens of milliseconds, which the packager and
    // the walk hide.
    const topAsked = workTreeTopAside(realpathSync(packager.sourcePath));
    topAsked.catch(() => {}); // awaited below, unless staging throws first
    const staged = await stage(normalized, packager, work);
    // The zip's threads start now, while this one reads manifests and audits.
    startZipThreads(staged);
    // Loaded at the first build, not with the engine: a preview, which builds nothing, never
    // pays for them. The CycloneDX library (a hundred modules) loads once the zip's threads
    // are busy: before that, this thread is all the build is doing.
    const [{ packagesOf }, { manifestStubs }] = await Promise.all([
      import("./sbom/packages"),
      import("./sbom/stubs"),
    ]);
    let documentModule: Promise<typeof import("./sbom/document")> | undefined;
    const loadDocument = () => {
      if (!documentModule) {
        documentModule = import("./sbom/document");
        documentModule.catch(() => {}); // seen where it is awaited, unless the zip fails first
      }
      return documentModule;
    };
    // A bundle's manifest stubs are files of the zip, made from the packages found: only then
    // are the packages looked for before the zip starts.
    let packages = normalized.bundle?.manifests
      ? packagesOf(staged, normalized, packager.runtime, work)
      : undefined;
    const stubs = packages
      ? await manifestStubs(
          packages.filter((p) => p.inlined),
          staged,
          path.join(work, "manifest-stubs"),
        )
      : [];
    const files = [...staged, ...stubs];
    const log = options.log ?? (() => {});
    const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
    // The checks below run while the zip is written, not before it: on a tree of 15,000
    // files they take 100-200 ms of this thread, which would otherwise be that much of the
    // build with no compression job running. One that fails stops the zip (no job is handed
    // out after it), so a package that fails them still costs little compression and never
    // reaches an upload.
    const stop = new AbortController();
    let compressing!: () => void;
    const started = new Promise<void>((resolve) => (compressing = resolve));
    // Written inside the work dir and renamed, so a failed build never leaves
    // a half-written zip where a good one is expected.
    const partial = path.join(work, "out.zip");
    const zipping = writeZip(files, partial, {
      level: normalized.compressionLevel,
      mtime: normalized.sourceDateEpoch,
      log,
      signal: stop.signal,
      onCompressing: compressing,
      onProgress: ({ files: done, bytes }) => {
        // First called once the first job's bytes are written: every thread has work.
        void loadDocument();
        options.onProgress?.({
          phase: "zipping",
          files: done,
          totalFiles: files.length,
          bytes,
          totalBytes,
        });
      },
    });
    zipping.catch(() => {}); // awaited below, after the checks
    let reads: BuildReads;
    let bundles: ReturnType<typeof readBundledOutputs>;
    try {
      // The zip's first jobs are handed out before this thread turns to the checks.
      await Promise.race([started, zipping]);
      packages ??= packagesOf(staged, normalized, packager.runtime, work);
      calloutContents(files, normalized, packager, log);
      const top = await topAsked;
      reads = buildReads(normalized, packager, work, files, { top });
      calloutIgnored(files, reads.ignored, realpathSync(packager.sourcePath), log);
      bundles = readBundledOutputs(work);
      if (normalized.handler !== undefined) {
        const { handler } = normalized;
        await checkHandler(handler, packager.runtime, files, bundles, packager.sourcePath, log);
      }
      await checkNativeCode(files, normalized, packager.runtime);
    } catch (error) {
      stop.abort(error);
      await zipping.catch(() => {});
      throw error;
    }
    const { listing, ...result } = await zipping;
    // As `inspect` reads any zip, with what only the build knew; the directory is the one the
    // zipper wrote (the same entries reading it back gives), so only RECORD files are read.
    const source = await openFileSource(partial);
    const contents = await zipContents(source, bundles, listing).finally(() => source.close());
    for (const line of contentsLines(contents)) log(`lambda-package: ${line}`);
    // After the zip, before the caller can upload it: an over-budget package is never stored.
    checkBudget(normalized.sizeBudget, result.size, contents, packager.sourcePath);
    await mkdir(path.dirname(outFile), { recursive: true });
    // rename fails across file systems; fall back to a copy.
    await rename(partial, outFile).catch(() => copyFile(partial, outFile));
    const name = path.basename(path.resolve(normalized.sourcePath));
    const { sbomDocument } = await loadDocument();
    const sbom = sbomDocument({ name, sha256: result.sha256 }, packages);
    return { ...result, path: outFile, reads, sbom, contents };
  });
}
