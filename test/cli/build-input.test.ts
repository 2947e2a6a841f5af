/** `lambda-package build` on what a packager leaves that is not a finished package. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { CLI, type CliResult } from "../support/cli";
import { tempDir } from "../support/tmp";

/** `lambda-package build` with `packager` (a shell script), killed if it runs past 30 s. */
async function buildWith(script: string): Promise<CliResult & { timedOut: boolean }> {
  const dir = await tempDir("cli-build-input");
  const source = path.join(dir, "src");
  const packager = path.join(dir, "packager.sh");
  await writeFile(packager, `#!/bin/sh\n${script}\n`);
  await chmod(packager, 0o755);
  await mkdir(source);
  await writeFile(path.join(source, "index.js"), "exports.handler = async () => 1;\n");
  const args = [CLI, "build", source, "--packager", packager, "--out", path.join(dir, "fn.zip")];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, {
      env: { ...process.env, CI: "true" },
      timeout: 30_000,
      killSignal: "SIGKILL",
    });
    return { code: 0, stdout, stderr, timedOut: false };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string; killed?: boolean };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, timedOut: e.killed === true };
  }
}

describe("lambda-package build on a packager's leftovers", () => {
  test("a file a detached child keeps writing after the packager exits fails the build, naming it", async () => {
    // setsid takes the writer out of the packager's process group, so it outlives the packager.
    // It holds the file open and stops when the build's work dir is gone.
    const result = await buildWith(
      // 8 MB that does not compress: zipping it keeps the window open long enough for the
      // writer to run in it even on a loaded machine.
      `cp index.js "$BUILD_DIR/"\nhead -c 8000000 /dev/urandom >"$BUILD_DIR/big.bin"\n` +
        `setsid sh -c 'exec 3>>"$BUILD_DIR/log.txt"; i=0; ` +
        `while [ -d "$BUILD_DIR" ] && [ $i -lt 3000000 ]; do printf x >&3; i=$((i+1)); done' ` +
        `</dev/null >/dev/null 2>&1 &\n` +
        `while [ ! -s "$BUILD_DIR/log.txt" ]; do sleep 0.01; done`,
    );
    assert.equal(result.timedOut, false, "the build did not end within 30 s");
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /Cannot zip \S*\/log\.txt \(zip entry "log\.txt"\): its size changed/,
    );
    assert.match(result.stderr, /A process may still be writing it/);
  });

  test("a FIFO left as $PACKAGE_ZIP fails the build at once, naming it", async () => {
    const result = await buildWith(
      `cp index.js "$BUILD_DIR/"\nrm "$PACKAGE_ZIP"\nmkfifo "$PACKAGE_ZIP"`,
    );
    assert.equal(result.timedOut, false, "the build waited on the FIFO");
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /\$PACKAGE_ZIP \(\S*package\.zip\) unreadable: it is a FIFO/);
  });
});
