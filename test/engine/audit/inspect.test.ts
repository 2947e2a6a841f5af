import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bufferSource, FileSource } from "../../../engine/audit/bytes";
import { inspect } from "../../../engine/audit/inspect";
import { auditTarget } from "../../../engine/audit/runtimes";
import { compiledObjects, MACH_ARM64, machO, portableExecutable } from "./objects";

const found = (file: string, runtime: string, architecture?: "x86_64" | "arm64") =>
  FileSource.with(file, (source) =>
    inspect(source, auditTarget(runtime, architecture)),
  ).problems.map((p) => p.found);

describe("inspecting one file against a Lambda runtime", () => {
  test("an object that needs GLIBC_2.36 will not load on python3.12's glibc 2.34", async () => {
    const { glibc236 } = await compiledObjects();
    const result = FileSource.with(glibc236, (s) => inspect(s, auditTarget("python3.12")));
    assert.deepEqual(result.problems, [
      {
        kind: "glibc",
        found: "needs GLIBC_2.36 > 2.34",
        allowed: "python3.12 runs on Amazon Linux 2023, glibc 2.34",
      },
    ]);
  });

  test("GLIBC_2.34 loads on Amazon Linux 2023 (python3.12) but not on Amazon Linux 2 (python3.11)", async () => {
    const { glibc234 } = await compiledObjects();
    assert.deepEqual(found(glibc234, "python3.12"), []);
    assert.deepEqual(found(glibc234, "nodejs22.x"), []);
    assert.deepEqual(found(glibc234, "python3.11"), ["needs GLIBC_2.34 > 2.26"]);
    assert.deepEqual(found(glibc234, "nodejs18.x"), ["needs GLIBC_2.34 > 2.26"]);
  });

  test("an aarch64 object fails an x86_64 function and passes an arm64 one", async () => {
    const { arm64, plain } = await compiledObjects();
    assert.deepEqual(found(arm64, "python3.12"), ["aarch64 shared object"]);
    assert.deepEqual(found(arm64, "python3.12", "arm64"), []);
    assert.deepEqual(found(plain, "python3.12", "arm64"), ["x86-64 shared object"]);
  });

  test("musl-linked objects are flagged, executable or shared", async () => {
    const { muslExecutable, muslShared } = await compiledObjects();
    assert.deepEqual(found(muslExecutable, "provided.al2023"), [
      "musl-linked (interpreter /lib/ld-musl-x86_64.so.1)",
    ]);
    assert.deepEqual(found(muslShared, "nodejs22.x"), ["musl-linked (needs libc.so)"]);
  });

  test("for a packager name that is no Lambda runtime, glibc is not checked but the rest is", async () => {
    const { glibc236, arm64 } = await compiledObjects();
    assert.deepEqual(found(glibc236, "copy"), []);
    assert.deepEqual(found(arm64, "copy"), ["aarch64 shared object"]);
  });

  test("Mach-O and PE binaries are foreign to Lambda whatever they hold", () => {
    const target = auditTarget("nodejs22.x");
    const macho = inspect(bufferSource(machO(MACH_ARM64)), target);
    assert.deepEqual(macho.problems, [
      {
        kind: "foreign",
        found: "Mach-O (macOS) binary, arm64",
        allowed: "Lambda loads Linux ELF objects only",
      },
    ]);
    const pe = inspect(bufferSource(portableExecutable(0x8664, true)), target);
    assert.deepEqual(
      pe.problems.map((p) => p.found),
      ["PE (Windows) DLL, x86-64"],
    );
  });

  test("a file that is no executable format has no format and no problems", () => {
    const result = inspect(
      bufferSource(Buffer.from("#!/bin/sh\nexit 0\n")),
      auditTarget("python3.12"),
    );
    assert.deepEqual(result, { problems: [] });
  });
});
