/**
 * The audit as builds and users meet it: through build() with the copy
 * packager run for a Lambda runtime's name, and on a directory or a zip.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, copyFile, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { auditFiles, auditPath, auditTarget } from "../../../engine/audit";
import { build } from "../../../engine/build";
import type { BuildOptions } from "../../../engine/options";
import { builtinPackagersDir } from "../../../engine/packager";
import { LambdaPackageError } from "../../../shared/errors";
import { tempDir } from "../../support/tmp";
import { compiledObjects, MACH_ARM64, machO, type Compiled } from "./objects";

/** The built-in `copy` packager, run under a Lambda runtime's name so the audit knows its glibc. */
const COPY = path.join(builtinPackagersDir, "copy");

/** A source directory: compiled objects by key, or bytes, at package paths. */
async function source(files: Record<string, keyof Compiled | Buffer>): Promise<string> {
  const objects = await compiledObjects();
  const dir = await tempDir("audit-src");
  await writeFile(path.join(dir, "handler.py"), "def handler(event, context):\n    return 1\n");
  for (const [name, what] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    if (Buffer.isBuffer(what)) await writeFile(file, what);
    else await copyFile(objects[what], file);
  }
  return dir;
}

/** Runs build() and keeps what it logged and warned. */
async function packaged(options: BuildOptions) {
  const log: string[] = [];
  const warnings: string[] = [];
  const outFile = path.join(await tempDir("audit-out"), "fn.zip");
  const result = await build({
    outFile,
    ...options,
    log: (line) => log.push(line),
    warn: (line) => warnings.push(line),
  });
  return { result, log, warnings, outFile };
}

