/**
 * What an audit says: one log line with its time and counts, the findings
 * as a warning or as the `NATIVE_INCOMPATIBLE` error, with what to do.
 */
import { LambdaPackageError } from "../../shared/errors";
import { escapeText } from "../../shared/format";
import type { NativeCheck } from "../options";
import type { AuditReport } from "./auditor";
import type { ProblemKind } from "./inspect";
import { describeTarget } from "./runtimes";

/** The one line every audit logs: target, counts, findings and time. */
export function summaryLine(report: AuditReport): string {
  const extras = [
    report.alternates > 0 && `${report.alternates} prebuilds for other platforms skipped`,
    report.unreadable.length > 0 &&
      `${report.unreadable.length} unreadable (${report.unreadable
        .map((u) => `${escapeText(u.name)}: ${u.reason}`)
        .join("; ")})`,
  ].filter(Boolean);
  const problems = report.findings.length;
  return (
    `lambda-package: native-code audit for ${describeTarget(report.target)}: ` +
    `${report.native} native of ${report.files} files (${report.opened} opened), ` +
    `${problems === 0 ? "no problems" : `${problems} that will not load`}` +
    `${extras.length > 0 ? `; ${extras.join("; ")}` : ""}; ${(report.ms / 1000).toFixed(3)} s`
  );
}

/** Each finding on a line of its own: path, origin, what was found and what is allowed. */
export function findingLines(report: AuditReport): string[] {
  return report.findings.map((finding) => {
    const origin = finding.origin ? ` (${finding.origin})` : "";
    const problems = finding.problems.map((p) => `${p.found}; ${p.allowed}`).join("; ");
    // Names come from the package (a zip, a wheel): escaped, they cannot forge a line.
    return `  ${escapeText(finding.name)}${origin}: ${problems}`;
  });
}

/** The findings as one message: what, where, and what to do. */
export function findingsMessage(report: AuditReport): string {
  const { target } = report;
  const kinds = new Set<ProblemKind>(report.findings.flatMap((f) => f.problems.map((p) => p.kind)));
  const other = target.architecture === "x86_64" ? "arm64" : "x86_64";
  const advice = [
    kinds.has("foreign") &&
      "install the dependencies on Linux instead of copying node_modules or a virtualenv from " +
        "macOS or Windows",
    kinds.has("architecture") &&
      `install ${target.architecture} builds, or set architecture to "${other}" if the function ` +
        `runs on ${other}`,
    kinds.has("glibc") &&
      target.os &&
      `build them against glibc ${target.os.glibc} or older (a manylinux wheel, or a build on ` +
        `${target.os.name}, e.g. in Lambda's base image for ${target.runtime})`,
    kinds.has("musl") && "use glibc builds (not musllinux wheels or Alpine builds)",
  ].filter(Boolean);
  const count = report.findings.length;
  return (
    `${count} native file${count === 1 ? "" : "s"} in the package will not load on Lambda ` +
    `for ${describeTarget(target)}:\n${findingLines(report).join("\n")}\n` +
    `To fix: ${advice.join("; ")}.`
  );
}

/**
 * Acts on a report as `mode` says: logs the summary line, then throws
 * `NATIVE_INCOMPATIBLE` (`"error"`) or hands the findings to `warn`
 * (`"warn"`).
 */
export function enforce(
  report: AuditReport,
  mode: Exclude<NativeCheck, "off">,
  log: (line: string) => void,
  warn: (line: string) => void,
): void {
  log(summaryLine(report));
  if (report.findings.length === 0) return;
  if (mode === "error") {
    throw new LambdaPackageError(
      "NATIVE_INCOMPATIBLE",
      `${findingsMessage(report)} To package them anyway, set nativeCheck to "warn" ` +
        `(--native-check warn on the command line).`,
    );
  }
  warn(`lambda-package: warning (nativeCheck "warn"): ${findingsMessage(report)}`);
}
