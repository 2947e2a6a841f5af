#!/usr/bin/env node
import "./compile-cache";
import { LambdaPackageError } from "../shared/errors";
import { formatBytes } from "../shared/format";
import { auditPath, auditTarget, enforce } from "../engine/audit";
import { build, type BuildResult } from "../engine/build";
import { gitSourceKey } from "../engine/git";
import { verifyBuild, type Relocation, type VerifyResult } from "../engine/verify";
import { parseCli, USAGE, UsageError, type CliRequest } from "./args";
import { contentsLines, zipContents } from "../engine/contents";
import { describeDiff, diffExitCode, diffJson, diffZips, DIFF_EXIT, withZipSources } from "./diff";
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
    if (request.command === "inspect") {
      const contents = await withZipSources([request.zip], ([source]) => zipContents(source));
      process.stdout.write(
        request.json
          ? `${JSON.stringify(contents, null, 2)}\n`
          : `${contentsLines(contents).join("\n")}\n`,
      );
      return 0;
    }
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

/**
 * Builds twice, the second time from a copy of the source at another path,
 * and compares: the proof that a package is reproducible wherever it is built.
 */
async function runVerify(request: BuildRequest): Promise<VerifyResult> {
  return verifyBuild(request.options, (options) => runBuild({ ...request, options }));
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

function describe(result: BuildResult | VerifyResult): string {
  const lines = [
    "relocation" in result
      ? `reproducible: two builds gave identical bytes, the second from a copy at another path\n` +
        `copied:     ${describeCopy(result.relocation)}`
      : `zip:        ${result.path}`,
    `sha256:     ${result.sha256}`,
    `codeSha256: ${result.sourceCodeHash}`,
    `size:       ${formatBytes(result.size)} (${result.size} bytes)`,
    `unzipped:   ${formatBytes(result.unzippedSize)} (${result.unzippedSize} bytes)`,
    `files:      ${result.fileCount}`,
    ...("contents" in result ? contentsLines(result.contents) : []),
  ];
  return `${lines.join("\n")}\n`;
}

function describeCopy({ scope, from, files }: Relocation): string {
  return scope === "workTree"
    ? `the git work tree ${from} (${files} files)`
    : `${from} alone (${files} files; no git work tree, so what the build reads outside it was not moved)`;
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