/** Asserts a build fails the audit, each pattern in the message; returns the message. */
async function failsAudit(options: BuildOptions, ...patterns: RegExp[]): Promise<string> {
  const outFile = path.join(await tempDir("audit-out"), "fn.zip");
  let message = "";
  await assert.rejects(build({ outFile, ...options }), (error: LambdaPackageError) => {
    assert.equal(error.code, "NATIVE_INCOMPATIBLE", error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    message = error.message;
    return true;
  });
  await assert.rejects(stat(outFile), "no zip is written when the audit fails");
  return message;
}

describe("the native-code audit in build()", () => {
  test("a glibc-2.36 object fails python3.12, naming the file and GLIBC_2.36 > 2.34", async () => {
    const sourcePath = await source({ "lib/draw.so": "glibc236" });
    const message = await failsAudit(
      { sourcePath, runtime: "python3.12", packager: COPY },
      /lib\/draw\.so: needs GLIBC_2\.36 > 2\.34; python3\.12 runs on Amazon Linux 2023, glibc 2\.34/,
      /glibc 2\.34 or older/,
      /nativeCheck to "warn"/,
    );
    assert.doesNotMatch(message, /handler\.py/);
  });

  test("an object that fails the audit stops a zip already compressing, and leaves no zip", async () => {
    // The audit runs while the zip is written: 40 incompressible files of 900 KiB keep the
    // worker threads busy for a second or more, far longer than the audit of one object.
    const files: Record<string, Buffer | "glibc236"> = { "lib/draw.so": "glibc236" };
    for (let i = 0; i < 40; i++) files[`data/${i}.bin`] = randomBytes(900 * 1024);
    const sourcePath = await source(files);
    let zipped = 0;
    await failsAudit(
      {
        sourcePath,
        runtime: "python3.12",
        packager: COPY,
        onProgress: ({ files }) => (zipped = Math.max(zipped, files)),
      },
      /lib\/draw\.so: needs GLIBC_2\.36 > 2\.34/,
    );
    assert.ok(zipped < 42, `the zip went on to write all ${zipped} files`);
  });

  test("a GLIBC_2.34 object packages for python3.12 and fails python3.11 (Amazon Linux 2)", async () => {
    const sourcePath = await source({ "lib/threads.so": "glibc234" });
    const { log } = await packaged({ sourcePath, runtime: "python3.12", packager: COPY });
    assert.ok(
      log.some((line) => /native-code audit .*: 1 native of 2 files .*no problems/.test(line)),
    );
    await failsAudit(
      { sourcePath, runtime: "python3.11", packager: COPY },
      /lib\/threads\.so: needs GLIBC_2\.34 > 2\.26; python3\.11 runs on Amazon Linux 2, glibc 2\.26/,
    );
  });

  test("a Mach-O .node copied into a node package fails nodejs22.x, naming the npm package", async () => {
    const sourcePath = await source({
      "node_modules/fancy-addon/build/Release/addon.node": machO(MACH_ARM64),
      "node_modules/fancy-addon/index.js": Buffer.from("module.exports = 1;\n"),
    });
    await failsAudit(
      { sourcePath, runtime: "nodejs22.x", packager: COPY },
      /node_modules\/fancy-addon\/build\/Release\/addon\.node \(npm package fancy-addon\): Mach-O \(macOS\) binary, arm64; Lambda loads Linux ELF objects only/,
      /instead of copying node_modules/,
    );
  });

  test('nativeCheck "warn" packages anyway and hands the same findings to warn', async () => {
    const sourcePath = await source({
      "node_modules/fancy-addon/addon.node": machO(MACH_ARM64),
      "vendor/draw.so": "glibc236",
    });
    const { result, warnings, log } = await packaged({
      sourcePath,
      runtime: "nodejs22.x",
      packager: COPY,
      nativeCheck: "warn",
    });
    assert.equal(result.fileCount, 3);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^lambda-package: warning \(nativeCheck "warn"\): 2 native files/);
    assert.match(warnings[0], /addon\.node \(npm package fancy-addon\): Mach-O/);
    assert.match(warnings[0], /vendor\/draw\.so: needs GLIBC_2\.36 > 2\.34/);
    assert.ok(log.some((line) => /native-code audit .*2 that will not load/.test(line)));
  });

  test('nativeCheck "off" skips the audit and logs that it did', async () => {
    const sourcePath = await source({ "lib/draw.so": "glibc236" });
    const { warnings, log } = await packaged({
      sourcePath,
      runtime: "python3.12",
      packager: COPY,
      nativeCheck: "off",
    });
    assert.deepEqual(warnings, []);
    assert.ok(log.includes('lambda-package: native-code audit off (nativeCheck "off")'));
  });

  test("architecture decides the machine: arm64 objects pass for arm64 and x86-64 ones fail", async () => {
    const sourcePath = await source({ "lib/arm.so": "arm64" });
    await packaged({ sourcePath, runtime: "python3.12", packager: COPY, architecture: "arm64" });
    await failsAudit(
      { sourcePath, runtime: "python3.12", packager: COPY },
      /lib\/arm\.so: aarch64 shared object; the function runs on x86_64/,
      /set architecture to "arm64"/,
    );
    const x86 = await source({ "lib/x86.so": "plain" });
    await failsAudit(
      { sourcePath: x86, runtime: "python3.12", packager: COPY, architecture: "arm64" },
      /lib\/x86\.so: x86-64 shared object; the function runs on arm64/,
    );
  });

  test("a musl-linked bootstrap fails provided.al2023", async () => {
    const sourcePath = await source({ bootstrap: "muslExecutable" });
    await failsAudit(
      { sourcePath, runtime: "provided.al2023", packager: COPY },
      /bootstrap: musl-linked \(interpreter \/lib\/ld-musl-x86_64\.so\.1\)/,
    );
  });

  test("the copy packager under its own name checks all but glibc, and says so", async () => {
    const sourcePath = await source({ "lib/draw.so": "glibc236" });
    const { log } = await packaged({ sourcePath, runtime: "copy" });
    assert.ok(
      log.some((line) =>
        /native-code audit for copy on x86_64 \(glibc not checked: "copy" is no Lambda runtime's name\): 1 native .*no problems/.test(
          line,
        ),
      ),
      log.join("\n"),
    );
    const arm = await source({ "lib/arm.so": "arm64" });
    await failsAudit({ sourcePath: arm, runtime: "copy" }, /lib\/arm\.so: aarch64 shared object/);
  });

  test("prebuilds for other platforms pass and are counted in the log", async () => {
    const sourcePath = await source({
      "node_modules/ws-native/prebuilds/darwin-x64+arm64/ws.node": machO(MACH_ARM64),
      "node_modules/ws-native/prebuilds/linux-x64/node.napi.musl.node": "muslShared",
      "node_modules/ws-native/prebuilds/linux-x64/node.napi.glibc.node": "plain",
    });
    const { log } = await packaged({ sourcePath, runtime: "nodejs22.x", packager: COPY });
    assert.ok(
      log.some((line) =>
        /1 native of 4 files \(3 opened\), no problems; 2 prebuilds for other platforms skipped/.test(
          line,
        ),
      ),
      log.join("\n"),
    );
  });

  test("a Python extension is traced to the distribution whose dist-info is beside it", async () => {
    const sourcePath = await source({
      "rnd/_draw.cpython-312-x86_64-linux-gnu.so": "glibc236",
      "rnd-1.0.2.dist-info/METADATA": Buffer.from("Name: rnd\nVersion: 1.0.2\n"),
    });
    await failsAudit(
      { sourcePath, runtime: "python3.12", packager: COPY },
      /rnd\/_draw\.cpython-312-x86_64-linux-gnu\.so \(Python package rnd 1\.0\.2\): needs GLIBC_2\.36/,
    );
  });
});

