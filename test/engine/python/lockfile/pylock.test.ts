import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { readPylock } from "../../../../engine/python/lockfile/pylock";
import { hash, project, request } from "./project";
import { failure } from "../../../support/errors";

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
});
