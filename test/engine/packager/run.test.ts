import assert from "node:assert/strict";
import { access, chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { runPackager, STDERR_TAIL_LINES } from "../../../engine/packager";
import { tempDir } from "./fixtures";

/** Writes `body` as an executable packager and returns run options around it. */
async function packager(t: TestContext, body: string, shebang = "#!/usr/bin/env bash\n") {
  const dir = await tempDir(t);
  const script = path.join(dir, "packager.sh");
  const sourcePath = path.join(dir, "source dir");
  const workDir = path.join(dir, "work");
  await Promise.all([mkdir(sourcePath), mkdir(workDir)]);
  await writeFile(script, shebang + body, { mode: 0o755 });
  // Where runPackager makes BUILD_DIR.
  const buildDir = path.join(workDir, "build");
  return { script, runtime: "custom", sourcePath, workDir, buildDir };
}

async function failure(promise: Promise<unknown>): Promise<LambdaPackageError> {
  const error = await promise.then(
    () => assert.fail("the packager should have failed"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof LambdaPackageError, String(error));
  assert.equal(error.code, "PACKAGER_FAILED");
  return error;
}

test("a non-zero exit names the script, the cwd, the code and exactly the last 40 stderr lines", async (t) => {
  const options = await packager(
    t,
    'for i in $(seq 1 100); do echo "err $i" >&2; echo "out $i"; done\nexit 3\n',
  );
  const error = await failure(runPackager(options));
  assert.ok(error.message.includes(`Packager ${options.script} (cwd ${options.sourcePath})`));
  assert.ok(error.message.includes("exited with code 3"), error.message);
  const tail = error.message.split("stderr:\n")[1].split("\n");
  const expected = Array.from({ length: STDERR_TAIL_LINES }, (_, i) => `err ${61 + i}`);
  assert.equal(STDERR_TAIL_LINES, 40);
  assert.deepEqual(tail, expected);
  assert.ok(!error.message.includes("out "), "stdout is not quoted as stderr");
});

test("a failure with a short stderr quotes all of it", async (t) => {
  const options = await packager(t, 'echo "pip: no matching distribution" >&2\nexit 1\n');
  const error = await failure(runPackager(options));
  assert.ok(
    error.message.endsWith("Last 1 line(s) of its stderr:\npip: no matching distribution"),
    error.message,
  );
});

test("a packager killed by a signal is reported with the signal's name", async (t) => {
  const options = await packager(t, 'echo "about to die" >&2\nkill -KILL $$\n');
  const error = await failure(runPackager(options));
  assert.ok(error.message.includes("was killed by signal SIGKILL"), error.message);
  assert.ok(error.message.includes("about to die"), error.message);
});

test("log receives lines while the packager is still running", async (t) => {
  // The packager waits for a file that only the log callback creates: if
  // output were buffered until exit, this would never finish.
  const options = await packager(
    t,
    'echo first\nwhile [[ ! -f "$BUILD_DIR/go" ]]; do sleep 0.05; done\necho second >&2\nprintf "no newline"\n',
  );
  const lines: string[] = [];
  await runPackager({
    ...options,
    log: (line) => {
      lines.push(line);
      if (line === "first") void writeFile(path.join(options.buildDir, "go"), "");
    },
  });
  assert.deepEqual(lines, ["first", "second", "no newline"]);
});

test("the packager runs with cwd set to the source path", async (t) => {
  const options = await packager(t, "pwd\n");
  const lines: string[] = [];
  await runPackager({ ...options, log: (line) => lines.push(line) });
  assert.deepEqual(lines, [options.sourcePath]);
});

test("stdin is closed, so a packager that prompts cannot hang the build", async (t) => {
  const options = await packager(
    t,
    'if read -r answer; then echo "read $answer"; else echo eof; fi\n',
  );
  const lines: string[] = [];
  await runPackager({ ...options, log: (line) => lines.push(line) });
  assert.deepEqual(lines, ["eof"]);
});

test("a script whose #! interpreter is missing is reported as not startable", async (t) => {
  const options = await packager(t, "echo never\n", "#!/no/such/interpreter\n");
  const error = await failure(runPackager(options));
  assert.ok(error.message.includes(options.script), error.message);
  assert.ok(error.message.includes("could not be started"), error.message);
  assert.ok(error.message.includes("#! line"), error.message);
});

test("a script that is not executable is reported with the chmod fix", async (t) => {
  const options = await packager(t, "echo never\n");
  await chmod(options.script, 0o644);
  const error = await failure(runPackager(options));
  assert.ok(error.message.includes("EACCES"), error.message);
  assert.ok(error.message.includes("chmod +x"), error.message);
});

test("a script that exits 0 leaves what it staged", async (t) => {
  const options = await packager(t, 'echo hi >"$BUILD_DIR/out.txt"\n');
  await runPackager(options);
  await access(path.join(options.buildDir, "out.txt"));
});
