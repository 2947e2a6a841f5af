/**
 * The python packagers installing from lockfiles (uv.lock, a uv workspace and
 * its members, poetry.lock, pylock.toml), from a pyproject.toml without one,
 * and building source distributions, offline: from a wheelhouse this suite
 * builds, with lockfiles rendered from the fixtures' templates with its real
 * hashes.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { build } from "../../../engine/build";
import { LambdaPackageError } from "../../../shared/errors";
import { copyFixture, listTree, run, stage, suiteCleanup, tempDir, type Cleanup } from "./fixtures";
import {
  buildWheelhouse,
  elfMachines,
  offlineBuildEnv,
  renderTemplates,
  type Wheelhouse,
} from "./python-dists";

/** Imports `module` from `dir` with the machine's python3 and calls `fn`, as Lambda would. */
async function invoke(dir: string, module = "handler", fn = "handler") {
  const code =
    "import json, sys; sys.path.insert(0, sys.argv[1]); " +
    `from ${module} import ${fn}; print(json.dumps(${fn}({}, None)))`;
  return JSON.parse(await run("python3", ["-c", code, dir])) as Record<string, unknown>;
}

/** The distributions installed in a staged package: `name-version` of each `.dist-info`. */
function installed(tree: readonly string[]): string[] {
  return tree.flatMap((p) => /^([^/]+)\.dist-info\/$/.exec(p)?.[1] ?? []).sort();
}

