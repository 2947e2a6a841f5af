/**
 * The native-code audit: every ELF, Mach-O and PE file of a package, checked
 * against what the Lambda runtime loads (architecture, glibc, no musl, Linux
 * only), from headers and version tables alone. `build()` runs it on the
 * staged tree before anything is zipped; the CLI's `audit` on a zip or a
 * directory.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import type { NormalizedBuildOptions } from "../options";
import { excludeMatcher } from "../stage/exclude";
import { collectFiles, type StagedFile } from "../stage/walk";
import { Auditor, type AuditReport } from "./auditor";
import { FileSource } from "./bytes";
import { enforce } from "./report";
import { auditTarget, type AuditTarget } from "./runtimes";
import { auditZipEntries } from "./zip";

export type { AuditFinding, AuditReport } from "./auditor";
export type { Problem } from "./inspect";
export { enforce, findingLines, findingsMessage, summaryLine } from "./report";
export { auditTarget, LAMBDA_RUNTIMES, type AuditTarget } from "./runtimes";

/** Files inspected between two turns of the event loop, so a signal is never kept waiting. */
const BATCH = 64;

/** Audits files on disk, such as a build's staged tree. */
export async function auditFiles(
  files: readonly Pick<StagedFile, "name" | "sourceFile" | "executable" | "offset" | "size">[],
  target: AuditTarget,
): Promise<AuditReport> {
  const auditor = new Auditor(target);
  // A file staged under two names (a followed symlink, a bin entry) is read once.
  const seen = new Set<string>();
  let sinceYield = 0;
  for (const file of files) {
    const key = file.offset === undefined ? file.sourceFile : `${file.sourceFile}@${file.offset}`;
    if (!auditor.wants(file.name, file.executable) || seen.has(key)) continue;
    seen.add(key);
    const range = file.offset === undefined ? undefined : { offset: file.offset, size: file.size };
    try {
      FileSource.with(file.sourceFile, (source) => auditor.inspect(file.name, source), range);
    } catch (error) {
      auditor.failed(file.name, (error as NodeJS.ErrnoException).code ?? String(error));
    }
    if (++sinceYield === BATCH) {
      sinceYield = 0;
      await new Promise(setImmediate);
    }
  }
  return auditor.report();
}

/** Audits a zip, or a directory as a package of it would hold it (default excludes applied). */
export async function auditPath(target: string, against: AuditTarget): Promise<AuditReport> {
  const info = await stat(target).catch(() => undefined);
  if (info?.isDirectory()) {
    const files = await collectFiles(target, { exclude: excludeMatcher(), allowedRoots: [] });
    return auditFiles(files, against);
  }
  if (info?.isFile()) {
    const auditor = new Auditor(against);
    await auditZipEntries(target, auditor);
    return auditor.report();
  }
  throw new LambdaPackageError(
    "AUDIT_UNREADABLE",
    `${target} (resolved to ${path.resolve(target)}) ${info ? "is neither a file nor a directory" : "does not exist"}. ` +
      `Give the audit a Lambda package zip or the directory it was made from.`,
  );
}

/**
 * The build's step between staging and zipping: audits the staged files
 * for the build's runtime and architecture (x86_64 when it is not given,
 * as on Lambda), logs one line, and fails or warns as `nativeCheck` says.
 */
export async function checkNativeCode(
  files: readonly StagedFile[],
  options: Pick<NormalizedBuildOptions, "nativeCheck" | "architecture" | "log" | "warn">,
  runtime: string,
): Promise<void> {
  const log = options.log ?? (() => {});
  if (options.nativeCheck === "off") {
    log(`lambda-package: native-code audit off (nativeCheck "off")`);
    return;
  }
  const report = await auditFiles(files, auditTarget(runtime, options.architecture));
  enforce(report, options.nativeCheck, log, options.warn ?? log);
}
