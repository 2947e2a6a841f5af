import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import {
  buildGreetingWheel,
  buildPython,
  copyFixture,
  listTree,
  run,
  stage,
  suiteCleanup,
  tempDir,
} from "./fixtures";

/** A handler's JSON response, by field. */
type HandlerResponse = Record<string, unknown>;

/** Imports `module` from `dir` with the machine's python3 and calls `fn`, as Lambda would. */
async function invoke(dir: string, module: string, fn: string, event: object = {}) {
  const code =
    "import json, sys; sys.path.insert(0, sys.argv[1]); " +
    `from ${module} import ${fn}; print(json.dumps(${fn}(json.loads(sys.argv[2]), None)))`;
  return JSON.parse(
    await run("python3", ["-c", code, dir, JSON.stringify(event)]),
  ) as HandlerResponse;
}

/** Files that only differ from build to build, or that Lambda never needs. */
const NOISE =
  /(^|\/)(__pycache__\/|[^/]*\.pyc$|\.venv\/|venv\/|\.git\/|\.pytest_cache\/)|\.dist-info\/(direct_url\.json|INSTALLER)$/;

describe("python packagers", () => {
  const cleanup = suiteCleanup();
  let wheelhouse: string;
  // There is no package index here: pip installs from a wheelhouse this suite builds.
  let offline: Record<string, string>;
  before(async () => {
    wheelhouse = path.join(await tempDir(cleanup), "wheels");
    await buildGreetingWheel(cleanup, wheelhouse);
    offline = { PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheelhouse };
  });
  after(() => cleanup.run());

  /** The python-app fixture plus the junk a developer's tree tends to hold. */
  async function appWithJunk(t: Parameters<typeof copyFixture>[0]) {
    const src = await copyFixture(t, "python-app");
    for (const junk of [
      "__pycache__/handler.cpython-311.pyc",
      "stray.pyc",
      ".venv/bin/python",
      "venv/lib/site.py",
      ".git/HEAD",
      ".pytest_cache/v/cache",
      "tests/__pycache__/test_handler.cpython-311.pyc",
    ]) {
      await mkdir(path.dirname(path.join(src, junk)), { recursive: true });
      await writeFile(path.join(src, junk), "junk");
    }
    return src;
  }

  test("requirements mode installs requirements.txt and copies the source, minus caches and build noise", async (t) => {
    const src = await appWithJunk(t);
    const before = await listTree(src);
    const { buildDir, lines } = await stage(t, "python3.12", src, { packagerEnv: offline });
    const tree = await listTree(buildDir);
    for (const file of [
      "handler.py",
      "requirements.txt",
      "tests/test_handler.py",
      "greeting/__init__.py",
      "greeting-1.0.0.dist-info/METADATA",
      "greeting-1.0.0.dist-info/RECORD",
    ]) {
      assert.ok(tree.includes(file), `${file} staged: ${tree.join(" ")}`);
    }
    assert.deepEqual(
      tree.filter((p) => NOISE.test(p)),
      [],
      "no caches or build-specific files",
    );
    assert.ok(
      lines.some((l) => l.includes("Successfully installed greeting-1.0.0")),
      lines.join("\n"),
    );
    assert.deepEqual(await listTree(src), before, "the source tree is left as it was");
    // RECORD stays true to what is installed: stripped files are not listed.
    const record = await readFile(
      path.join(buildDir, "greeting-1.0.0.dist-info", "RECORD"),
      "utf8",
    );
    const listed = record
      .trim()
      .split("\n")
      .map((line) => line.split(",")[0]);
    assert.ok(listed.includes("greeting/__init__.py"), record);
    assert.deepEqual(
      listed.filter((p) => /\.pyc$|direct_url\.json$|INSTALLER$/.test(p)),
      [],
    );
    assert.deepEqual(await invoke(buildDir, "handler", "handler", { name: "pip" }), {
      statusCode: 200,
      body: "hello pip",
      builtFor: "any",
    });
  });

  test("EXCLUDE_TESTS=1 leaves tests folders out", async (t) => {
    const { buildDir } = await stage(t, "python3.12", await appWithJunk(t), {
      packagerEnv: { ...offline, EXCLUDE_TESTS: "1" },
    });
    const tree = await listTree(buildDir);
    assert.ok(tree.includes("handler.py"));
    assert.deepEqual(
      tree.filter((p) => p.startsWith("tests")),
      [],
    );
  });

  test("layer mode puts the source and its dependencies under python/", async (t) => {
    const { buildDir } = await stage(t, "python3.12", await appWithJunk(t), {
      packagerEnv: offline,
      layer: true,
    });
    assert.deepEqual(await readdir(buildDir), ["python"]);
    const tree = await listTree(path.join(buildDir, "python"));
    assert.ok(tree.includes("greeting/__init__.py") && tree.includes("handler.py"), tree.join(" "));
    assert.deepEqual(
      tree.filter((p) => NOISE.test(p)),
      [],
    );
    const result = await invoke(path.join(buildDir, "python"), "handler", "handler");
    assert.equal(result.body, "hello lambda");
  });

  test("package mode pip-installs the project itself with --no-deps, as the Python seed does", async (t) => {
    const src = await copyFixture(t, "python-package");
    const before = await listTree(src);
    const { buildDir } = await stage(t, "python3.12", src, {
      pythonMode: "package",
      packagerEnv: {
        // The project is built by setuptools, which this Python must import
        // (no index to fetch it into an isolated build environment);
        // PIP_NO_BUILD_ISOLATION=0 is pip's inverted spelling of --no-build-isolation.
        PIP: `${await buildPython()} -m pip`,
        PIP_NO_BUILD_ISOLATION: "0",
        PIP_NO_INDEX: "1",
      },
    });
    const tree = await listTree(buildDir);
    for (const file of [
      "my_lambda_app/__init__.py",
      "my_lambda_app/handlers.py",
      "my_lambda_app/lambda_function.py",
      "my_lambda_app-0.1.1.dist-info/METADATA",
    ]) {
      assert.ok(tree.includes(file), `${file} staged: ${tree.join(" ")}`);
    }
    for (const absent of ["NOTES.txt", "pyproject.toml", "build/", "my_lambda_app.egg-info/"]) {
      assert.ok(!tree.includes(absent), `${absent} not staged`);
    }
    assert.deepEqual(
      tree.filter((p) => NOISE.test(p)),
      [],
    );
    assert.deepEqual(await listTree(src), before, "no build/ or *.egg-info left in the source");
    assert.deepEqual(await invoke(buildDir, "my_lambda_app.lambda_function", "lambda_handler"), {
      statusCode: 200,
      body: "Hello from Lambda, world!",
      version: "0.1.1",
    });
  });

  test("package mode without pyproject.toml or setup.py fails naming the source path", async (t) => {
    const src = await copyFixture(t, "python-app");
    const error = await stage(t, "python3.12", src, { pythonMode: "package" }).then(
      () => assert.fail("should fail"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof LambdaPackageError && error.code === "PACKAGER_FAILED");
    assert.ok(
      error.message.includes(`needs a pyproject.toml or setup.py in ${src}`),
      error.message,
    );
  });

  describe("with an architecture", () => {
    const platformCleanup = suiteCleanup();
    let platformWheels: string;
    before(async () => {
      // Same project, three wheels that say which one they are; only the
      // file name's tags differ for pip.
      platformWheels = path.join(await tempDir(platformCleanup), "wheels");
      await buildGreetingWheel(
        platformCleanup,
        platformWheels,
        "x86_64",
        "cp312-cp312-manylinux2014_x86_64",
      );
      await buildGreetingWheel(
        platformCleanup,
        platformWheels,
        "arm64",
        "cp312-cp312-manylinux2014_aarch64",
      );
      await buildGreetingWheel(
        platformCleanup,
        platformWheels,
        "cp311",
        "cp311-cp311-manylinux2014_x86_64",
      );
    });
    after(() => platformCleanup.run());

    for (const [architecture, expected] of [
      ["x86_64", "x86_64"],
      ["arm64", "arm64"],
    ] as const) {
      test(`${architecture} installs the manylinux wheel for the runtime's Python version`, async (t) => {
        const { buildDir } = await stage(t, "python3.12", await copyFixture(t, "python-app"), {
          architecture,
          packagerEnv: { PIP_NO_INDEX: "1", PIP_FIND_LINKS: platformWheels },
        });
        assert.equal((await invoke(buildDir, "handler", "handler")).builtFor, expected);
      });
    }

    test("a requirement with no wheel for the platform fails naming it, requirements.txt and the ways out", async (t) => {
      const src = await copyFixture(t, "python-app");
      const error = await stage(t, "python3.13", src, {
        architecture: "arm64",
        packagerEnv: { PIP_NO_INDEX: "1", PIP_FIND_LINKS: platformWheels },
      }).then(
        () => assert.fail("should fail"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof LambdaPackageError && error.code === "PACKAGER_FAILED");
      for (const expected of [
        `${src}/requirements.txt has no wheel that Lambda's python3.13 on Amazon Linux 2023 (glibc 2.34), arm64 can load`,
        "- greeting==1.0.0",
        'architecture: "local"',
      ]) {
        assert.ok(error.message.includes(expected), `${expected}\n${error.message}`);
      }
    });
  });
});
