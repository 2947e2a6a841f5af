import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { planInstall } from "../../../engine/python/plan";
import { hash, project } from "./lockfile/project";
import { failure } from "../../support/errors";

const wheel = (file: string) => `{ url = "https://files.example/${file}", hash = "${hash(file)}" }`;

/** A uv.lock whose app needs `deps`, each `[name, version, files]`. */
function uvLock(deps: [string, string, string[]][]): string {
  const packages = deps.map(([name, version, files]) => {
    const sdist = files.find((f) => f.endsWith(".tar.gz"));
    const wheels = files.filter((f) => f.endsWith(".whl"));
    return (
      `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = { registry = "https://pypi.org/simple" }\n` +
      (sdist ? `sdist = ${wheel(sdist)}\n` : "") +
      `wheels = [${wheels.map(wheel).join(", ")}]\n`
    );
  });
  const app = `[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [${deps.map(([n]) => `{ name = "${n}" }`).join(", ")}]\n`;
  return `version = 1\nrequires-python = ">=3.11"\n${packages.join("\n")}\n${app}`;
}

describe("the python install plan", () => {
  test("takes uv.lock over poetry.lock, pylock.toml and requirements.txt, and says which it ignored", async () => {
    const dir = await project({
      "uv.lock": uvLock([]),
      "poetry.lock": "not read",
      "requirements.txt": "requests\n",
    });
    const plan = planInstall({ sourcePath: dir, runtime: "python3.12" });
    assert.equal(plan.source, "uv.lock");
    assert.ok(
      plan.notes.includes("installing from uv.lock; poetry.lock and requirements.txt ignored."),
      plan.notes.join("\n"),
    );
  });

  test("with only requirements.txt: pip's flags for the target, nothing pinned", async () => {
    const dir = await project({ "requirements.txt": "requests\n" });
    const plan = planInstall({ sourcePath: dir, runtime: "python3.12", architecture: "arm64" });
    assert.equal(plan.source, "requirements.txt");
    assert.ok(plan.targetFlags.includes("manylinux_2_34_aarch64"));
    assert.deepEqual([plan.wheels, plan.sdists, plan.directories], [[], [], []]);
  });

  test("with nothing to install there is no plan, and no runtime needed", async () => {
    const plan = planInstall({ sourcePath: await project({ "handler.py": "" }), runtime: "api" });
    assert.equal(plan.source, undefined);
    assert.deepEqual(plan.targetFlags, []);
  });

  test("requirements.txt for the local Python needs no Lambda runtime; for Lambda it does", async () => {
    const dir = await project({ "requirements.txt": "requests\n" });
    const local = planInstall({ sourcePath: dir, runtime: "api", architecture: "local" });
    assert.deepEqual([local.source, local.targetFlags], ["requirements.txt", []]);
    failure(() => planInstall({ sourcePath: dir, runtime: "api" }), "PYTHON_RUNTIME_UNKNOWN");
  });

  test("pins each package to the hashes of its wheels Lambda loads, or of its sdist when it has none", async () => {
    const dir = await project({
      "uv.lock": uvLock([
        ["idna", "3.11", ["idna-3.11-py3-none-any.whl", "idna-3.11.tar.gz"]],
        [
          "fast",
          "1.0",
          ["fast-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "fast-1.0-cp312-cp312-win_amd64.whl"],
        ],
        ["slow", "2.0", ["slow-2.0.tar.gz"]],
      ]),
    });
    const plan = planInstall({ sourcePath: dir, runtime: "python3.12" });
    assert.deepEqual(plan.wheels, [
      `idna==3.11 --hash=${hash("idna-3.11-py3-none-any.whl")}`,
      `fast==1.0 --hash=${hash("fast-1.0-cp312-cp312-manylinux_2_17_x86_64.whl")}`,
    ]);
    assert.deepEqual(plan.sdists, [`slow==2.0 --hash=${hash("slow-2.0.tar.gz")}`]);
    assert.match(
      plan.notes.at(-1)!,
      /^uv\.lock: 3 package\(s\) for python3\.12 on Amazon Linux 2023 \(glibc 2\.34\), x86_64, 1 built here from source\.$/,
    );
  });

  test('"local" pins every file, for the local Python to choose', async () => {
    const dir = await project({
      "uv.lock": uvLock([
        ["fast", "1.0", ["fast-1.0-cp312-cp312-win_amd64.whl", "fast-1.0.tar.gz"]],
      ]),
    });
    const plan = planInstall({ sourcePath: dir, runtime: "python3.12", architecture: "local" });
    assert.deepEqual(plan.targetFlags, []);
    assert.deepEqual(plan.wheels, [
      `fast==1.0 --hash=${hash("fast-1.0.tar.gz")} --hash=${hash("fast-1.0-cp312-cp312-win_amd64.whl")}`,
    ]);
    assert.ok(
      plan.notes.some((n) => n.startsWith('architecture "local": installing for the local Python')),
    );
  });

  test("every package without a wheel for the target nor an sdist is named in one error, with what it has", async () => {
    const dir = await project({
      "uv.lock": uvLock([
        ["mac", "1.0", ["mac-1.0-cp312-cp312-macosx_11_0_arm64.whl"]],
        ["newglibc", "2.0", ["newglibc-2.0-cp311-cp311-manylinux_2_28_x86_64.whl"]],
        ["fine", "1.0", ["fine-1.0-py3-none-any.whl"]],
      ]),
    });
    const message = failure(
      () => planInstall({ sourcePath: dir, runtime: "python3.11" }),
      "PYTHON_NO_WHEEL",
    );
    for (const expected of [
      `${path.join(dir, "uv.lock")} has no wheel that Lambda's python3.11 on Amazon Linux 2 (glibc 2.26), x86_64 can load`,
      "- mac 1.0 (its wheels: cp312-cp312-macosx_11_0_arm64)",
      "- newglibc 2.0 (its wheels: cp311-cp311-manylinux_2_28_x86_64)",
      "cp311 (or abi3) wheels for manylinux_2_26_x86_64 down to manylinux_2_5_x86_64",
      'Set architecture: "local"',
    ]) {
      assert.ok(message.includes(expected), `${expected}\n${message}`);
    }
    assert.ok(!message.includes("- fine"), message);
  });

  test("a needed package from git, or without hashes, is an error naming it", async () => {
    const git = await project({
      "uv.lock": `version = 1\nrequires-python = ">=3.12"\n[[package]]\nname = "g"\nversion = "1"\nsource = { git = "https://git.example/g?rev=v1#abc" }\n[[package]]\nname = "app"\nversion = "0"\nsource = { virtual = "." }\ndependencies = [{ name = "g" }]\n`,
    });
    assert.match(
      failure(
        () => planInstall({ sourcePath: git, runtime: "python3.12" }),
        "PYTHON_LOCK_UNSUPPORTED",
      ),
      /g 1 from git \(https:\/\/git\.example\/g\?rev=v1#abc\)/,
    );
    const unhashed = await project({
      "uv.lock": uvLock([["h", "1", []]]).replace(
        "wheels = []",
        'wheels = [{ url = "https://files.example/h-1-py3-none-any.whl" }]',
      ),
    });
    assert.match(
      failure(
        () => planInstall({ sourcePath: unhashed, runtime: "python3.12" }),
        "PYTHON_LOCK_INVALID",
      ),
      /records no file hashes for h 1/,
    );
  });

  test("groups or extras without a lockfile are an error rather than ignored", async () => {
    const dir = await project({ "requirements.txt": "requests\n" });
    const message = failure(
      () => planInstall({ sourcePath: dir, runtime: "python3.12", groups: ["dev"] }),
      "PYTHON_GROUP_UNKNOWN",
    );
    assert.match(
      message,
      /pythonGroups picks from a lockfile's groups and extras, but .* has no uv\.lock, poetry\.lock, pylock\.toml \(only requirements\.txt\)/,
    );
  });

  test("a pyproject.toml declaring dependencies and no lockfile: pip resolves them for the target, unpinned, and says so", async () => {
    const dir = await project({
      "pyproject.toml": '[project]\nname = "app"\ndependencies = ["requests>=2.31.0"]\n',
    });
    const plan = planInstall({ sourcePath: dir, runtime: "python3.12" });
    assert.equal(plan.source, "pyproject.toml");
    assert.equal(plan.file, path.join(dir, "pyproject.toml"));
    assert.deepEqual(plan.unpinned, ["requests>=2.31.0"]);
    assert.ok(plan.targetFlags.includes("manylinux_2_34_x86_64"));
    assert.deepEqual(plan.notes, [
      "pyproject.toml: no lockfile, so its 1 requirement(s) (requests>=2.31.0) are resolved unpinned by pip for " +
        "python3.12 on Amazon Linux 2023 (glibc 2.34), x86_64: each build may install newer versions. Lock them " +
        "(`uv lock`, `poetry lock`, or a requirements.txt of exact versions) to install the same versions every time.",
    ]);
    // requirements.txt, when there is one, says what to install instead.
    const both = await project({
      "pyproject.toml": '[project]\nname = "app"\ndependencies = ["requests>=2.31.0"]\n',
      "requirements.txt": "requests==2.32.3\n",
    });
    const pinned = planInstall({ sourcePath: both, runtime: "python3.12" });
    assert.deepEqual([pinned.source, pinned.unpinned], ["requirements.txt", []]);
  });

  test("a member of a uv workspace is planned from the root's uv.lock; the root's files and the members it builds are what it read", async () => {
    const lock = `version = 1
revision = 3
requires-python = ">=3.12"
[manifest]
members = ["api", "core", "other"]
[[package]]
name = "idna"
version = "3.11"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel("idna-3.11-py3-none-any.whl")}]
[[package]]
name = "api"
version = "0.1.0"
source = { virtual = "packages/api" }
dependencies = [{ name = "core" }]
[[package]]
name = "core"
version = "0.1.0"
source = { editable = "packages/core" }
dependencies = [{ name = "idna" }]
[[package]]
name = "other"
version = "0.1.0"
source = { editable = "packages/other" }
`;
    const root = await project({
      "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
      "uv.lock": lock,
      "packages/api/pyproject.toml": '[project]\nname = "api"\n',
      "packages/core/pyproject.toml": '[project]\nname = "core"\n',
      "packages/other/pyproject.toml": '[project]\nname = "other"\n',
    });
    const sourcePath = path.join(root, "packages/api");
    const plan = planInstall({ sourcePath, runtime: "python3.12" });
    assert.equal(plan.source, "uv.lock");
    assert.equal(plan.file, path.join(root, "uv.lock"));
    assert.deepEqual(plan.directories, [path.join(root, "packages/core")]);
    assert.equal(plan.wheels.length, 1);
    assert.match(plan.wheels[0], /^idna==3\.11 --hash=sha256:/);
    assert.deepEqual(plan.reads, [
      path.join(root, "uv.lock"),
      path.join(root, "pyproject.toml"),
      path.join(root, "packages/core"),
    ]);
    assert.ok(plan.notes[0].includes(`${sourcePath} is a member of the uv workspace in ${root}`));
    // A member the lock does not have: it is older than the member.
    const fresh = path.join(root, "packages/fresh");
    await mkdir(fresh);
    await writeFile(path.join(fresh, "pyproject.toml"), '[project]\nname = "fresh"\n');
    assert.match(
      failure(() => planInstall({ sourcePath: fresh, runtime: "python3.12" }), "PYTHON_LOCK_STALE"),
      /locks no package in packages\/fresh .* Run `uv lock` in /,
    );
  });

  test("a directory a lockfile builds from outside the repository is an error naming it; inside, it is built", async () => {
    const lock = (dir: string) => `version = 1
requires-python = ">=3.12"
[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "lib" }]
[[package]]
name = "lib"
version = "0.1.0"
source = { directory = "${dir}" }
`;
    const repo = await project({
      ".git/HEAD": "ref: refs/heads/main\n",
      "fn/uv.lock": lock("../libs/lib"),
      "other/uv.lock": lock("../../elsewhere/lib"),
    });
    const inside = planInstall({ sourcePath: path.join(repo, "fn"), runtime: "python3.12" });
    assert.deepEqual(inside.directories, [path.join(repo, "libs/lib")]);
    assert.ok(inside.reads.includes(path.join(repo, "libs/lib")));
    const message = failure(
      () => planInstall({ sourcePath: path.join(repo, "other"), runtime: "python3.12" }),
      "PYTHON_SOURCE_OUTSIDE",
    );
    assert.ok(
      message.includes(
        `${path.join(repo, "other/uv.lock")} installs packages from directories outside the repository ` +
          `(${repo}): lib 0.1.0 from ${path.join(repo, "../elsewhere/lib")}.`,
      ),
      message,
    );
  });
});
