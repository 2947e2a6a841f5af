import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { auditTarget, describeTarget } from "../../../engine/audit/runtimes";

describe("the Lambda runtime table", () => {
  test("python3.9 to python3.11 and nodejs18.x run on Amazon Linux 2, glibc 2.26", () => {
    for (const runtime of ["python3.9", "python3.10", "python3.11", "nodejs18.x"]) {
      assert.deepEqual(auditTarget(runtime).os, { name: "Amazon Linux 2", glibc: "2.26" }, runtime);
    }
  });

  test("python3.12 and later and nodejs20.x and later run on Amazon Linux 2023, glibc 2.34", () => {
    for (const runtime of ["python3.12", "python3.13", "nodejs20.x", "nodejs22.x", "nodejs24.x"]) {
      assert.deepEqual(
        auditTarget(runtime).os,
        { name: "Amazon Linux 2023", glibc: "2.34" },
        runtime,
      );
    }
  });

  test("the target is x86_64, Lambda's default, unless an architecture is given", () => {
    assert.equal(auditTarget("python3.12").architecture, "x86_64");
    assert.equal(auditTarget("python3.12", "arm64").architecture, "arm64");
  });

  test("a packager name that is no Lambda runtime has no OS, and says glibc is not checked", () => {
    for (const runtime of ["copy", "generic", "my-build"]) {
      assert.equal(auditTarget(runtime).os, undefined);
      assert.match(describeTarget(auditTarget(runtime)), /glibc not checked/);
    }
  });
});