async function failure(promise: Promise<unknown>): Promise<LambdaPackageError> {
  const error = await promise.then(
    () => assert.fail("the build should fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof LambdaPackageError, String(error));
  assert.equal(error.code, "PACKAGER_FAILED");
  return error;
}

/**
 * One wheelhouse for the file (its C extensions are compiled for two CPUs), and pip that can
 * build setuptools projects offline with it (workspace members, path dependencies, sdists).
 */
const cleanup = suiteCleanup();
let wheelhouse: Wheelhouse;
let offline: Record<string, string>;
before(async () => {
  wheelhouse = await buildWheelhouse(cleanup);
  offline = await offlineBuildEnv(wheelhouse);
});
after(() => cleanup.run());

describe("python packagers with lockfiles", { timeout: 600_000 }, () => {
  /** A copy of the fixture with its lockfile rendered for this suite's wheelhouse. */
  async function project(t: Cleanup, fixture: string) {
    const dir = await copyFixture(t, fixture);
    await renderTemplates(dir, wheelhouse);
    return dir;
  }

  test("uv.lock installs the locked main dependencies for x86_64, without dev groups, extras or other platforms' packages", async (t) => {
    const src = await project(t, "python-uv-app");
    const { buildDir, lines } = await stage(t, "python3.12", src, { packagerEnv: offline });
    const tree = await listTree(buildDir);
    assert.deepEqual(installed(tree), ["fastcalc-0.3.0", "greeting-1.0.0"]);
    assert.deepEqual(await elfMachines(buildDir), {
      "fastcalc/_native.cpython-312-x86_64-linux-gnu.so": "x86_64",
    });
    assert.ok(tree.includes("handler.py") && tree.includes("uv.lock"), tree.join(" "));
    assert.ok(
      lines.some((l) =>
        l.includes(
          "uv.lock: 2 package(s) for python3.12 on Amazon Linux 2023 (glibc 2.34), x86_64",
        ),
      ),
      lines.join("\n"),
    );
    assert.deepEqual(await invoke(buildDir), {
      statusCode: 200,
      body: "hello uv",
      fastcalc: "x86_64",
    });
  });

  test("arm64 built on this x86_64 machine holds only aarch64 objects", async (t) => {
    const src = await project(t, "python-uv-app");
    const { buildDir } = await stage(t, "python3.12", src, {
      architecture: "arm64",
      packagerEnv: offline,
    });
    const machines = await elfMachines(buildDir);
    assert.deepEqual(Object.keys(machines), ["fastcalc/_native.cpython-312-aarch64-linux-gnu.so"]);
    assert.deepEqual(Object.values(machines), ["aarch64"]);
    const elf = await run("readelf", ["-h", path.join(buildDir, Object.keys(machines)[0])]);
    assert.match(elf, /Machine:\s+AArch64/);
  });

  test("uv.lock with pythonGroups and pythonExtras adds the group's and the extra's packages", async (t) => {
    const src = await project(t, "python-uv-app");
    const { buildDir } = await stage(t, "python3.12", src, {
      pythonGroups: ["dev"],
      pythonExtras: ["loud"],
      packagerEnv: offline,
    });
    assert.deepEqual(installed(await listTree(buildDir)), [
      "devtool-1.0.0",
      "fastcalc-0.3.0",
      "greeting-1.0.0",
      "shout-2.0.0",
    ]);
  });

  test("a uv workspace member the function depends on is built and installed as a regular package", async (t) => {
    const src = await project(t, "python-uv-workspace");
    const before = await listTree(src);
    const { buildDir } = await stage(t, "python3.12", src, { packagerEnv: offline });
    const tree = await listTree(buildDir);
    assert.deepEqual(installed(tree), ["greeting-1.0.0", "hello_lib-0.1.0"]);
    assert.ok(tree.includes("hello_lib/__init__.py"), tree.join(" "));
    // An editable install would leave a .pth (or __editable__ finder) pointing at this machine's path.
    assert.deepEqual(
      tree.filter((p) => /\.pth$|__editable__|direct_url\.json$/.test(p)),
      [],
    );
    assert.deepEqual(await invoke(buildDir), {
      statusCode: 200,
      body: "hello workspace from the workspace",
    });
    assert.deepEqual(await listTree(src), before, "no build/ or *.egg-info left in the member");
  });

  test("poetry.lock installs main and path dependencies, never the dev group or unrequested extras", async (t) => {
    const src = await project(t, "python-poetry-app");
    const { buildDir } = await stage(t, "python3.12", src, { packagerEnv: offline });
    const tree = await listTree(buildDir);
    assert.deepEqual(installed(tree), ["greeting-1.0.0", "shared_lib-0.1.0"]);
    assert.deepEqual(
      tree.filter((p) => /\.pth$|__editable__/.test(p)),
      [],
    );
    assert.deepEqual(await invoke(buildDir), {
      statusCode: 200,
      body: "hello poetry, from a path dependency",
    });
    const loud = await stage(t, "python3.12", src, {
      pythonExtras: ["loud"],
      packagerEnv: offline,
    });
    assert.ok(installed(await listTree(loud.buildDir)).includes("shout-2.0.0"));
  });

  test("pylock.toml installs the packages whose markers hold: no dev group, no Windows package", async (t) => {
    const src = await project(t, "python-pylock-app");
    const { buildDir } = await stage(t, "python3.12", src, { packagerEnv: offline });
    assert.deepEqual(installed(await listTree(buildDir)), ["fastcalc-0.3.0", "greeting-1.0.0"]);
    assert.equal((await invoke(buildDir)).body, "hello pylock");
    const dev = await stage(t, "python3.12", src, { pythonGroups: ["dev"], packagerEnv: offline });
    assert.ok(installed(await listTree(dev.buildDir)).includes("devtool-1.0.0"));
  });

  test("a locked package with only a pure-Python sdist is built here and installed", async (t) => {
    const src = await project(t, "python-uv-app");
    const { buildDir, lines } = await stage(t, "python3.12", src, {
      pythonExtras: ["from-source"],
      packagerEnv: offline,
    });
    assert.ok(installed(await listTree(buildDir)).includes("puresdist-1.0"));
    assert.ok(
      lines.some((l) => l.includes("no wheel for Lambda of: puresdist==1.0")),
      lines.join("\n"),
    );
  });

  test("locked sdists with native code fail, listing each with the two ways out", async (t) => {
    const src = await project(t, "python-uv-app");
    const error = await failure(
      stage(t, "python3.12", src, { pythonExtras: ["native-source"], packagerEnv: offline }),
    );
    for (const expected of [
      `These packages from ${src}/uv.lock have no wheel for Lambda's python3.12`,
      "- nativesdist 1.0 (built here as cp",
      "- nativetwo 1.0 (built here as cp",
      "private index",
      'architecture: "local"',
      "fails to import on Lambda",
    ]) {
      assert.ok(error.message.includes(expected), `${expected}\n${error.message}`);
    }
  });

  test("packages without a wheel for the runtime's glibc and Python fail, named with the lockfile", async (t) => {
    const src = await project(t, "python-uv-app");
    // python3.11 runs on Amazon Linux 2 (glibc 2.26): modern needs 2.34, fastcalc has only cp312 wheels.
    const error = await failure(
      stage(t, "python3.11", src, { pythonExtras: ["new-glibc"], packagerEnv: offline }),
    );
    for (const expected of [
      `${src}/uv.lock has no wheel that Lambda's python3.11 on Amazon Linux 2 (glibc 2.26), x86_64 can load`,
      "- fastcalc 0.3.0 (its wheels: cp312-cp312-macosx_11_0_arm64",
      "- modern 1.0.0 (its wheels: py3-none-manylinux_2_34_x86_64)",
      "cp311 (or abi3) wheels for manylinux_2_26_x86_64 down to manylinux_2_5_x86_64",
    ]) {
      assert.ok(error.message.includes(expected), `${expected}\n${error.message}`);
    }
    // The same lock on python3.12 (Amazon Linux 2023, glibc 2.34) installs it.
    const { buildDir } = await stage(t, "python3.12", src, {
      pythonExtras: ["new-glibc"],
      packagerEnv: offline,
    });
    assert.ok(installed(await listTree(buildDir)).includes("modern-1.0.0"));
  });

  test("a file whose hash the lock does not list fails, naming the package, the lockfile and the fix", async (t) => {
    const src = await project(t, "python-uv-app");
    const lock = path.join(src, "uv.lock");
    const greeting = await wheelhouse.sha256("greeting-1.0.0-py3-none-any.whl");
    const locked = "ab".repeat(32);
    await writeFile(lock, (await readFile(lock, "utf8")).replace(greeting, locked));
    const error = await failure(stage(t, "python3.12", src, { packagerEnv: offline }));
    for (const expected of [
      `pip found files whose hashes ${lock} does not list`,
      `- greeting 1.0.0: file://${wheelhouse.dir}/greeting-1.0.0-py3-none-any.whl has sha256 ${greeting}`,
      "uv lock --refresh-package greeting",
    ]) {
      assert.ok(error.message.includes(expected), `${expected}\n${error.message}`);
    }
  });

  test("a uv.lock older than its pyproject.toml fails before anything is installed", async (t) => {
    const src = await project(t, "python-uv-app");
    const pyproject = path.join(src, "pyproject.toml");
    await writeFile(
      pyproject,
      (await readFile(pyproject, "utf8")).replace('"greeting==1.0.0"', '"greeting==1.1.0"'),
    );
    const { message } = await failure(stage(t, "python3.12", src, { packagerEnv: offline }));
    assert.ok(
      message.includes(
        `${src}/uv.lock is out of date with ${pyproject}: its [project] dependencies and optional-dependencies ` +
          "ask for greeting==1.1.0, which the lock does not have, and no longer ask for greeting==1.0.0",
      ),
      message,
    );
    assert.ok(message.includes("Run `uv lock`"), message);
  });

  test("a poetry.lock whose content-hash no longer matches pyproject.toml fails", async (t) => {
    const src = await project(t, "python-poetry-app");
    const pyproject = path.join(src, "pyproject.toml");
    await writeFile(
      pyproject,
      (await readFile(pyproject, "utf8")).replace('greeting = "1.0.0"', 'greeting = "^1.0"'),
    );
    const { message } = await failure(stage(t, "python3.12", src, { packagerEnv: offline }));
    assert.ok(message.includes(`${src}/poetry.lock is out of date with ${pyproject}`), message);
    assert.ok(message.includes("Run `poetry lock`"), message);
  });

  test("a group the lockfile does not have fails, listing the groups it has", async (t) => {
    const src = await project(t, "python-uv-app");
    const { message } = await failure(
      stage(t, "python3.12", src, { pythonGroups: ["docs"], packagerEnv: offline }),
    );
    assert.ok(message.includes("pythonGroups asks for docs, which uv-app in"), message);
    assert.ok(message.includes("(it has: dev)"), message);
  });
});

describe(
  "python packagers with requirements.txt and source distributions",
  { timeout: 600_000 },
  () => {
    async function app(t: Cleanup, requirements: string) {
      const src = await copyFixture(t, "python-app");
      await writeFile(path.join(src, "requirements.txt"), requirements);
      return src;
    }

    test("a requirement with only a pure-Python sdist is built into a wheel here and installed", async (t) => {
      const src = await app(t, "greeting==1.0.0\npuresdist==1.0\n");
      const { buildDir, lines } = await stage(t, "python3.12", src, { packagerEnv: offline });
      assert.deepEqual(installed(await listTree(buildDir)), ["greeting-1.0.0", "puresdist-1.0"]);
      assert.ok(
        lines.some((l) =>
          l.includes(
            "no wheel of puresdist==1.0 for Lambda; building it from its source distribution",
          ),
        ),
        lines.join("\n"),
      );
    });

    test("requirements with native code in their sdists fail, listing every one, even one pip found through another", async (t) => {
      const src = await app(t, "greeting==1.0.0\nnativesdist==1.0\n");
      const error = await failure(stage(t, "python3.12", src, { packagerEnv: offline }));
      for (const expected of [
        `These packages from ${src}/requirements.txt have no wheel for Lambda's python3.12`,
        "- nativesdist 1.0 (built here as cp",
        // nativesdist needs nativetwo: found while pip resolved on with a stand-in.
        "- nativetwo 1.0 (built here as cp",
        'architecture: "local"',
      ]) {
        assert.ok(error.message.includes(expected), `${expected}\n${error.message}`);
      }
    });

    test('architecture "local" builds native sdists with the local Python, as asked', async (t) => {
      const src = await app(t, "nativesdist==1.0\n");
      const { buildDir, lines } = await stage(t, "python3.12", src, {
        architecture: "local",
        packagerEnv: offline,
      });
      assert.deepEqual(installed(await listTree(buildDir)), ["nativesdist-1.0", "nativetwo-1.0"]);
      assert.deepEqual(
        [...new Set(Object.values(await elfMachines(buildDir)))],
        [process.arch === "arm64" ? "aarch64" : "x86_64"],
      );
      assert.ok(
        lines.some((l) => l.includes('architecture "local"')),
        lines.join("\n"),
      );
    });
  },
);

describe("python packagers for the members of a uv workspace", { timeout: 600_000 }, () => {
  /** The names at the top of a zip: files, and the directories of the others. */
  async function topLevel(zip: string): Promise<string[]> {
    const code =
      "import json, sys, zipfile; " +
      "print(json.dumps(sorted({n.split('/')[0] for n in zipfile.ZipFile(sys.argv[1]).namelist()})))";
    return JSON.parse(await run("python3", ["-c", code, zip])) as string[];
  }

  test("each member is packaged with exactly its closure from the root's uv.lock: its code, the members it depends on, their locked packages", async (t) => {
    const root = await copyFixture(t, "python-uv-members");
    await renderTemplates(root, wheelhouse);
    const tree = await listTree(root);
    const out = await tempDir(t, "uv-members-");
    const packageOf = async (member: string, pythonGroups: string[] = []) => {
      const lines: string[] = [];
      const zip = path.join(out, `${member}-${pythonGroups.join("-")}.zip`);
      const built = await build({
        sourcePath: path.join(root, "packages", member),
        runtime: "python3.12",
        pythonGroups,
        packagerEnv: offline,
        outFile: zip,
        log: (line) => lines.push(line),
      });
      return { zip, lines, top: await topLevel(zip), reads: built.reads.paths };
    };

    const api = await packageOf("api");
    assert.deepEqual(
      api.top,
      [
        // Its own code, as it is in its directory.
        "handler.py",
        "pyproject.toml",
        // The member it depends on, built and installed as a regular package, and what it needs.
        "core",
        "core-0.1.0.dist-info",
        "greeting",
        "greeting-1.0.0.dist-info",
        // Its own third-party dependency.
        "shout",
        "shout-2.0.0.dist-info",
      ].sort(),
    );
    assert.ok(
      api.lines.some((l) =>
        l.includes(
          `is a member of the uv workspace in ${root}: installing its packages from ${root}/uv.lock`,
        ),
      ),
      api.lines.join("\n"),
    );
    // Pure Python throughout: Lambda's Python imports it from the zip as it would from the directory.
    assert.deepEqual(await invoke(api.zip), { statusCode: 200, body: "HELLO API FROM CORE" });
    const names = JSON.parse(
      await run("python3", [
        "-c",
        "import json, sys, zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))",
        api.zip,
      ]),
    ) as string[];
    assert.deepEqual(
      names.filter((n) => /\.pth$|__editable__|direct_url\.json$/.test(n)),
      [],
      "no editable install",
    );
    // The build read the root's lock and workspace definition and the members it installs, not the others.
    assert.deepEqual(api.reads.map((p) => path.relative(root, p)).sort(), [
      "packages/api",
      "packages/core",
      "pyproject.toml",
      "uv.lock",
    ]);

    const dev = await packageOf("api", ["dev"]);
    assert.deepEqual(dev.top, [...api.top, "devtool", "devtool-1.0.0.dist-info"].sort());

    const core = await packageOf("core");
    assert.deepEqual(core.top, ["core", "greeting", "greeting-1.0.0.dist-info", "pyproject.toml"]);

    const worker = await packageOf("worker");
    assert.deepEqual(worker.top, [
      "fastcalc",
      "fastcalc-0.3.0.dist-info",
      "handler.py",
      "pyproject.toml",
    ]);
    assert.deepEqual(worker.reads.map((p) => path.relative(root, p)).sort(), [
      "packages/worker",
      "pyproject.toml",
      "uv.lock",
    ]);
    assert.deepEqual(await listTree(root), tree, "no build/ or *.egg-info left in the workspace");
  });
});

describe(
  "python packagers with dependencies declared without a lockfile",
  { timeout: 600_000 },
  () => {
    test("a pyproject.toml's dependency is resolved by pip for Lambda and installed, with a line saying it is unpinned", async (t) => {
      const src = await copyFixture(t, "python-uv-no-lock");
      const { buildDir, lines } = await stage(t, "python3.12", src, { packagerEnv: offline });
      const tree = await listTree(buildDir);
      // requests>=2.31.0 takes 2.32.3 over 2.30.0, and pip brings what it needs.
      assert.deepEqual(installed(tree), ["greeting-1.0.0", "requests-2.32.3"]);
      assert.ok(tree.includes("index.py") && tree.includes("pyproject.toml"), tree.join(" "));
      const note = lines.filter((l) => l.includes("resolved unpinned"));
      assert.deepEqual(note.length, 1, lines.join("\n"));
      for (const expected of [
        "pyproject.toml: no lockfile, so its 1 requirement(s) (requests>=2.31.0) are resolved unpinned by pip " +
          "for python3.12 on Amazon Linux 2023 (glibc 2.34), x86_64",
        "Lock them (`uv lock`",
      ])
        assert.ok(note[0].includes(expected), `${expected}\n${note[0]}`);
      assert.deepEqual(await invoke(buildDir, "index", "lambda_handler"), {
        statusCode: 200,
        requests: "2.32.3",
      });
    });

    test("a Poetry project with dependencies and no poetry.lock fails, saying to run poetry lock", async (t) => {
      const src = await copyFixture(t, "python-uv-no-lock");
      await writeFile(
        path.join(src, "pyproject.toml"),
        '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "^3.12"\nrequests = "^2.31"\n',
      );
      const { message } = await failure(stage(t, "python3.12", src, { packagerEnv: offline }));
      for (const expected of [
        `${src}/pyproject.toml declares Poetry dependencies (requests) and ${src} has no poetry.lock`,
        "Run `poetry lock`",
      ])
        assert.ok(message.includes(expected), `${expected}\n${message}`);
    });
  },
);
