import assert from "node:assert/strict";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { listPackagers, packageRoot, resolvePackager } from "../../../engine/packager";
import { tempDir } from "./fixtures";

const BUILTINS = [
  "copy",
  "generic",
  "nodejs18.x",
  "nodejs20.x",
  "nodejs22.x",
  "nodejs24.x",
  "python3.10",
  "python3.11",
  "python3.12",
  "python3.13",
  "python3.9",
];

async function script(file: string, mode = 0o755): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, "#!/usr/bin/env bash\necho hi\n", { mode });
  return file;
}

function packageError(code: string, ...includes: string[]) {
  return (error: unknown) => {
    assert.ok(
      error instanceof LambdaPackageError,
      `expected LambdaPackageError, got ${String(error)}`,
    );
    assert.equal(error.code, code);
    for (const text of includes) assert.ok(error.message.includes(text), error.message);
    return true;
  };
}

describe("resolvePackager", () => {
  test("an explicit packager script wins over packagersDir and the built-ins", async (t) => {
    const dir = await tempDir(t);
    const explicit = await script(path.join(dir, "mine", "build.sh"));
    await script(path.join(dir, "user", "python3.12"));
    const found = resolvePackager({
      packager: path.relative(process.cwd(), explicit),
      runtime: "python3.12",
      packagersDir: path.join(dir, "user"),
    });
    assert.equal(found, explicit);
  });

  test("a script in packagersDir wins over the built-in of the same name", async (t) => {
    const dir = await tempDir(t);
    const user = await script(path.join(dir, "python3.12"));
    assert.equal(resolvePackager({ runtime: "python3.12", packagersDir: dir }), user);
  });

  test("falls back to the built-in packager when packagersDir has no such script", async (t) => {
    const dir = await tempDir(t);
    await script(path.join(dir, "ruby3.3"));
    const found = resolvePackager({ runtime: "nodejs22.x", packagersDir: dir });
    assert.equal(found, path.join(packageRoot, "packagers", "nodejs22.x"));
  });

  test("packagersDir can add runtimes the built-ins lack", async (t) => {
    const dir = await tempDir(t);
    const ruby = await script(path.join(dir, "ruby3.3"));
    assert.equal(resolvePackager({ runtime: "ruby3.3", packagersDir: dir }), ruby);
  });

  test("an unknown runtime is rejected with the sorted list of available packagers", async (t) => {
    const dir = await tempDir(t);
    await script(path.join(dir, "ruby3.3"));
    const available = [...BUILTINS, "ruby3.3"].sort().join(", ");
    assert.throws(
      () => resolvePackager({ runtime: "cobol85", packagersDir: dir }),
      packageError("UNKNOWN_RUNTIME", '"cobol85"', `Available: ${available}.`),
    );
  });

  test("a runtime that is a path is rejected and points at the packager option", () => {
    assert.throws(
      () => resolvePackager({ runtime: "../packagers/python3.12" }),
      packageError("UNKNOWN_RUNTIME", "../packagers/python3.12", "set packager instead"),
    );
  });

  test("a non-executable script in packagersDir is reported with the chmod fix", async (t) => {
    const dir = await tempDir(t);
    const file = await script(path.join(dir, "python3.12"), 0o644);
    assert.throws(
      () => resolvePackager({ runtime: "python3.12", packagersDir: dir }),
      packageError("PACKAGER_NOT_EXECUTABLE", file, `chmod +x '${file}'`),
    );
  });

  test("a non-executable explicit packager is reported with the chmod fix", async (t) => {
    const file = await script(path.join(await tempDir(t), "pack.sh"), 0o600);
    assert.throws(
      () => resolvePackager({ packager: file }),
      packageError("PACKAGER_NOT_EXECUTABLE", file, "chmod +x"),
    );
  });

  test("a missing explicit packager is reported with its absolute path", async (t) => {
    const missing = path.join(await tempDir(t), "nope.sh");
    assert.throws(
      () => resolvePackager({ packager: path.relative(process.cwd(), missing) }),
      packageError("PACKAGER_NOT_FOUND", missing, "does not exist"),
    );
  });

  test("a directory given as packager is rejected", async (t) => {
    const dir = await tempDir(t);
    assert.throws(
      () => resolvePackager({ packager: dir }),
      packageError("PACKAGER_NOT_FOUND", dir, "not a file"),
    );
  });

  test("a packagersDir that does not exist is an error, not a silent fallback", async (t) => {
    const missing = path.join(await tempDir(t), "packagerz");
    assert.throws(
      () => resolvePackager({ runtime: "python3.12", packagersDir: missing }),
      packageError("PACKAGERS_DIR_NOT_FOUND", missing),
    );
  });

  test("neither runtime nor packager asks for one of them", () => {
    assert.throws(
      () => resolvePackager({}),
      packageError("RUNTIME_REQUIRED", "python3.12", "packager"),
    );
  });
});

describe("listPackagers", () => {
  test("lists exactly the built-in runtimes, leaving out README.md and lib/", () => {
    assert.deepEqual(listPackagers(), BUILTINS);
  });

  test("merges packagersDir with the built-ins, skipping non-executable files", async (t) => {
    const dir = await tempDir(t);
    await script(path.join(dir, "ruby3.3"));
    await script(path.join(dir, "python3.12"));
    await script(path.join(dir, "notes.txt"), 0o644);
    await mkdir(path.join(dir, "helpers"));
    assert.deepEqual(listPackagers(dir), [...BUILTINS, "ruby3.3"].sort());
  });
});

describe("built-in packagers", () => {
  test("packageRoot is this package's root, holding package.json and packagers/", async () => {
    const pkg = JSON.parse(await readFile(path.join(packageRoot, "package.json"), "utf8")) as {
      name: string;
    };
    assert.equal(pkg.name, "pulumi-lambda-package");
    assert.ok((await stat(path.join(packageRoot, "packagers", "lib", "common.sh"))).isFile());
  });

  test("are mode 0755 bash scripts in strict mode, runtime entries delegating to their family", async () => {
    for (const name of BUILTINS) {
      const file = path.join(packageRoot, "packagers", name);
      assert.equal((await stat(file)).mode & 0o777, 0o755, `${name} mode`);
      const text = await readFile(file, "utf8");
      assert.ok(text.startsWith("#!/usr/bin/env bash\n"), `${name} shebang`);
      assert.ok(text.includes("set -euo pipefail\n"), `${name} strict mode`);
      const family = name.match(/^(python|nodejs)/)?.[1];
      if (family) {
        assert.ok(text.includes(`exec "$(dirname "$0")/lib/${family}.sh" "$@"`), `${name} entry`);
      }
    }
  });
});
