import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import {
  describeTarget,
  pipTargetFlags,
  platformTags,
  pythonTarget,
} from "../../../engine/python/target";

describe("Lambda Python targets", () => {
  test("python3.9 to 3.11 run on Amazon Linux 2 (glibc 2.26), 3.12 and later on Amazon Linux 2023 (glibc 2.34)", () => {
    for (const runtime of ["python3.9", "python3.10", "python3.11"]) {
      assert.deepEqual(pythonTarget(runtime).glibc, [2, 26], runtime);
      assert.equal(pythonTarget(runtime).os, "Amazon Linux 2", runtime);
    }
    for (const runtime of ["python3.12", "python3.13", "python3.14"]) {
      assert.deepEqual(pythonTarget(runtime).glibc, [2, 34], runtime);
    }
  });

  test("x86_64 is the default; arm64 is aarch64 to Python", () => {
    assert.equal(pythonTarget("python3.12").machine, "x86_64");
    assert.equal(pythonTarget("python3.12", "arm64").machine, "aarch64");
    assert.equal(
      describeTarget(pythonTarget("python3.12", "arm64")),
      "python3.12 on Amazon Linux 2023 (glibc 2.34), arm64",
    );
  });

  test("platform tags run from the OS's glibc down to the CPU's oldest manylinux, legacy names included", () => {
    const x86 = platformTags(pythonTarget("python3.11"));
    assert.equal(x86[0], "manylinux_2_26_x86_64");
    for (const tag of [
      "manylinux_2_17_x86_64",
      "manylinux2014_x86_64",
      "manylinux2010_x86_64",
      "manylinux1_x86_64",
    ]) {
      assert.ok(x86.includes(tag), tag);
    }
    assert.equal(x86.at(-1), "manylinux1_x86_64");
    assert.ok(!x86.includes("manylinux_2_27_x86_64"), "nothing newer than Amazon Linux 2's glibc");
    const arm = platformTags(pythonTarget("python3.13", "arm64"));
    assert.equal(arm[0], "manylinux_2_34_aarch64");
    assert.deepEqual(arm.slice(-2), ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]);
  });

  test("pip is asked for every platform tag, binary wheels only, of the runtime's CPython", () => {
    const flags = pipTargetFlags(pythonTarget("python3.12", "arm64"));
    assert.equal(flags.filter((f) => f === "--platform").length, 34 - 17 + 2);
    assert.deepEqual(flags.slice(-7), [
      "--only-binary=:all:",
      "--implementation",
      "cp",
      "--python-version",
      "3.12",
      "--abi",
      "cp312",
    ]);
  });

  test('"local" asks pip for nothing: the local Python decides', () => {
    const local = pythonTarget("python3.12", "local");
    assert.deepEqual(platformTags(local), []);
    assert.deepEqual(pipTargetFlags(local), []);
    assert.match(describeTarget(local), /^python3\.12 with the local Python on this machine/);
  });

  test("a runtime that names no Python Lambda runs is an error saying what to set", () => {
    for (const runtime of ["nodejs22.x", "api", "python3.8", "python2.7"]) {
      assert.throws(
        () => pythonTarget(runtime),
        (e: unknown) =>
          e instanceof LambdaPackageError &&
          e.code === "PYTHON_RUNTIME_UNKNOWN" &&
          e.message.includes(`RUNTIME "${runtime}"`) &&
          e.message.includes("Set runtime to the function's Python runtime"),
        runtime,
      );
    }
  });
});
