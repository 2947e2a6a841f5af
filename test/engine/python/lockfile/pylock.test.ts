import assert from "node:assert/strict";
import path from "node:path";
import { existsSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { readPylock } from "../../../../engine/python/lockfile/pylock";
import { hash, project, request } from "./project";
import { cli } from "../../../support/cli";
import { failure } from "../../../support/errors";
import { tempDir } from "../../../support/tmp";

const hex = (file: string) => hash(file).slice("sha256:".length);
const wheels = (file: string) =>
  `wheels = [{ url = "https://files.example/${file}", upload-time = 2025-06-01T10:00:00Z, size = 100, hashes = { sha256 = "${hex(file)}" } }]`;

const LOCK = `lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.11"
extras = ["socks"]
dependency-groups = ["dev", "test"]
default-groups = ["test"]

[[packages]]
name = "requests"
version = "2.32.4"
index = "https://pypi.org/simple"
${wheels("requests-2.32.4-py3-none-any.whl")}

[[packages]]
name = "pysocks"
version = "1.7.1"
marker = "'socks' in extras"
${wheels("pysocks-1.7.1-py3-none-any.whl")}

[[packages]]
name = "pytest"
version = "8.4.0"
marker = "'test' in dependency_groups"
${wheels("pytest-8.4.0-py3-none-any.whl")}

[[packages]]
name = "ruff"
version = "0.12.0"
marker = "'dev' in dependency_groups and platform_machine == 'x86_64'"
${wheels("ruff-0.12.0-py3-none-manylinux_2_17_x86_64.whl")}

[[packages]]
name = "numpy"
version = "2.2.6"
marker = "python_version < '3.12'"
sdist = { name = "numpy-2.2.6.tar.gz", url = "https://files.example/numpy-2.2.6.tar.gz", hashes = { sha256 = "${hex("numpy-2.2.6.tar.gz")}", md5 = "0" } }

[[packages]]
name = "numpy"
version = "2.3.2"
marker = "python_version >= '3.12'"
${wheels("numpy-2.3.2-cp312-cp312-manylinux_2_17_x86_64.whl")}

[[packages]]
name = "lib"
version = "0.1.0"
directory = { path = "packages/lib", editable = true }

[[packages]]
name = "app"
version = "0.1.0"
directory = { path = ".", editable = true }
`;

const picked = (selection: ReturnType<typeof readPylock>) =>
  selection!.packages.map((p) => `${p.name} ${p.version}`).sort();

describe("pylock.toml", () => {
  test("installs the packages whose markers hold: default groups in, other groups, extras and the project itself out", async () => {
    const dir = await project({ "pylock.toml": LOCK });
    const selection = readPylock(request(dir));
    assert.deepEqual(picked(selection), [
      "lib 0.1.0",
      "numpy 2.3.2",
      "pytest 8.4.0",
      "requests 2.32.4",
    ]);
    assert.deepEqual(selection!.packages.find((p) => p.name === "lib")!.source, {
      kind: "directory",
      path: path.join(dir, "packages/lib"),
    });
    assert.deepEqual(
      picked(readPylock(request(dir, { runtime: "python3.11" }))).filter((p) =>
        p.startsWith("numpy"),
      ),
      ["numpy 2.2.6"],
    );
  });

  test("groups and extras asked for join the default groups; markers still decide", async () => {
    const dir = await project({ "pylock.toml": LOCK });
    assert.deepEqual(picked(readPylock(request(dir, { groups: ["dev"], extras: ["socks"] }))), [
      "lib 0.1.0",
      "numpy 2.3.2",
      "pysocks 1.7.1",
      "pytest 8.4.0",
      "requests 2.32.4",
      "ruff 0.12.0",
    ]);
    assert.ok(
      !picked(readPylock(request(dir, { groups: ["dev"], architecture: "arm64" }))).includes(
        "ruff 0.12.0",
      ),
    );
  });

  test("keeps the hashes pip can check, by the file's name", async () => {
    const dir = await project({ "pylock.toml": LOCK });
    const numpy = readPylock(request(dir, { runtime: "python3.11" }))!.packages.find(
      (p) => p.name === "numpy",
    )!;
    assert.deepEqual(numpy.source, {
      kind: "index",
      index: undefined,
      files: [{ filename: "numpy-2.2.6.tar.gz", hashes: [hash("numpy-2.2.6.tar.gz")] }],
    });
  });

  test("a package locked twice with overlapping markers, or for another Python, is an error", async () => {
    const twice = await project({
      "pylock.toml": LOCK.replace("python_version >= '3.12'", "python_version >= '3.11'"),
    });
    assert.match(
      failure(() => readPylock(request(twice, { runtime: "python3.11" })), "PYTHON_LOCK_INVALID"),
      /package numpy is locked twice for python3\.11/,
    );
    const newer = await project({
      "pylock.toml": LOCK.replace('requires-python = ">=3.11"', 'requires-python = ">=3.13"'),
    });
    failure(() => readPylock(request(newer)), "PYTHON_VERSION_MISMATCH");
    const dir = await project({ "pylock.toml": LOCK });
    assert.match(
      failure(() => readPylock(request(dir, { groups: ["docs"] })), "PYTHON_GROUP_UNKNOWN"),
      /its dependency-groups: dev, test/,
    );
  });

  /** A pylock.toml of one package, `fields` being its lines after `[[packages]]`. */
  const onePackage = (fields: string) =>
    `lock-version = "1.0"\ncreated-by = "hand"\n\n[[packages]]\n${fields}\n`;
  const tiny = wheels("tiny-1.0-py3-none-any.whl");
  /** A name that, written as a line of pip's requirements file, makes pip read another file. */
  const injected = (secret: string) =>
    `tiny==1.0 --hash=sha256:${"0".repeat(64)}\\n-r ${secret}\\n#`;

  test("a package name that is not a PEP 508 name is refused, shown escaped, with the package's place in the lockfile", async () => {
    const dir = await project({
      "pylock.toml": onePackage(
        `name = "${injected("/abs/secret.txt")}"\nversion = "1.0"\n${tiny}`,
      ),
    });
    const message = failure(() => readPylock(request(dir)), "PYTHON_LOCK_INVALID");
    assert.ok(
      message.startsWith(`${path.join(dir, "pylock.toml")}: [[packages]] #1 name `),
      message,
    );
    assert.match(message, /is "tiny==1\.0 --hash=sha256:0+.*, not a package name/);
    assert.match(message, /Regenerate it/);
    assert.ok(!message.includes("\n"), "the line break is shown escaped, not printed");
    const spaced = await project({ "pylock.toml": onePackage(`name = "tiny "\n${tiny}`) });
    failure(() => readPylock(request(spaced)), "PYTHON_LOCK_INVALID");
  });

  test("a version that is not a PEP 440 version is refused, naming the package", async () => {
    for (const version of ["1.0 --hash=sha256:00", "1.0\\n-r /abs/secret.txt", "latest"]) {
      const dir = await project({
        "pylock.toml": onePackage(`name = "tiny"\nversion = "${version}"\n${tiny}`),
      });
      assert.match(
        failure(() => readPylock(request(dir)), "PYTHON_LOCK_INVALID"),
        /pylock\.toml: package tiny: version is ".*, not a PEP 440 version/,
        version,
      );
    }
  });

  test("a hash that is not hex of its algorithm's length is refused, naming the package and the file", async () => {
    const bad = [
      `"${"a".repeat(63)}"`,
      `"${"g".repeat(64)}"`,
      `"${"a".repeat(64)}\\n-r /abs/secret.txt"`,
    ];
    for (const value of bad) {
      const dir = await project({
        "pylock.toml": onePackage(
          `name = "tiny"\nversion = "1.0"\nwheels = [{ url = "https://files.example/tiny-1.0-py3-none-any.whl", hashes = { sha256 = ${value} } }]`,
        ),
      });
      assert.match(
        failure(() => readPylock(request(dir)), "PYTHON_LOCK_INVALID"),
        /package tiny: wheels\[0\] hashes\.sha256 is ".*, not 64 hexadecimal digits/,
        value,
      );
    }
  });

  test("a marker of 20,000 clauses is refused as unreadable, naming the package, rather than overflowing the stack", async () => {
    const marker = Array(20_000).fill("python_version >= '3.0'").join(" and ");
    const dir = await project({
      "pylock.toml": onePackage(`name = "tiny"\nversion = "1.0"\nmarker = "${marker}"\n${tiny}`),
    });
    const message = failure(() => readPylock(request(dir)), "PYTHON_LOCK_INVALID");
    assert.match(
      message,
      /pylock\.toml: package tiny: the marker "python_version >= '3\.0' and .* cannot be read \(.*more than/,
    );
    assert.ok(message.length < 1000, "the marker is not printed whole");
  });

  test("through the python packager, a crafted name is refused before pip runs, and the file it points at is never read", async () => {
    const scratch = await tempDir("pylock-injection");
    const secret = path.join(scratch, "secret.txt");
    // Not a requirement: pip, reading it, would quote it in its error.
    await writeFile(secret, "TOP SECRET: content 4417!\n");
    // pip, as the packager runs it, leaves a mark when it is run at all.
    const ran = path.join(scratch, "pip-ran");
    const pip = path.join(scratch, "pip");
    await writeFile(pip, `#!/bin/sh\ntouch '${ran}'\nexec python3 -m pip "$@"\n`);
    await chmod(pip, 0o755);
    const src = await project({
      "pylock.toml": onePackage(`name = "${injected(secret)}"\nversion = "1.0"\n${tiny}`),
      "handler.py": "def handler(event, context):\n    return {}\n",
    });
    const result = await cli([
      "build",
      src,
      "-r",
      "python3.12",
      "--out",
      path.join(scratch, "out.zip"),
      "-e",
      `PIP=${pip}`,
      "-e",
      "PIP_NO_INDEX=1",
    ]);
    const output = result.stdout + result.stderr;
    assert.notEqual(result.code, 0, output);
    assert.ok(!existsSync(ran), `pip ran:\n${output}`);
    assert.ok(!output.includes("TOP SECRET: content 4417!"), output);
    assert.match(output, /pylock\.toml: \[\[packages\]\] #1 name is ".*, not a package name/);
  });
});