describe("auditing a directory or a zip", () => {
  test("a directory is audited as its package would be, executables found by their mode", async () => {
    const dir = await source({ "bin/server": "muslExecutable", "lib/ok.so": "plain" });
    await chmod(path.join(dir, "bin/server"), 0o755);
    const report = await auditPath(dir, auditTarget("python3.12"));
    assert.equal(report.files, 3);
    assert.equal(report.native, 2);
    assert.deepEqual(
      report.findings.map((f) => [f.name, f.problems.map((p) => p.kind)]),
      [["bin/server", ["musl"]]],
    );
  });

  test("a zip gives the findings its directory gives", async () => {
    const sourcePath = await source({
      "node_modules/fancy-addon/addon.node": machO(MACH_ARM64),
      "lib/draw.so": "glibc236",
      bootstrap: "muslExecutable",
    });
    const { outFile } = await packaged({ sourcePath, runtime: "copy", nativeCheck: "off" });
    const fromZip = await auditPath(outFile, auditTarget("python3.12"));
    const fromDir = await auditPath(sourcePath, auditTarget("python3.12"));
    assert.equal(fromZip.findings.length, 3);
    assert.deepEqual(fromZip.findings, fromDir.findings);
    assert.equal(fromZip.files, fromDir.files);
  });

  test("files that are ranges of one archive give the findings the files give", async () => {
    const objects = await compiledObjects();
    // In the walk's order, so the findings come in the same order.
    const names = ["bin/server", "lib/draw.so", "lib/ok.so"] as const;
    const kinds = ["muslExecutable", "glibc236", "plain"] as const;
    const dir = await tempDir("audit-archive");
    const archive = path.join(dir, "archive");
    const bytes = await Promise.all(kinds.map((kind) => readFile(objects[kind])));
    const files = [];
    let offset = 4096; // bytes before the first object, which no file owns
    for (const [i, data] of bytes.entries()) {
      files.push({
        name: names[i],
        sourceFile: archive,
        size: data.length,
        executable: i === 0,
        offset,
      });
      offset += data.length + 7;
    }
    const parts = bytes.flatMap((data) => [data, Buffer.alloc(7, 0x7f)]);
    await writeFile(archive, Buffer.concat([Buffer.alloc(4096, 0x7f), ...parts]));
    const fromArchive = await auditFiles(files, auditTarget("python3.12"));
    const sourcePath = await source(Object.fromEntries(names.map((name, i) => [name, kinds[i]])));
    await chmod(path.join(sourcePath, "bin/server"), 0o755);
    const fromDir = await auditPath(sourcePath, auditTarget("python3.12"));
    assert.equal(fromArchive.native, 3);
    assert.deepEqual(fromArchive.findings, fromDir.findings);
    assert.deepEqual(
      fromArchive.findings.map((f) => f.name),
      ["bin/server", "lib/draw.so"],
    );
  });

  test("a path that is not there is an error naming it", async () => {
    await assert.rejects(
      auditPath("/no/such/package.zip", auditTarget("python3.12")),
      (error: LambdaPackageError) =>
        error.code === "AUDIT_UNREADABLE" &&
        /\/no\/such\/package\.zip .*does not exist/.test(error.message),
    );
  });

  test("a file that is not a zip is an error saying what to give", async () => {
    const file = path.join(await tempDir("audit-bad"), "fn.zip");
    await writeFile(file, "not a zip at all, just text long enough to have no end record");
    await assert.rejects(
      auditPath(file, auditTarget("python3.12")),
      (error: LambdaPackageError) =>
        error.code === "AUDIT_UNREADABLE" && /Cannot read .*fn\.zip as a zip/.test(error.message),
    );
  });
});
