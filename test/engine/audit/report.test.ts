import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AuditReport } from "../../../engine/audit/auditor";
import { enforce, findingsMessage, summaryLine } from "../../../engine/audit/report";
import { auditTarget } from "../../../engine/audit/runtimes";
import { LambdaPackageError } from "../../../shared/errors";

const clean: AuditReport = {
  target: auditTarget("python3.12"),
  files: 120,
  opened: 7,
  native: 3,
  alternates: 0,
  unreadable: [],
  findings: [],
  ms: 12,
};

const found: AuditReport = {
  ...clean,
  findings: [
    {
      name: "numpy/core/_umath.so",
      origin: "Python package numpy 2.1.0",
      problems: [
        {
          kind: "architecture",
          found: "aarch64 shared object",
          allowed: "the function runs on x86_64",
        },
        {
          kind: "glibc",
          found: "needs GLIBC_2.38 > 2.34",
          allowed: "python3.12 runs on Amazon Linux 2023, glibc 2.34",
        },
      ],
    },
    {
      name: "bin/tool.exe",
      problems: [
        {
          kind: "foreign",
          found: "PE (Windows) executable, x86-64",
          allowed: "Lambda loads Linux ELF objects only",
        },
      ],
    },
  ],
};

describe("what the audit says", () => {
  test("the summary line gives the target, the counts and the time", () => {
    assert.equal(
      summaryLine(clean),
      "lambda-package: native-code audit for python3.12 on x86_64 (Amazon Linux 2023, glibc 2.34): " +
        "3 native of 120 files (7 opened), no problems; 0.012 s",
    );
  });

  test("the summary line names unreadable objects and skipped prebuilds", () => {
    const line = summaryLine({
      ...clean,
      alternates: 4,
      unreadable: [
        { name: "lib/cut.so", reason: "the dynamic segment at 8000 ends past the end of the file" },
      ],
    });
    assert.match(
      line,
      /; 4 prebuilds for other platforms skipped; 1 unreadable \(lib\/cut\.so: the dynamic segment/,
    );
  });

  test("the message lists every file with its package, what was found and what is allowed", () => {
    const message = findingsMessage(found);
    assert.match(
      message,
      /^2 native files in the package will not load on Lambda for python3\.12 on x86_64/,
    );
    assert.match(
      message,
      /\n {2}numpy\/core\/_umath\.so \(Python package numpy 2\.1\.0\): aarch64 shared object; the function runs on x86_64; needs GLIBC_2\.38 > 2\.34; python3\.12 runs on Amazon Linux 2023, glibc 2\.34\n/,
    );
    assert.match(
      message,
      /\n {2}bin\/tool\.exe: PE \(Windows\) executable, x86-64; Lambda loads Linux ELF objects only\n/,
    );
  });

  test("the advice fits the kinds of problem found, and only those", () => {
    const message = findingsMessage(found);
    assert.match(message, /install the dependencies on Linux/);
    assert.match(message, /set architecture to "arm64"/);
    assert.match(message, /glibc 2\.34 or older/);
    assert.doesNotMatch(message, /musl/);
  });

  test('"error" throws NATIVE_INCOMPATIBLE after logging the summary; a clean report only logs', () => {
    const log: string[] = [];
    assert.throws(
      () => enforce(found, "error", (line) => log.push(line), assert.fail),
      (error: LambdaPackageError) =>
        error.code === "NATIVE_INCOMPATIBLE" && /set nativeCheck to "warn"/.test(error.message),
    );
    assert.equal(log.length, 1);
    enforce(clean, "error", (line) => log.push(line), assert.fail);
    assert.equal(log.length, 2);
  });

  test('"warn" hands the findings to warn and goes on', () => {
    const warnings: string[] = [];
    enforce(
      found,
      "warn",
      () => {},
      (line) => warnings.push(line),
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^lambda-package: warning \(nativeCheck "warn"\): 2 native files/);
  });
});

describe("names in what the audit says", () => {
  test("a name from the package with a line break or an escape prints escaped, forging no line", () => {
    const name = "lib/x.so\n  bin/ok.so: fine\x1b[2J";
    const message = findingsMessage({
      ...found,
      findings: [{ ...found.findings[1], name }],
      unreadable: [{ name, reason: "truncated" }],
    });
    assert.ok(message.includes("lib/x.so\\n  bin/ok.so: fine\\x1b[2J"), message);
    assert.ok(!message.includes("\x1b"));
    assert.ok(
      !summaryLine({ ...clean, unreadable: [{ name, reason: "truncated" }] }).includes("\n"),
    );
  });
});
