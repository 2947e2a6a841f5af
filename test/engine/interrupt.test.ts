/**
 * A build interrupted by SIGINT or SIGTERM (Pulumi stopping its provider, a
 * cancelled CI job) leaves nothing running and nothing in the temp dir.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { alive, run } from "../support/run";
import { tempDir } from "../support/tmp";

const SCRIPT = path.join(__dirname, "..", "support", "interruptible.js");

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await sleep(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} during a hanging packager stops its process group and removes the work dir`, async () => {
    const dir = await tempDir("interrupt");
    const tmp = await tempDir("interrupt-tmp");
    const pids = path.join(dir, "pids");
    const packager = path.join(dir, "hang.sh");
    // The packager ignores SIGINT, as a careless script might, and leaves a child.
    await writeFile(
      packager,
      `#!/usr/bin/env bash\ntrap '' INT\nsleep 120 &\necho "$$ $!" >"${pids}"\nsleep 120\n`,
    );
    await chmod(packager, 0o755);
    await writeFile(path.join(dir, "handler.py"), "x = 1\n");
    const child = spawn(process.execPath, [SCRIPT, "build", dir, packager], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [leader, background] = await waitFor("the packager", async () => {
      const text = await readFile(pids, "utf8").catch(() => "");
      return text.includes(" ") ? text.trim().split(" ").map(Number) : undefined;
    });
    assert.ok((await readdir(tmp)).some((name) => name.startsWith("lambda-package-")));
    child.kill(signal);
    const [code, ended] = (await once(child, "exit")) as [number | null, string | null];
    assert.equal(ended, signal, `exit code ${code}`);
    assert.equal(alive(leader), false, "the packager was stopped");
    assert.equal(alive(background), false, "its child was stopped");
    assert.deepEqual(await readdir(tmp), [], "the work dir was removed");
  });
}

/** The pids of `parent`'s children running an esbuild service. */
async function esbuildServices(parent: number): Promise<number[]> {
  const pids: number[] = [];
  for (const task of await readdir(`/proc/${parent}/task`).catch(() => [])) {
    const children = await readFile(`/proc/${parent}/task/${task}/children`, "utf8").catch(
      () => "",
    );
    for (const pid of children
      .split(" ")
      .filter((p) => p !== "")
      .map(Number)) {
      const command = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if (command.split("\0").some((arg) => arg.startsWith("--service="))) pids.push(pid);
    }
  }
  return pids;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} during a bundle built in the engine's process stops esbuild's service and removes the work dir`, async () => {
    const dir = await tempDir("interrupt-bundle");
    const tmp = await tempDir("interrupt-bundle-tmp");
    await mkdir(path.join(dir, "src"));
    // esbuild waits on the pipe, which nothing writes: a bundle that hangs.
    await run("mkfifo", [path.join(dir, "src", "slow.ts")]);
    await writeFile(path.join(dir, "src", "handler.ts"), 'export { x } from "./slow";\n');
    const child = spawn(process.execPath, [SCRIPT, "bundle", dir], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [service] = await waitFor("esbuild's service", async () => {
      const found = await esbuildServices(child.pid!);
      return found.length > 0 ? found : undefined;
    });
    assert.ok((await readdir(tmp)).some((name) => name.startsWith("lambda-package-")));
    child.kill(signal);
    const [code, ended] = (await once(child, "exit")) as [number | null, string | null];
    assert.equal(ended, signal, `exit code ${code}`);
    await waitFor("esbuild's service to end", () =>
      Promise.resolve(alive(service) ? undefined : true),
    );
    assert.deepEqual(await readdir(tmp), [], "the work dir was removed");
  });
}
