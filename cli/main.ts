#!/usr/bin/env node
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { LambdaPackageError } from "../shared/errors";
import { formatBytes } from "../shared/format";
import { auditPath, auditTarget, enforce } from "../engine/audit";
import { build, type BuildResult } from "../engine/build";
import { gitSourceKey } from "../engine/git";
import { parseCli, USAGE, UsageError, type CliRequest } from "./args";
import { describeDiff, diffExitCode, diffJson, diffZips, DIFF_EXIT } from "./diff";
import { progressReporter } from "./progress";

type BuildRequest = Extract<CliRequest, { command: "build" | "verify" }>;
type AuditRequest = Extract<CliRequest, { command: "audit" }>;

/**
 * Runs the CLI; resolves to the process exit code: 0 ok, 1 failed (a build,
 * or native code that will not load), 2 bad usage; for diff 0 the same
 * files, 1 files differ, 2 bad usage or trouble.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let request: CliRequest;
  try {
    request = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`lambda-package: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (request.command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (request.command === "diff") {
    try {
      const diff = await diffZips(request.before, request.after);
      process.stdout.write(request.json ? diffJson(diff) : describeDiff(diff));
      return diffExitCode(diff);
    } catch (error) {
      return failed(error, DIFF_EXIT.trouble);
    }
  }
  try {
    if (request.command === "key") {
      process.stdout.write(`${gitSourceKey(request.paths, { cwd: request.cwd })}\n`);
      return 0;
    }
    if (request.command === "audit") return await runAudit(request);
    const result = request.command === "build" ? await runBuild(request) : await runVerify(request);
    process.stdout.write(request.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result));
    return 0;
  } catch (error) {
    return failed(error, 1);
  }
}

/** Reports an error on stderr: the message alone for ours, which say what to do. */
function failed(error: unknown, code: number): number {
  const message = error instanceof LambdaPackageError ? error.message : String(error);
  process.stderr.write(`lambda-package: ${message}\n`);
  return code;
}

const toStderr = (line: string) => process.stderr.write(`${line}\n`);

async function runBuild(request: BuildRequest): Promise<BuildResult> {
  const progress = progressReporter();
  try {
    return await build({
      ...request.options,
      onProgress: progress.update,
      log: request.verbose ? toStderr : undefined,
      // Warnings (the audit's findings under nativeCheck "warn") show even without --verbose.
      warn: toStderr,
    });
  } finally {
    progress.done();
  }
}

/** Builds twice from scratch and compares: the proof that a package is reproducible. */
async function runVerify(request: BuildRequest): Promise<BuildResult & { reproducible: true }> {
  const first = await runBuild(request);
  try {
    const second = await runBuild(request);
    try {
      const [a, b] = await Promise.all([readFile(first.path), readFile(second.path)]);
      if (!a.equals(b)) {
        throw new LambdaPackageError(
          "NOT_REPRODUCIBLE",
          `Two builds of ${path.resolve(request.options.sourcePath)} differ ` +
            `(${first.sha256} vs ${second.sha256}). The packager writes something that changes ` +
            `between runs (timestamps, random names, absolute paths); run with --verbose and compare ` +
            `\`unzip -l\` of both.`,
        );
      }
    } finally {
      await rm(second.path, { force: true });
    }
    return { ...first, reproducible: true };
  } finally {
    await rm(first.path, { force: true });
  }
}

/**
 * Audits a zip or directory: the summary (or the report as JSON) on stdout,
 * findings on stderr; exit 1 when they fail under nativeCheck "error".
 */
async function runAudit(request: AuditRequest): Promise<number> {
  const report = await auditPath(request.path, auditTarget(request.runtime, request.architecture));
  const print = (line: string) => process.stdout.write(`${line}\n`);
  if (request.json) print(JSON.stringify(report, null, 2));
  enforce(report, request.nativeCheck, request.json ? () => {} : print, toStderr);
  return 0;
}

function describe(result: BuildResult & { reproducible?: boolean }): string {
  const lines = [
    result.reproducible
      ? `reproducible: two builds gave identical bytes`
      : `zip:        ${result.path}`,
    `sha256:     ${result.sha256}`,
    `codeSha256: ${result.sourceCodeHash}`,
    `size:       ${formatBytes(result.size)} (${result.size} bytes)`,
    `unzipped:   ${formatBytes(result.unzippedSize)} (${result.unzippedSize} bytes)`,
    `files:      ${result.fileCount}`,
  ];
  return `${lines.join("\n")}\n`;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`lambda-package: unexpected error: ${(error as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
