import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { writePlan } from "../../../engine/python/main";
import type { InstallPlan } from "../../../engine/python/plan";
import { failure } from "../../support/errors";
import { tempDir } from "../../support/tmp";

const HASH = `--hash=sha256:${"0".repeat(64)}`;
const plan = (wheels: string[]): InstallPlan => ({
  source: "pylock.toml",
  targetFlags: ["--platform", "manylinux_2_34_x86_64"],
  wheels,
  sdists: [],
  directories: [],
  unpinned: [],
  reads: [],
  notes: [],
});

describe("the python packagers' helper", () => {
  test("writes the plan's requirements one per line, pip's flags as they are", async () => {
    const dir = await tempDir("python-plan");
    writePlan(plan([`tiny==1.0 ${HASH}`, `idna==3.11 ${HASH}`]), dir);
    assert.equal(
      readFileSync(path.join(dir, "wheels.txt"), "utf8"),
      `tiny==1.0 ${HASH}\nidna==3.11 ${HASH}\n`,
    );
    assert.equal(
      readFileSync(path.join(dir, "target.args"), "utf8"),
      "--platform\nmanylinux_2_34_x86_64\n",
    );
    assert.equal(readFileSync(path.join(dir, "file"), "utf8"), "");
    assert.equal(readFileSync(path.join(dir, "unpinned.txt"), "utf8"), "");
  });

  test("writes the file the plan comes from and the requirements pip resolves unpinned", async () => {
    const dir = await tempDir("python-plan");
    const unlocked: InstallPlan = {
      ...plan([]),
      source: "pyproject.toml",
      file: "/src/fn/pyproject.toml",
      unpinned: ["requests>=2.31.0", "greeting"],
    };
    writePlan(unlocked, dir);
    const again = await tempDir("python-plan");
    assert.equal(readFileSync(path.join(dir, "source"), "utf8"), "pyproject.toml");
    assert.equal(readFileSync(path.join(dir, "file"), "utf8"), "/src/fn/pyproject.toml");
    assert.equal(
      readFileSync(path.join(dir, "unpinned.txt"), "utf8"),
      "requests>=2.31.0\ngreeting\n",
    );
    assert.match(
      failure(
        () => writePlan({ ...unlocked, unpinned: ["-r /etc/passwd"] }, again),
        "PYTHON_LOCK_INVALID",
      ),
      /, from \/src\/fn\/pyproject\.toml, cannot be a line of unpinned\.txt for pip/,
    );
  });

  test("refuses a requirement that would break its line, begin an option or join the next line, before pip's file is written", async () => {
    for (const line of [
      `tiny==1.0 ${HASH}\n-r /abs/secret.txt`,
      `tiny==1.0 ${HASH}\r-r /abs/secret.txt`,
      `tiny==1.0 ${HASH}\u2028-r /abs/secret.txt`,
      `tiny==1.0 ${HASH}\u0085-r /abs/secret.txt`,
      `tiny==1.0 ${HASH}\u001e-r /abs/secret.txt`,
      "-r /abs/secret.txt",
      `tiny==1.0 ${HASH} \\`,
    ]) {
      const dir = await tempDir("python-plan");
      const message = failure(() => writePlan(plan([line]), dir), "PYTHON_LOCK_INVALID");
      assert.match(message, /, from pylock\.toml, cannot be a line of wheels\.txt for pip: it /);
      // The line is quoted, its breaks escaped: the message forges no line either.
      assert.ok(!/[\n\r]/.test(message), JSON.stringify(message));
      assert.ok(!existsSync(path.join(dir, "wheels.txt")), JSON.stringify(line));
    }
  });
});
