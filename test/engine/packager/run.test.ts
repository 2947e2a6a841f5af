import assert from "node:assert/strict";
import { access, chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { runPackager, STDERR_TAIL_LINES } from "../../../engine/packager";
import { alive } from "../../support/run";
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

test("a non-zero exit names the script, the cwd, the code and exactly the last 40 lines it printed", async (t) => {
  // stdout alone: the order of lines across two pipes is the reader's, not the writer's.
  const options = await packager(t, 'for i in $(seq 1 100); do echo "out $i"; done\nexit 3\n');
  const error = await failure(runPackager(options));
  assert.ok(error.message.includes(`Packager ${options.script} (cwd ${options.sourcePath})`));
  assert.ok(error.message.includes("exited with code 3"), error.message);
  const tail = error.message.split("output:\n")[1].split("\n");
  const expected = Array.from({ length: STDERR_TAIL_LINES }, (_, i) => `out ${61 + i}`);
  assert.equal(STDERR_TAIL_LINES, 40);
  assert.deepEqual(tail, expected);
});

test("a tool's error printed on stdout, as pnpm prints it, is in the message", async (t) => {
  const options = await packager(
    t,
    'echo "installing" >&2\necho " ERR_PNPM_DEPLOY_NONINJECTED_WORKSPACE  needs inject-workspace-packages"\nexit 1\n',
  );
  const error = await failure(runPackager(options));
  assert.match(
    error.message,
    /ERR_PNPM_DEPLOY_NONINJECTED_WORKSPACE {2}needs inject-workspace-packages/,
  );
});

test("a failure with a short stderr quotes all of it", async (t) => {
  const options = await packager(t, 'echo "pip: no matching distribution" >&2\nexit 1\n');
  const error = await failure(runPackager(options));
  assert.ok(
    error.message.endsWith("Last 1 line(s) of its output:\npip: no matching distribution"),
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

test("a packager that leaves a child in the background ends the build when it exits, child stopped", async (t) => {
  const options = await packager(t, 'sleep 30 &\necho $! >"$BUILD_DIR/child.pid"\necho done\n');
  const lines: string[] = [];
  const started = Date.now();
  await runPackager({ ...options, log: (line) => lines.push(line) });
  assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
  const child = Number(await readFile(path.join(options.buildDir, "child.pid"), "utf8"));
  assert.equal(alive(child), false, "the background sleep was stopped");
  assert.ok(lines.includes("done"));
  assert.ok(
    lines.some((line) => /left processes running in the background/.test(line)),
    lines.join("\n"),
  );
});

test("packagerTimeout stops the packager and its children with an error that says how to raise it", async (t) => {
  const options = await packager(
    t,
    'sleep 60 &\necho $! >"$BUILD_DIR/child.pid"\necho "still working" >&2\nsleep 60\n',
  );
  const started = Date.now();
  const error = await runPackager({ ...options, packagerTimeout: 1 }).then(
    () => assert.fail("the packager should have been stopped"),
    (e: unknown) => e,
  );
  assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
  assert.ok(
    error instanceof LambdaPackageError && error.code === "PACKAGER_TIMEOUT",
    String(error),
  );
  assert.match(error.message, /ran longer than packagerTimeout \(1 s\)/);
  assert.match(error.message, /still working/);
  const child = Number(await readFile(path.join(options.buildDir, "child.pid"), "utf8"));
  assert.equal(alive(child), false);
});

test("secrets and the values of credential-like variables are masked in the log and in the error", async (t) => {
  const options = await packager(
    t,
    'echo "index $INDEX_URL and token $NPM_TOKEN, short $SHORT"\necho "failed with $INDEX_URL" >&2\nexit 1\n',
  );
  const lines: string[] = [];
  const secret = "https://user:hunter2@pypi.example/simple";
  const error = await failure(
    runPackager({
      ...options,
      packagerEnv: { INDEX_URL: secret, NPM_TOKEN: "npm_abcdef123456", SHORT: "abc" },
      secrets: [secret, "abc"],
      log: (line) => lines.push(line),
    }),
  );
  assert.deepEqual(lines, ["index *** and token ***, short abc", "failed with ***"]);
  assert.ok(!error.message.includes("hunter2"), error.message);
  assert.match(error.message, /failed with \*\*\*/);
});
