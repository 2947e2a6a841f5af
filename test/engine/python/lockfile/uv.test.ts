import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { readUvLock } from "../../../../engine/python/lockfile/uv";
import { hash, project, request } from "./project";
import { failure } from "../../../support/errors";

const registry = 'source = { registry = "https://pypi.org/simple" }';
const wheel = (file: string) =>
  `wheels = [{ url = "https://files.example/${file}", hash = "${hash(file)}" }]`;
const pkg = (name: string, version: string, extra = "") =>
  `[[package]]\nname = "${name}"\nversion = "${version}"\n${registry}\n${extra}\n${wheel(`${name}-${version}-py3-none-any.whl`)}\n`;

/** An app depending on requests (which needs idna, and colorama on Windows) and, on ARM only, armlib. */
const LOCK = `version = 1
revision = 3
requires-python = ">=3.11"

${pkg("colorama", "0.4.6")}
${pkg("devtool", "1.0")}
${pkg("idna", "3.11")}
${pkg("armlib", "1.0")}
${pkg("pysocks", "1.7.1")}
[[package]]
name = "requests"
version = "2.32.4"
${registry}
dependencies = [
    { name = "colorama", marker = "sys_platform == 'win32'" },
    { name = "idna" },
]
${wheel("requests-2.32.4-py3-none-any.whl")}

[package.optional-dependencies]
socks = [{ name = "pysocks" }]

${pkg("rich", "14.0")}
[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "armlib", marker = "platform_machine == 'aarch64'" },
    { name = "requests", extra = ["socks"] },
]

[package.optional-dependencies]
pretty = [{ name = "rich" }]

[package.dev-dependencies]
dev = [{ name = "devtool" }]

[package.metadata]
requires-dist = [
    { name = "armlib", marker = "platform_machine == 'aarch64'" },
    { name = "requests", extras = ["socks"], specifier = ">=2.31,<3" },
    { name = "rich", marker = "extra == 'pretty'", specifier = ">=14" },
]
provides-extras = ["pretty"]

[package.metadata.requires-dev]
dev = [{ name = "devtool", specifier = "==1.0" }]
`;

const PYPROJECT = `[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["requests[socks] >= 2.31, < 3", "armlib; platform_machine == 'aarch64'"]

[project.optional-dependencies]
pretty = ["rich>=14"]

[dependency-groups]
dev = ["devtool==1.0"]
`;

const names = (selection: ReturnType<typeof readUvLock>) =>
  selection!.packages.map((p) => p.name).sort();

