import assert from "node:assert/strict";
import { chmod, mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { run } from "../support/run";
import { tempDir } from "../support/tmp";

const SCRIPT = path.join(__dirname, "..", "support", "interruptible.js");

test("a build first sweeps away this tool's temp leftovers older than a day, and only those", async () => {
  const tmp = await tempDir("sweep-tmp");
  const source = await tempDir("sweep-src");
  await writeFile(path.join(source, "app.py"), "x = 1\n");
  const packager = path.join(source, "copy.sh");
  await writeFile(packager, '#!/bin/sh\ncp "$SOURCE_PATH/app.py" "$BUILD_DIR/"\n');
  await chmod(packager, 0o755);
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  for (const name of [
    "lambda-package-dead",
    "lambda-package-dead.zip",
    "lambda-package-live",
    "other-tool",
  ]) {
    const file = path.join(tmp, name);
    if (name.endsWith(".zip")) await writeFile(file, "x");
    else await mkdir(file);
    if (name !== "lambda-package-live") await utimes(file, twoDaysAgo, twoDaysAgo);
  }
  // A process of its own: the sweep runs once per process, before its first build.
  const out = await run(process.execPath, [SCRIPT, "build", source, packager], {
    env: { ...process.env, TMPDIR: tmp },
  });
  assert.match(out, /finished/);
  const left = (await readdir(tmp)).filter(
    (name) => !name.endsWith(".zip") || name.includes("dead"),
  );
  assert.deepEqual(left.sort(), ["lambda-package-live", "other-tool"]);
});
