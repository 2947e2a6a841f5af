import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pythonTarget } from "../../../engine/python/target";
import { unlockedRequirements } from "../../../engine/python/unlocked";
import { failure } from "../../support/errors";
import { project } from "./lockfile/project";

const lambda = () => pythonTarget("python3.12", "x86_64");
const read = (sourcePath: string, groups: string[] = [], extras: string[] = []) =>
  unlockedRequirements({ sourcePath, target: lambda, groups, extras });

const PYPROJECT = `[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
  "requests >= 2.31, < 3",
  "pywin32; sys_platform == 'win32'",
  "tomli; python_version < '3.11'",
  "armlib; platform_machine == 'aarch64'",
]

[project.optional-dependencies]
loud = ["shout==2.0"]
all = ["app[loud]", "rich"]

[dependency-groups]
dev = ["devtool", { include-group = "lint" }]
lint = ["ruff"]
`;

describe("dependencies declared without a lock", () => {
  test("are [project] dependencies whose markers hold on Lambda's platform, the markers decided here", async () => {
    const dir = await project({ "pyproject.toml": PYPROJECT });
    assert.deepEqual(read(dir), ["requests>=2.31,<3"]);
    assert.deepEqual(
      unlockedRequirements({
        sourcePath: dir,
        target: () => pythonTarget("python3.12", "arm64"),
        groups: [],
        extras: [],
      }),
      ["requests>=2.31,<3", "armlib"],
    );
  });

  test("add the extras and groups asked for; an extra naming the project itself brings that extra's requirements", async () => {
    const dir = await project({ "pyproject.toml": PYPROJECT });
    assert.deepEqual(read(dir, ["dev"], ["all"]), [
      "requests>=2.31,<3",
      "rich",
      "devtool",
      "ruff",
      "shout==2.0",
    ]);
  });

  test("for the local Python are passed as written, for pip to decide the markers", async () => {
    const dir = await project({ "pyproject.toml": PYPROJECT });
    const local = unlockedRequirements({
      sourcePath: dir,
      target: () => undefined,
      groups: [],
      extras: [],
    });
    assert.equal(local?.length, 4);
    assert.equal(local?.[1], "pywin32; sys_platform == 'win32'");
  });

  test("an extra or group the pyproject.toml does not declare is an error listing those it does", async () => {
    const dir = await project({ "pyproject.toml": PYPROJECT });
    assert.match(
      failure(() => read(dir, [], ["fast"]), "PYTHON_EXTRA_UNKNOWN"),
      /\(it has: all, loud\)/,
    );
    assert.match(
      failure(() => read(dir, ["docs"]), "PYTHON_GROUP_UNKNOWN"),
      /\(it has: dev, lint\)/,
    );
  });

  test("none declared, or no pyproject.toml, is nothing to install, and needs no runtime", async () => {
    const never = () => assert.fail("no target is needed");
    const empty = await project({ "pyproject.toml": '[project]\nname = "app"\n' });
    assert.deepEqual(
      unlockedRequirements({ sourcePath: empty, target: never, groups: [], extras: [] }),
      [],
    );
    const tool = await project({ "pyproject.toml": "[tool.ruff]\nline-length = 100\n" });
    assert.equal(
      unlockedRequirements({ sourcePath: tool, target: never, groups: [], extras: [] }),
      undefined,
    );
    const none = await project({ "handler.py": "" });
    assert.equal(
      unlockedRequirements({ sourcePath: none, target: never, groups: [], extras: [] }),
      undefined,
    );
  });

  test("Poetry's own dependency tables without poetry.lock are an error saying poetry lock; Poetry 2's [project] list is read", async () => {
    const poetry = await project({
      "pyproject.toml":
        '[tool.poetry]\nname = "app"\n[tool.poetry.dependencies]\npython = "^3.12"\nrequests = "^2.31"\n' +
        '[tool.poetry.group.test.dependencies]\npytest = "^8"\n',
    });
    const message = failure(() => read(poetry), "PYTHON_LOCK_MISSING");
    assert.match(message, /declares Poetry dependencies \(requests\) and .* has no poetry\.lock/);
    assert.match(message, /Run `poetry lock` in /);
    assert.match(
      failure(() => read(poetry, ["test"]), "PYTHON_LOCK_MISSING"),
      /\(requests, pytest\)/,
    );
    // Only python, and a group not asked for: nothing Poetry would install is left out.
    const onlyPython = await project({
      "pyproject.toml":
        '[project]\nname = "app"\ndependencies = ["requests>=2.31"]\n' +
        '[tool.poetry.dependencies]\npython = "^3.12"\n[tool.poetry.group.test.dependencies]\npytest = "^8"\n',
    });
    assert.deepEqual(read(onlyPython), ["requests>=2.31"]);
  });

  test("a requirement uv takes from a source, a direct reference or dynamic dependencies are an error saying how to lock", async () => {
    const sourced = await project({
      "pyproject.toml":
        '[project]\nname = "app"\ndependencies = ["lib"]\n[tool.uv.sources]\nlib = { path = "../lib" }\n',
    });
    assert.match(
      failure(() => read(sourced), "PYTHON_LOCK_MISSING"),
      /lib in \[project\] dependencies comes from \[tool\.uv\.sources\].* Run `uv lock`/,
    );
    const direct = await project({
      "pyproject.toml": '[project]\nname = "app"\ndependencies = ["lib @ file:///elsewhere/lib"]\n',
    });
    assert.match(
      failure(() => read(direct), "PYTHON_LOCK_MISSING"),
      /a direct reference \("file:\/\/\/elsewhere\/lib"\)/,
    );
    const dynamic = await project({
      "pyproject.toml": '[project]\nname = "app"\ndynamic = ["dependencies"]\n',
    });
    assert.match(
      failure(() => read(dynamic), "PYTHON_LOCK_MISSING"),
      /declares its dependencies dynamic/,
    );
  });

  test("a requirement that is not PEP 508, or a runtime outside requires-python, is an error naming it", async () => {
    const bad = await project({
      "pyproject.toml": '[project]\nname = "app"\ndependencies = ["-r /etc/passwd"]\n',
    });
    assert.match(
      failure(() => read(bad), "PYTHON_LOCK_INVALID"),
      /"-r \/etc\/passwd" in \[project\] dependencies is not a PEP 508 requirement/,
    );
    const old = await project({
      "pyproject.toml":
        '[project]\nname = "app"\nrequires-python = "<3.12"\ndependencies = ["requests"]\n',
    });
    assert.match(
      failure(() => read(old), "PYTHON_VERSION_MISMATCH"),
      /asks for Python <3\.12, which python3\.12 is not/,
    );
  });
});