describe("uv.lock", () => {
  test("installs what the project needs on the target: dependencies, their extras, markers that hold", async () => {
    const dir = await project({ "uv.lock": LOCK, "pyproject.toml": PYPROJECT });
    assert.deepEqual(names(readUvLock(request(dir))), ["idna", "pysocks", "requests"]);
    assert.deepEqual(names(readUvLock(request(dir, { architecture: "arm64" }))), [
      "armlib",
      "idna",
      "pysocks",
      "requests",
    ]);
  });

  test("adds the extras and dependency groups asked for, by normalized name", async () => {
    const dir = await project({ "uv.lock": LOCK, "pyproject.toml": PYPROJECT });
    const selection = readUvLock(request(dir, { extras: ["Pretty"], groups: ["dev"] }));
    assert.deepEqual(names(selection), ["devtool", "idna", "pysocks", "requests", "rich"]);
    const requests = selection!.packages.find((p) => p.name === "requests")!;
    assert.deepEqual(requests, {
      name: "requests",
      version: "2.32.4",
      source: {
        kind: "index",
        index: "https://pypi.org/simple",
        files: [
          {
            filename: "requests-2.32.4-py3-none-any.whl",
            hashes: [hash("requests-2.32.4-py3-none-any.whl")],
          },
        ],
      },
    });
  });

  test("an extra or group the project does not have is an error listing those it has", async () => {
    const dir = await project({ "uv.lock": LOCK, "pyproject.toml": PYPROJECT });
    assert.match(
      failure(() => readUvLock(request(dir, { extras: ["fast"] })), "PYTHON_EXTRA_UNKNOWN"),
      /asks for fast, which app in .*uv\.lock does not provide \(it has: pretty\)/,
    );
    assert.match(
      failure(() => readUvLock(request(dir, { groups: ["docs"] })), "PYTHON_GROUP_UNKNOWN"),
      /\(it has: dev\)/,
    );
  });

  test("is out of date when pyproject.toml asks for other requirements than it records", async () => {
    const stale = PYPROJECT.replace('"requests[socks] >= 2.31, < 3"', '"requests[socks]>=2.32,<3"');
    const dir = await project({ "uv.lock": LOCK, "pyproject.toml": stale });
    const message = failure(() => readUvLock(request(dir)), "PYTHON_LOCK_STALE");
    assert.ok(
      message.includes(`${dir}/uv.lock is out of date with ${dir}/pyproject.toml`),
      message,
    );
    assert.ok(
      message.includes("ask for requests[socks]<3,>=2.32, which the lock does not have"),
      message,
    );
    assert.ok(message.includes("no longer ask for requests[socks]<3,>=2.31"), message);
    assert.ok(message.includes(`Run \`uv lock\` in ${dir}`), message);
  });

  test("is fresh however the requirements are spaced or ordered, and a changed group asked for is stale", async () => {
    const reordered = PYPROJECT.replace(
      'dependencies = ["requests[socks] >= 2.31, < 3", "armlib; platform_machine == \'aarch64\'"]',
      'dependencies = ["armlib ; platform_machine==\'aarch64\'", "Requests[SOCKS]<3,>=2.31"]',
    );
    assert.notEqual(reordered, PYPROJECT);
    const dir = await project({ "uv.lock": LOCK, "pyproject.toml": reordered });
    assert.ok(readUvLock(request(dir)));
    const devChanged = await project({
      "uv.lock": LOCK,
      "pyproject.toml": PYPROJECT.replace("devtool==1.0", "devtool==2.0"),
    });
    assert.ok(readUvLock(request(devChanged)), "groups not asked for are not compared");
    failure(() => readUvLock(request(devChanged, { groups: ["dev"] })), "PYTHON_LOCK_STALE");
  });

  test("a project that declares its dependencies dynamic cannot be compared, and is read", async () => {
    const dynamic = '[project]\nname = "app"\nversion = "0.1.0"\ndynamic = ["dependencies"]\n';
    const dir = await project({ "uv.lock": LOCK, "pyproject.toml": dynamic });
    assert.ok(readUvLock(request(dir)));
  });

  test("a runtime outside the lock's requires-python is an error naming both", async () => {
    const dir = await project({
      "uv.lock": LOCK.replace('requires-python = ">=3.11"', 'requires-python = ">=3.13"'),
    });
    const message = failure(() => readUvLock(request(dir)), "PYTHON_VERSION_MISMATCH");
    assert.match(message, /locked for Python >=3\.13, which python3\.12 is not/);
  });

  test("workspace members are built from their directories; virtual ones only bring their dependencies", async () => {
    const lock = `version = 1
requires-python = ">=3.12"
[manifest]
members = ["app", "lib", "tools"]
${pkg("idna", "3.11")}
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "lib" }, { name = "tools" }]
[[package]]
name = "lib"
version = "0.2.0"
source = { editable = "packages/lib" }
[[package]]
name = "tools"
version = "0.1.0"
source = { virtual = "packages/tools" }
dependencies = [{ name = "idna" }]
`;
    const dir = await project({ "uv.lock": lock });
    const selection = readUvLock(request(dir))!;
    assert.deepEqual(
      selection.packages.map((p) => [p.name, p.source]),
      [
        [
          "idna",
          {
            kind: "index",
            index: "https://pypi.org/simple",
            files: [
              {
                filename: "idna-3.11-py3-none-any.whl",
                hashes: [hash("idna-3.11-py3-none-any.whl")],
              },
            ],
          },
        ],
        ["lib", { kind: "directory", path: path.join(dir, "packages/lib") }],
      ],
    );
  });

  test("a member locked at the workspace root above it installs its closure only: the members it depends on, their packages, its group and extra", async () => {
    const lock = `version = 1
revision = 3
requires-python = ">=3.12"
[manifest]
members = ["api", "core", "worker"]
${pkg("idna", "3.11")}
${pkg("devtool", "1.0")}
${pkg("rich", "14.0")}
${pkg("colorama", "0.4.6")}
[[package]]
name = "api"
version = "0.1.0"
source = { virtual = "packages/api" }
dependencies = [{ name = "core" }]
[package.optional-dependencies]
pretty = [{ name = "rich" }]
[package.dev-dependencies]
dev = [{ name = "devtool" }]
[[package]]
name = "core"
version = "0.2.0"
source = { editable = "packages/core" }
dependencies = [{ name = "idna" }]
[[package]]
name = "worker"
version = "0.1.0"
source = { virtual = "packages/worker" }
dependencies = [{ name = "colorama" }]
`;
    const root = await project({ "uv.lock": lock });
    const member = (name: string, options: { groups?: string[]; extras?: string[] } = {}) => {
      const asked = request(path.join(root, "packages", name), options);
      return readUvLock({ ...asked, lockDir: root })!;
    };
    const api = member("api");
    assert.deepEqual(names(api), ["core", "idna"]);
    assert.deepEqual(api.packages.find((p) => p.name === "core")!.source, {
      kind: "directory",
      path: path.join(root, "packages/core"),
    });
    assert.deepEqual(names(member("api", { groups: ["dev"], extras: ["pretty"] })), [
      "core",
      "devtool",
      "idna",
      "rich",
    ]);
    assert.deepEqual(names(member("worker")), ["colorama"]);
    assert.deepEqual(names(member("core")), ["idna"]);
    // The group belongs to api, not to worker: asking it of worker names what worker has.
    assert.match(
      failure(() => member("worker", { groups: ["dev"] }), "PYTHON_GROUP_UNKNOWN"),
      /which worker in .* does not have \(it has: none\)/,
    );
  });

  test("a workspace root that is no project installs every member", async () => {
    const lock = `version = 1
requires-python = ">=3.12"
[manifest]
members = ["lib"]
[[package]]
name = "lib"
version = "0.2.0"
source = { directory = "packages/lib" }
`;
    const dir = await project({ "uv.lock": lock });
    assert.deepEqual(
      readUvLock(request(dir))!.packages.map((p) => p.name),
      ["lib"],
    );
    const none = await project({ "uv.lock": 'version = 1\nrequires-python = ">=3.12"\n' });
    assert.match(
      failure(() => readUvLock(request(none)), "PYTHON_LOCK_INVALID"),
      /locks no package for the project/,
    );
  });

  test("a name locked twice, once per Python, installs the version whose dependency marker holds on the runtime", async () => {
    const lock = `version = 1
requires-python = ">=3.11"
[[package]]
name = "numpy"
version = "2.2.6"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]
${wheel("numpy-2.2.6-cp311-cp311-manylinux_2_17_x86_64.whl")}
[[package]]
name = "numpy"
version = "2.3.2"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.12'"]
${wheel("numpy-2.3.2-cp312-cp312-manylinux_2_17_x86_64.whl")}
[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "numpy", version = "2.2.6", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.12'" },
    { name = "numpy", version = "2.3.2", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.12'" },
]
`;
    const dir = await project({ "uv.lock": lock });
    assert.deepEqual(
      readUvLock(request(dir))!.packages.map((p) => p.version),
      ["2.3.2"],
    );
    assert.deepEqual(
      readUvLock(request(dir, { runtime: "python3.11" }))!.packages.map((p) => p.version),
      ["2.2.6"],
    );
  });

  test("git and URL sources are read as unsupported, for the planner to report if they are needed", async () => {
    const lock = `version = 1
requires-python = ">=3.12"
[[package]]
name = "fromgit"
version = "1.0"
source = { git = "https://github.com/o/r?rev=main#abc" }
[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "fromgit" }]
`;
    const dir = await project({ "uv.lock": lock });
    assert.deepEqual(readUvLock(request(dir))!.packages[0].source, {
      kind: "unsupported",
      what: "git (https://github.com/o/r?rev=main#abc)",
    });
  });

  test("a lock of another format version, or not TOML, is an error naming the file and the fix", async () => {
    const v2 = await project({ "uv.lock": 'version = 2\nrequires-python = ">=3.12"\n' });
    assert.match(
      failure(() => readUvLock(request(v2)), "PYTHON_LOCK_UNSUPPORTED"),
      /uv\.lock version 2; lambda-package reads version 1/,
    );
    const broken = await project({ "uv.lock": "version = 1\n[[package]\n" });
    assert.match(
      failure(() => readUvLock(request(broken)), "PYTHON_LOCK_INVALID"),
      /uv\.lock is not valid TOML \(line 2, column \d+: .*\)\. Regenerate it with `uv lock`/,
    );
    const badMarker = await project({
      "uv.lock": LOCK.replace("sys_platform == 'win32'", "sys_platform === "),
    });
    assert.match(
      failure(() => readUvLock(request(badMarker)), "PYTHON_LOCK_INVALID"),
      /package requests: the marker "sys_platform === " cannot be read/,
    );
  });

  test("no uv.lock, no selection", async () => {
    assert.equal(readUvLock(request(await project({ "requirements.txt": "" }))), undefined);
  });

  /** LOCK with `from` replaced by `to` (each must be there). */
  const lockWith = (...pairs: [string, string][]) =>
    pairs.reduce((text, [from, to]) => {
      assert.ok(text.includes(from), from);
      return text.replace(from, to);
    }, LOCK);
  const idna = 'name = "idna"\nversion = "3.11"';

  test("a package or dependency name that is not a PEP 508 name is refused, shown escaped", async () => {
    const evil = `idna==3.11 --hash=${hash("x")}\\n-r /abs/secret.txt\\n#`;
    const named = await project({
      "uv.lock": lockWith([idna, `name = "${evil}"\nversion = "3.11"`]),
    });
    const message = failure(() => readUvLock(request(named)), "PYTHON_LOCK_INVALID");
    assert.match(
      message,
      /uv\.lock: \[\[package\]\] #3 name is "idna==3\.11 .*, not a package name .*Regenerate it with `uv lock`/,
    );
    assert.ok(!message.includes("\n"), message);
    const edge = await project({
      "uv.lock": lockWith(['{ name = "idna" }', `{ name = "${evil}" }`]),
    });
    assert.match(
      failure(() => readUvLock(request(edge)), "PYTHON_LOCK_INVALID"),
      /package requests: dependencies\[1\] name is "idna==3\.11 .*, not a package name/,
    );
  });

  test("a version that is not a PEP 440 version is refused, naming the package", async () => {
    const dir = await project({
      "uv.lock": lockWith([idna, 'name = "idna"\nversion = "3.11\\n-r /abs/secret.txt"']),
    });
    assert.match(
      failure(() => readUvLock(request(dir)), "PYTHON_LOCK_INVALID"),
      /uv\.lock: package idna: version is "3\.11\\n-r \/abs\/secret\.txt", not a PEP 440 version/,
    );
  });

  test("a hash that is not <algorithm>:<hex> of a known algorithm and its length is refused, naming the package", async () => {
    const idnaHash = hash("idna-3.11-py3-none-any.whl");
    for (const [bad, why] of [
      [idnaHash.slice(0, -1), /not 64 hexadecimal digits/],
      [`${idnaHash} --hash=sha256:00`, /not 64 hexadecimal digits/],
      [`md5:${"0".repeat(32)}`, /pip checks sha256, sha384 and sha512/],
      ["0".repeat(64), /pip checks sha256, sha384 and sha512/],
    ] as const) {
      const dir = await project({ "uv.lock": lockWith([idnaHash, bad]) });
      const message = failure(() => readUvLock(request(dir)), "PYTHON_LOCK_INVALID");
      assert.match(message, /uv\.lock: package idna: wheels\[0\] hash is ".*, /, bad);
      assert.match(message, why, bad);
    }
  });
});
