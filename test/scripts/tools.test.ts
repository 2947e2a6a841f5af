import assert from "node:assert/strict";
import { chmod, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { run } from "../support/run";
import { ROOT } from "../support/pulumi";
import { tempDir } from "../support/tmp";

/** What scripts/tools.sh would do with these fake `pulumi` and `minio` first on PATH. */
async function choices(pulumiVersion: string, minioRelease: string): Promise<string> {
  const dir = await tempDir("tools-path");
  const fake = async (name: string, output: string) => {
    const file = path.join(dir, name);
    await writeFile(file, `#!/bin/sh\necho '${output}'\n`);
    await chmod(file, 0o755);
  };
  await fake("pulumi", pulumiVersion);
  await fake("minio", `minio version ${minioRelease} (commit-id=abc)`);
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, TOOLS_DRY_RUN: "1" };
  // The script speaks on stderr; 2>&1 makes that what run() returns.
  return run("bash", ["-c", `bash "$0" 2>&1`, path.join(ROOT, "scripts", "tools.sh")], { env });
}

test("a pulumi and a minio on PATH whose versions fit are used, and the choice is said", async () => {
  const said = await choices("v3.300.1", "RELEASE.2025-10-15T17-29-55Z");
  assert.match(said, /pulumi v3\.300\.1 from .*\/pulumi \(on PATH\)/);
  assert.match(said, /minio RELEASE\.2025-10-15 from .*\/minio \(on PATH\)/);
});

test("an older pulumi or minio on PATH is not used, and the message says why", async () => {
  const said = await choices("v3.100.0", "RELEASE.2023-05-04T21-44-30Z");
  assert.match(said, /pulumi at .* is v3\.100\.0, not v3 >= \d+\.\d+\.\d+ .*; building one/);
  assert.match(said, /minio at .* is RELEASE\.2023-05-04, older than 2025-01-01/);
});

test("a .tools shared with another checkout through a link is not taken for a tool on PATH", async () => {
  // Another checkout whose .tools is a link to this one's, with its .tools/bin first on PATH.
  const other = await tempDir("tools-shared");
  await symlink(path.join(ROOT, ".tools"), path.join(other, ".tools"));
  const env = {
    ...process.env,
    PATH: `${path.join(other, ".tools", "bin")}:${process.env.PATH}`,
    TOOLS_DRY_RUN: "1",
  };
  const said = await run("bash", ["-c", `bash "$0" 2>&1`, path.join(ROOT, "scripts", "tools.sh")], {
    env,
  });
  // Linking .tools/bin/pulumi to that path would make it a link to itself.
  assert.doesNotMatch(said, new RegExp(`from ${other}/\\.tools/bin/(pulumi|minio) \\(on PATH\\)`));
  assert.match(said, /tools: pulumi /);
});
