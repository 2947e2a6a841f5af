/** The `lambda-package` command as a user runs it: a real subprocess of dist/cli/main.js. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import type { BuildResult } from "../../engine/build";
import { gitSourceKey } from "../../index";
import { cli } from "../support/cli";
import { tempDir } from "../support/tmp";
import { copyFixture, suiteCleanup } from "../engine/packager/fixtures";
import { buildWheelhouse, renderTemplates } from "../engine/packager/python-dists";

async function source(): Promise<string> {
  const dir = await tempDir("cli-src");
  await mkdir(path.join(dir, "pkg"));
  await writeFile(path.join(dir, "handler.py"), "def handler(e, c):\n    return 1\n");
  await writeFile(path.join(dir, "pkg", "big.txt"), "lambda ".repeat(10_000));
  return dir;
}

describe("lambda-package CLI", () => {
  test("build writes the zip and prints its SHA-256, sizes and file count", async () => {
    const out = path.join(await tempDir("cli-out"), "fn.zip");
    const result = await cli(["build", await source(), "--runtime", "copy", "--out", out]);
    assert.equal(result.code, 0, result.stderr);
    const bytes = await readFile(out);
    const { createHash } = await import("node:crypto");
    const sha = createHash("sha256").update(bytes).digest();
    assert.match(result.stdout, new RegExp(`sha256: +${sha.toString("hex")}`));
    assert.match(
      result.stdout,
      new RegExp(`codeSha256: +${sha.toString("base64").replace(/[+/]/g, "\\$&")}`),
    );
    assert.match(result.stdout, new RegExp(`size: .*\\(${bytes.length} bytes\\)`));
    assert.match(result.stdout, /files: +2/);
  });

  test("--json prints the result as JSON", async () => {
    const out = path.join(await tempDir("cli-out"), "fn.zip");
    const result = await cli([
      "build",
      await source(),
      "-r",
      "copy",
      "-o",
      out,
      "--json",
      "-x",
      "pkg/",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as BuildResult;
    assert.equal(parsed.path, out);
    assert.equal(parsed.fileCount, 1);
  });

  test("stays quiet on stderr in CI logs", async () => {
    const out = path.join(await tempDir("cli-out"), "fn.zip");
    const result = await cli(["build", await source(), "-r", "copy", "-o", out]);
    assert.equal(result.stderr, "");
  });

  test("verify builds twice and reports the package reproducible", async () => {
    const result = await cli(["verify", await source(), "--runtime", "copy"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /reproducible: two builds gave identical bytes/);
  });

  test("verify of a python3.12 build from uv.lock, for arm64, reports it reproducible", async (t) => {
    const cleanup = suiteCleanup();
    t.after(() => cleanup.run());
    const wheelhouse = await buildWheelhouse(cleanup);
    const src = await copyFixture(cleanup, "python-uv-app");
    await renderTemplates(src, wheelhouse);
    const env = Object.entries(wheelhouse.env).flatMap(([name, value]) => [
      "--env",
      `${name}=${value}`,
    ]);
    const result = await cli([
      "verify",
      src,
      "-r",
      "python3.12",
      "--architecture",
      "arm64",
      ...env,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /reproducible: two builds gave identical bytes/);
  });

  test("verify fails with exit code 1 when the packager writes different bytes each time", async () => {
    const dir = await tempDir("cli-pk");
    const packager = path.join(dir, "random.sh");
    await writeFile(packager, '#!/bin/sh\nhead -c 32 /dev/urandom > "$BUILD_DIR/nonce.bin"\n');
    await chmod(packager, 0o755);
    const result = await cli(["verify", await source(), "--packager", packager]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /differ/);
  });

  test("a failed build exits 1 with the reason on stderr", async () => {
    const result = await cli(["build", "/no/such/dir", "--runtime", "copy"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /sourcePath "\/no\/such\/dir" does not exist/);
  });

  test("bad usage exits 2 and shows the usage", async () => {
    for (const args of [
      ["build"],
      ["build", "src"],
      ["frobnicate", "src"],
      ["build", "src", "-r", "copy", "--level", "12"],
      ["build", "src", "--nope"],
      ["verify", "src", "-r", "copy", "--out", "x.zip"],
      ["key"],
      ["key", "src", "--json"],
      ["diff", "a.zip"],
      ["diff", "a.zip", "b.zip", "c.zip"],
      ["diff", "a.zip", "b.zip", "--cwd", "."],
    ]) {
      const result = await cli(args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, /Usage:/);
    }
  });

  test("--help prints the usage and exits 0", async () => {
    const result = await cli(["--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /lambda-package build/);
  });
});

describe("lambda-package key", () => {
  /** A repository with one committed function, and the function's directory. */
  async function repo(): Promise<string> {
    const root = await tempDir("cli-git");
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], {
        cwd: root,
      });
    git("init", "-q");
    await mkdir(path.join(root, "services", "api"), { recursive: true });
    await writeFile(path.join(root, "services", "api", "handler.py"), "def handler(e, c): pass\n");
    await writeFile(path.join(root, "README.md"), "# repo\n");
    git("add", "-A");
    git("commit", "-q", "-m", "one");
    return root;
  }

  test("prints the gitSourceKey of the paths, from --cwd or the current directory", async () => {
    const root = await repo();
    const expected = gitSourceKey(["services/api", "README.md"], { cwd: root });
    const fromCwd = await cli(["key", "services/api", "README.md", "--cwd", root]);
    assert.equal(fromCwd.code, 0, fromCwd.stderr);
    assert.equal(fromCwd.stdout, `${expected}\n`);
    const fromHere = await cli(["key", "api", "../README.md"], {}, path.join(root, "services"));
    assert.equal(fromHere.stdout, `${expected}\n`);
  });

  test("a key it cannot make exits 1 with the reason on stderr", async () => {
    const root = await repo();
    const result = await cli(["key", "services/nope", "--cwd", root]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /"services\/nope" does not exist/);
    assert.equal(result.stdout, "");
  });
});
