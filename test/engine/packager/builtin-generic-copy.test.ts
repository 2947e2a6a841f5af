import assert from "node:assert/strict";
import { chmod, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { copyFixture, listTree, run, stage, tempDir } from "./fixtures";

async function packagerFailure(promise: Promise<unknown>): Promise<LambdaPackageError> {
  const error = await promise.then(
    () => assert.fail("the packager should have failed"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof LambdaPackageError && error.code === "PACKAGER_FAILED", String(error));
  return error;
}

describe("generic packager", () => {
  test("runs build_lambda.sh, which adds to the pre-made empty $PACKAGE_ZIP with Info-ZIP zip", async (t) => {
    const src = await copyFixture(t, "generic");
    const { buildDir, packageZip, lines } = await stage(t, "generic", src);
    // zip takes the 22-byte end-of-central-directory record as an empty archive.
    assert.ok(
      lines.some((l) => l.includes("adding: handler.py")),
      lines.join("\n"),
    );
    await run("unzip", ["-t", packageZip]);
    const entries = (await run("unzip", ["-Z1", packageZip])).split("\n").sort();
    assert.deepEqual(entries, ["handler.py", "lib/", "lib/__init__.py", "lib/words.py"]);
    assert.equal(await readFile(path.join(buildDir, "BUILD_INFO"), "utf8"), "built from generic\n");

    const unpacked = await tempDir(t);
    await run("unzip", ["-q", packageZip, "-d", unpacked]);
    const code =
      "import json, sys; sys.path.insert(0, sys.argv[1]); from handler import handler; " +
      "print(json.dumps(handler({}, None)))";
    assert.deepEqual(JSON.parse(await run("python3", ["-c", code, unpacked])), {
      statusCode: 200,
      body: "GENERIC!",
    });
  });

  test("a source without build_lambda.sh fails naming the missing script", async (t) => {
    const src = await copyFixture(t, "copy");
    const error = await packagerFailure(stage(t, "generic", src));
    assert.ok(error.message.includes(`${src}/build_lambda.sh does not exist`), error.message);
  });

  test("a build_lambda.sh that is not executable fails with the chmod fix", async (t) => {
    const src = await copyFixture(t, "generic");
    const script = path.join(src, "build_lambda.sh");
    await chmod(script, 0o644);
    const error = await packagerFailure(stage(t, "generic", src));
    assert.ok(error.message.includes(`chmod +x '${script}'`), error.message);
  });

  test("a failing build_lambda.sh fails the packager with its exit code", async (t) => {
    const src = await copyFixture(t, "generic");
    await writeFile(path.join(src, "build_lambda.sh"), "#!/bin/sh\necho broken >&2\nexit 7\n");
    const error = await packagerFailure(stage(t, "generic", src));
    assert.ok(error.message.includes("exited with code 7") && error.message.includes("broken"));
  });
});

describe("copy packager", () => {
  test("packages the directory as it is, read in place: modes kept, links followed, minus .git", async (t) => {
    const src = await copyFixture(t, "copy");
    await mkdir(path.join(src, ".git"));
    await writeFile(path.join(src, ".git", "HEAD"), "ref: refs/heads/main\n");
    await symlink("index.js", path.join(src, "main.js"));
    const { buildDir } = await stage(t, "copy", src);
    assert.deepEqual(await listTree(buildDir), [
      "index.js",
      "main.js",
      "nested/",
      "nested/data.json",
      "nested/run.sh",
    ]);
    assert.equal((await stat(path.join(buildDir, "nested", "run.sh"))).mode & 0o777, 0o755);
    // A link inside the source goes in as the file it points at, as zip -r stores it.
    assert.deepEqual(
      await readFile(path.join(buildDir, "main.js")),
      await readFile(path.join(src, "index.js")),
    );
    const code = "require(process.argv[1]).handler().then((r) => console.log(JSON.stringify(r)))";
    const out = await run(process.execPath, ["-e", code, path.join(buildDir, "main.js")]);
    assert.deepEqual(JSON.parse(out), { statusCode: 200, body: "copied as is" });
  });
});
