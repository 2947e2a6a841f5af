import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { builtWheelLines } from "../../../engine/python/built";
import { pythonTarget } from "../../../engine/python/target";
import { tempDir } from "../../support/tmp";

async function wheels(names: string[]): Promise<string> {
  const dir = await tempDir("built");
  for (const name of names) await writeFile(path.join(dir, name), name);
  return dir;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("wheels built on this machine", () => {
  test("pure-Python ones are installed, pinned to their hashes", async () => {
    const dir = await wheels(["b-1.0-py3-none-any.whl", "a-2.0-py2.py3-none-any.whl", "notes.txt"]);
    assert.deepEqual(builtWheelLines([dir], "/src/uv.lock", pythonTarget("python3.12")), [
      `${dir}/a-2.0-py2.py3-none-any.whl --hash=sha256:${sha("a-2.0-py2.py3-none-any.whl")}`,
      `${dir}/b-1.0-py3-none-any.whl --hash=sha256:${sha("b-1.0-py3-none-any.whl")}`,
    ]);
  });

  test("compiled ones stop the build, every one named with what it was built as", async () => {
    const one = await wheels(["fast-1.0-cp311-cp311-linux_x86_64.whl", "ok-1.0-py3-none-any.whl"]);
    const two = await wheels(["faster-2.0-cp311-abi3-linux_x86_64.whl"]);
    assert.throws(
      () => builtWheelLines([one, two], "/src/uv.lock", pythonTarget("python3.12", "arm64")),
      (e: unknown) =>
        e instanceof LambdaPackageError &&
        e.code === "PYTHON_NATIVE_BUILD" &&
        e.message.includes(
          "These packages from /src/uv.lock have no wheel for Lambda's python3.12 on Amazon Linux 2023 (glibc 2.34), arm64",
        ) &&
        e.message.includes("- fast 1.0 (built here as cp311-cp311-linux_x86_64)") &&
        e.message.includes("- faster 2.0 (built here as cp311-abi3-linux_x86_64)") &&
        e.message.includes("Amazon Linux 2023 arm64 with Python 3.12"),
    );
  });

  test('with "local" compiled ones are what was asked for', async () => {
    const dir = await wheels(["fast-1.0-cp311-cp311-linux_x86_64.whl"]);
    assert.equal(
      builtWheelLines([dir], "/src/uv.lock", pythonTarget("python3.12", "local")).length,
      1,
    );
  });
});
