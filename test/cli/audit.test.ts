/** `lambda-package audit`, and the audit in `build`, as a user runs them. */
import assert from "node:assert/strict";
import { copyFile, mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { cli } from "../support/cli";
import { tempDir } from "../support/tmp";
import { compiledObjects, MACH_X86_64, machO } from "../engine/audit/objects";

/** A package directory with a handler, a glibc-2.36 object and a Mach-O addon. */
async function incompatible(): Promise<string> {
  const dir = await tempDir("cli-audit");
  await mkdir(path.join(dir, "lib"));
  await mkdir(path.join(dir, "node_modules", "fancy"), { recursive: true });
  await writeFile(path.join(dir, "index.js"), "exports.handler = async () => 1;\n");
  await copyFile((await compiledObjects()).glibc236, path.join(dir, "lib", "draw.so"));
  await writeFile(path.join(dir, "node_modules", "fancy", "fancy.node"), machO(MACH_X86_64));
  return dir;
}

async function compatible(): Promise<string> {
  const dir = await tempDir("cli-audit");
  await writeFile(path.join(dir, "index.js"), "exports.handler = async () => 1;\n");
  await copyFile((await compiledObjects()).glibc234, path.join(dir, "threads.so"));
  return dir;
}

describe("lambda-package audit", () => {
  test("a clean directory exits 0 and prints the summary", async () => {
    const result = await cli(["audit", await compatible(), "--runtime", "nodejs22.x"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /native-code audit for nodejs22\.x on x86_64 .*: 1 native of 2 files .*no problems/,
    );
    assert.equal(result.stderr, "");
  });

  test("findings exit 1, each file on stderr with what was found and what is allowed", async () => {
    const result = await cli(["audit", await incompatible(), "-r", "python3.12"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /lib\/draw\.so: needs GLIBC_2\.36 > 2\.34/);
    assert.match(
      result.stderr,
      /node_modules\/fancy\/fancy\.node \(npm package fancy\): Mach-O \(macOS\) binary, x86_64/,
    );
  });

  test("the runtime's glibc decides: a GLIBC_2.34 object fails python3.11", async () => {
    const result = await cli(["audit", await compatible(), "-r", "python3.11"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /threads\.so: needs GLIBC_2\.34 > 2\.26; python3\.11 runs on Amazon Linux 2/,
    );
  });

  test("a zip built with the audit off is audited from its entries", async () => {
    const zip = path.join(await tempDir("cli-audit-out"), "fn.zip");
    const built = await cli([
      "build",
      await incompatible(),
      "-r",
      "copy",
      "--native-check",
      "off",
      "-o",
      zip,
    ]);
    assert.equal(built.code, 0, built.stderr);
    const result = await cli(["audit", zip, "--runtime", "nodejs22.x", "--architecture", "x86_64"]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /2 native of 3 files/);
    assert.match(result.stderr, /lib\/draw\.so: needs GLIBC_2\.36 > 2\.34/);
    assert.match(result.stderr, /fancy\.node \(npm package fancy\): Mach-O/);
  });

  test("--native-check warn reports the findings on stderr and exits 0", async () => {
    const result = await cli([
      "audit",
      await incompatible(),
      "-r",
      "python3.12",
      "--native-check",
      "warn",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning \(nativeCheck "warn"\): 2 native files/);
  });

  test("--json prints the report", async () => {
    const result = await cli(["audit", await incompatible(), "-r", "python3.12", "--json"]);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as { findings: { name: string }[]; files: number };
    assert.deepEqual(
      report.findings.map((f) => f.name),
      ["lib/draw.so", "node_modules/fancy/fancy.node"],
    );
  });

  test("bad usage exits 2: no runtime, a name that is no Lambda runtime, a build-only flag", async () => {
    const dir = await compatible();
    for (const args of [
      ["audit", dir],
      ["audit", dir, "-r", "copy"],
      ["audit", dir, "-r", "python3.12", "--level", "3"],
      ["audit", dir, "-r", "python3.12", "--native-check", "off"],
      ["audit", "-r", "python3.12"],
    ]) {
      const result = await cli(args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, /Usage:/);
    }
  });
});

describe("lambda-package build and the audit", () => {
  test("build fails with exit 1 on native code that will not load, and writes no zip", async () => {
    const zip = path.join(await tempDir("cli-audit-out"), "fn.zip");
    const result = await cli(["build", await incompatible(), "-r", "copy", "-o", zip]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /fancy\.node \(npm package fancy\): Mach-O/);
    assert.match(result.stderr, /--native-check warn/);
    await assert.rejects(stat(zip), "no zip is written when the audit fails");
  });

  test("build --native-check warn shows the warning without --verbose and writes the zip", async () => {
    const zip = path.join(await tempDir("cli-audit-out"), "fn.zip");
    const result = await cli([
      "build",
      await incompatible(),
      "-r",
      "copy",
      "--native-check",
      "warn",
      "-o",
      zip,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning \(nativeCheck "warn"\): 1 native file in the package/);
    assert.match(result.stdout, /files: +3/);
  });
});
