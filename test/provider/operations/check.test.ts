import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { checkInputs } from "../../../provider/operations/check";
import { UNKNOWN } from "../../../provider/operations/unknown";
import { tempDir } from "../../support/tmp";

async function source(files: Record<string, string> = { "app.py": "x" }): Promise<string> {
  const dir = await tempDir("check");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

const reasons = (news: Record<string, unknown>) =>
  checkInputs(news).failures.map((f) => `${f.property}: ${f.reason}`);

describe("checkInputs", () => {
  test("accepts minimal valid inputs and fails nothing", async () => {
    const sourcePath = await source();
    const { failures } = checkInputs({
      bucket: "my-bucket",
      sourcePath,
      runtime: "copy",
      sourceKey: "abc",
    });
    assert.deepEqual(failures, []);
  });

  test("names every missing required input, and sourceKey is not one: left out, it is automatic", () => {
    const found = reasons({});
    assert.ok(found.some((r) => r.startsWith("bucket: bucket is required")));
    assert.ok(found.some((r) => r.startsWith("sourcePath: sourcePath is required")));
    assert.ok(!found.some((r) => r.startsWith("sourceKey")), found.join("\n"));
    assert.ok(found.some((r) => r.startsWith('runtime: give "runtime"')));
  });

  test("rejects values of the wrong shape with the field, the value and what is allowed", async () => {
    const sourcePath = await source();
    const found = reasons({
      bucket: "Bad_Bucket",
      sourcePath,
      sourceKey: "k",
      runtime: "copy",
      architecture: "x86",
      compressionLevel: 11,
      nativeCheck: "strict",
      exclude: "node_modules",
      endpoint: "not a url",
      colour: "blue",
    });
    assert.ok(found.some((r) => /^bucket: .*S3 bucket name.*"Bad_Bucket"/.test(r)));
    assert.ok(found.some((r) => /^architecture: .*"x86_64", "arm64", "local"; got "x86"/.test(r)));
    assert.ok(
      found.some((r) => /^compressionLevel: .*0 \(store\) to 9 \(smallest\); got 11/.test(r)),
    );
    assert.ok(found.some((r) => /^nativeCheck: .*"error", "warn", "off"; got "strict"/.test(r)));
    assert.ok(found.some((r) => /^exclude: .*list of strings/.test(r)));
    assert.ok(found.some((r) => /^endpoint: .*URL/.test(r)));
    assert.ok(found.some((r) => /^colour: colour is not an input/.test(r)));
  });

  test("reports a source directory that does not exist, with the resolved path", () => {
    const found = reasons({
      bucket: "b-1",
      sourcePath: "/no/such/dir",
      runtime: "copy",
      sourceKey: "k",
    });
    assert.ok(found.some((r) => /^sourcePath: .*does not exist.*\/no\/such\/dir/.test(r)));
  });

  test("computes the semver key so preview can show it", async () => {
    const sourcePath = await source();
    const { inputs, failures } = checkInputs({
      bucket: "b-1",
      sourcePath,
      runtime: "copy",
      sourceKey: "k",
      keyPrefix: "team/lambda/",
      version: "1.2.3",
    });
    assert.deepEqual(failures, []);
    assert.equal(inputs.key, "team/lambda/source/1.2.3/source.zip");
  });

  test("reads the version from pyproject.toml or package.json when asked", async () => {
    const py = await source({
      "pyproject.toml": '[build-system]\nx = 1\n[project]\nname = "a"\nversion = "0.1.7"\n',
    });
    const js = await source({ "package.json": '{"name":"a","version":"2.0.0-rc.1"}' });
    const base = { bucket: "b-1", runtime: "copy", sourceKey: "k" };
    assert.equal(
      checkInputs({ ...base, sourcePath: py, versionFrom: "pyproject.toml" }).inputs.key,
      "lambda/source/0.1.7/source.zip",
    );
    assert.equal(
      checkInputs({ ...base, sourcePath: js, versionFrom: "package.json" }).inputs.version,
      "2.0.0-rc.1",
    );
  });

  test("rejects a version that is not semver and a key given together with a version", async () => {
    const sourcePath = await source();
    const base = { bucket: "b-1", runtime: "copy", sourceKey: "k", sourcePath };
    assert.ok(
      reasons({ ...base, version: "v1.2" }).some((r) =>
        /^version: .*not a semantic version/.test(r),
      ),
    );
    assert.ok(
      reasons({ ...base, version: "1.2.3", key: "x.zip" }).some((r) => /^key: give either/.test(r)),
    );
  });

  test("rejects our own metadata names, too many tags, and credential-like packager variables", async () => {
    const sourcePath = await source();
    const base = { bucket: "b-1", runtime: "copy", sourceKey: "k", sourcePath };
    const tags = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, "v"]));
    assert.ok(
      reasons({ ...base, metadata: { SHA256: "x" } }).some((r) =>
        /^metadata: .*set by LambdaPackage/.test(r),
      ),
    );
    assert.ok(reasons({ ...base, tags }).some((r) => /^tags: .*11 tags.*at most 10/.test(r)));
    assert.ok(
      reasons({ ...base, packagerEnv: { NPM_TOKEN: "x" } }).some((r) =>
        /^packagerEnv: .*credential/.test(r),
      ),
    );
  });

  test("stores the source path relative to the project directory", () => {
    const { inputs } = checkInputs({
      bucket: "b-1",
      sourcePath: path.resolve("test"),
      runtime: "copy",
      sourceKey: "k",
    });
    assert.equal(inputs.sourcePath, "test");
  });

  test("stores packager paths relative too, and reports one that does not exist", () => {
    const base = { bucket: "b-1", sourcePath: "test", sourceKey: "k" };
    const { inputs } = checkInputs({
      ...base,
      packager: path.resolve("packagers/copy"),
      packagersDir: path.resolve("packagers"),
    });
    assert.equal(inputs.packager, path.join("packagers", "copy"));
    assert.equal(inputs.packagersDir, "packagers");
    assert.ok(
      reasons({ ...base, packager: "no/such/script.sh" }).some((r) =>
        /^packager: .*does not exist/.test(r),
      ),
    );
    assert.ok(
      reasons({ ...base, packagersDir: "package.json" }).some((r) =>
        /^packagersDir: .*not a directory/.test(r),
      ),
    );
  });

  test("checks every field of bundle, naming the field, the value and what is allowed", async () => {
    const sourcePath = await source({ "src/handler.ts": "" });
    const base = { bucket: "my-bucket", sourcePath, sourceKey: "k", runtime: "nodejs22.x" };
    const bundleReasons = (bundle: unknown) =>
      reasons({ ...base, bundle }).filter((r) => r.startsWith("bundle:"));
    assert.deepEqual(bundleReasons({ entry: "src/handler.ts", format: "umd" }), [
      'bundle: bundle.format must be one of "cjs", "esm"; got "umd"',
    ]);
    assert.deepEqual(bundleReasons({ entry: "../handler.ts" }), [
      'bundle: bundle.entry must be a file inside sourcePath ending in .ts, .mts, .js, .mjs, e.g. "src/handler.ts"; got "../handler.ts"',
    ]);
    assert.deepEqual(bundleReasons({ format: "esm" }), [
      `bundle: bundle.entry is required (the handler's file, relative to sourcePath, e.g. "src/handler.ts"), or entries for several handlers`,
    ]);
    assert.deepEqual(bundleReasons({ entry: "src/handler.ts", minfy: true }), [
      "bundle: bundle.minfy is not a field (the fields are entry, entries, format, externals, nodeModules, minify, sourcemap, sourcesContent, define, banner, manifests); got true",
    ]);
    assert.deepEqual(bundleReasons({ entry: "src/handler.ts", nodeModules: ["sharp@0.33"] }), [
      'bundle: bundle.nodeModules must be a list of package names without versions, e.g. ["sharp"]; got ["sharp@0.33"]',
    ]);
    assert.deepEqual(bundleReasons({ entry: "src/handler.ts", externals: ["pg"] }), []);
    assert.deepEqual(bundleReasons({ entry: "src/handler.ts", sourcesContent: true }), [
      "bundle: bundle.sourcesContent is part of the source map: set sourcemap: true with it, or leave it out",
    ]);
  });

  test("checks bundle.entries: names that are file names, files as for entry, not with entry", async () => {
    const sourcePath = await source({ "src/a.ts": "", "src/b.ts": "" });
    const base = { bucket: "my-bucket", sourcePath, sourceKey: "k", runtime: "nodejs22.x" };
    const bundleReasons = (bundle: unknown) =>
      reasons({ ...base, bundle }).filter((r) => r.startsWith("bundle:"));
    assert.deepEqual(bundleReasons({ entries: { a: "src/a.ts", b: "src/b.ts" } }), []);
    assert.deepEqual(bundleReasons({ entry: "src/a.ts", entries: { b: "src/b.ts" } }), [
      "bundle: bundle.entries cannot be given with bundle.entry: entry bundles one handler into " +
        "index.js, entries several, each into <name>.js; keep one of them",
    ]);
    for (const name of ["../a", "a/b", "a.js", ".hidden", "", "x".repeat(65)]) {
      assert.match(
        bundleReasons({ entries: { [name]: "src/a.ts" } })[0] ?? "",
        /is not a name for a bundle's file: use 1 to 64 letters, digits, - and _/,
        name,
      );
    }
    assert.deepEqual(bundleReasons({ entries: { api: "src/a.ts", API: "src/b.ts" } }), [
      'bundle: bundle.entries.API differs from "api" only in case; their files would collide on macOS and Windows',
    ]);
    assert.deepEqual(bundleReasons({ entries: { a: "/etc/passwd.js" } }), [
      'bundle: bundle.entries.a must be a file inside sourcePath ending in .ts, .mts, .js, .mjs, e.g. "src/handler.ts"; got "/etc/passwd.js"',
    ]);
    assert.deepEqual(bundleReasons({ entries: {} }), [
      'bundle: bundle.entries must be an object of name to handler file, e.g. { orders: "src/orders.ts" }; got {}',
    ]);
  });

  test("bundle with a runtime that is not nodejs, or with layer, fails in preview", async () => {
    const sourcePath = await source({ "src/handler.ts": "" });
    const base = { bucket: "my-bucket", sourcePath, sourceKey: "k" };
    const bundle = { entry: "src/handler.ts" };
    assert.ok(
      reasons({ ...base, runtime: "python3.12", bundle }).some((r) =>
        r.startsWith(
          "bundle: bundle is for the nodejs packagers (nodejs18.x … nodejs24.x), and the runtime is python3.12",
        ),
      ),
    );
    assert.ok(
      reasons({ ...base, runtime: "nodejs22.x", layer: true, bundle }).some((r) =>
        r.startsWith("bundle: bundle and layer do not go together"),
      ),
    );
    assert.deepEqual(reasons({ ...base, runtime: "nodejs22.x", bundle }), []);
  });

  test("a mistyped bundle.entry fails in preview, naming the entry and the source", async () => {
    const sourcePath = await source({ "src/handler.ts": "" });
    const news = { bucket: "my-bucket", sourcePath, runtime: "nodejs22.x" };
    assert.deepEqual(reasons({ ...news, bundle: { entry: "src/handlr.ts" } }), [
      `bundle: bundle.entry "src/handlr.ts" is not a file in ${sourcePath}. Give the handler's ` +
        `file relative to sourcePath, e.g. "src/handler.ts".`,
    ]);
    assert.deepEqual(reasons({ ...news, bundle: { entry: "src" } }).length, 1, "a directory");
    assert.deepEqual(
      reasons({ ...news, bundle: { entries: { a: "src/handler.ts", b: "src/b.ts" } } }),
      [
        `bundle: bundle.entries.b "src/b.ts" is not a file in ${sourcePath}. Give the handler's ` +
          `file relative to sourcePath, e.g. "src/handler.ts".`,
      ],
    );
  });

  test("a bundle with an unknown field in preview is checked when it is known", async () => {
    const sourcePath = await source({ "src/handler.ts": "" });
    const { failures } = checkInputs({
      bucket: "my-bucket",
      sourcePath,
      sourceKey: "k",
      runtime: "nodejs22.x",
      bundle: { entry: UNKNOWN, format: "esm" },
    });
    assert.deepEqual(failures, []);
  });

  test("lets unknown preview values through without failing on them", () => {
    const { failures } = checkInputs({
      bucket: UNKNOWN,
      sourcePath: UNKNOWN,
      runtime: "copy",
      sourceKey: UNKNOWN,
    });
    assert.deepEqual(failures, []);
  });
});

describe("checkInputs in preview and across checkouts", () => {
  /** Runs `fn` with the program's directory (the provider's cwd) at `dir`. */
  function inDirectory<T>(dir: string, fn: () => T): T {
    const saved = process.cwd();
    process.chdir(dir);
    try {
      return fn();
    } finally {
      process.chdir(saved);
    }
  }

  /** A repository with the Pulumi program in infra/ and a function in services/api. */
  async function monorepo(withGit: boolean) {
    const root = await source({ "infra/Pulumi.yaml": "name: x\n", "services/api/app.py": "x" });
    if (withGit) await mkdir(path.join(root, ".git"));
    return root;
  }

  test("a source beside the program in its git work tree is stored relative, e.g. ../services/api", async () => {
    const root = await monorepo(true);
    for (const given of ["../services/api", path.join(root, "services/api")]) {
      const { inputs, failures } = inDirectory(path.join(root, "infra"), () =>
        checkInputs({ bucket: "b-1", runtime: "copy", sourceKey: "k", sourcePath: given }),
      );
      assert.deepEqual(failures, []);
      assert.equal(inputs.sourcePath, path.join("..", "services", "api"));
    }
  });

  test("a path outside the program's git work tree stays absolute; without git it is relative", async () => {
    const elsewhere = await source({ "app.py": "x" });
    const withGit = await monorepo(true);
    const stored = (root: string) =>
      inDirectory(path.join(root, "infra"), () =>
        checkInputs({ bucket: "b-1", runtime: "copy", sourceKey: "k", sourcePath: elsewhere }),
      ).inputs.sourcePath;
    assert.equal(stored(withGit), elsewhere);
    const withoutGit = await monorepo(false);
    assert.equal(stored(withoutGit), path.relative(path.join(withoutGit, "infra"), elsewhere));
  });

  test("mistakes that would fail at up fail here: runtime, packager, an empty source, keys and metadata", async () => {
    const sourcePath = await source();
    const empty = await tempDir("empty");
    const notExecutable = path.join(await source({ "pack.sh": "#!/bin/sh\n" }), "pack.sh");
    const base = { bucket: "b-1", runtime: "copy", sourceKey: "k", sourcePath };
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { runtime: "pyhton3.12" },
        /^runtime: No packager for runtime "pyhton3\.12"\. Available: .*python3\.12/,
      ],
      [
        { runtime: undefined, packager: notExecutable },
        /^packager: .* is not executable\. Run: chmod \+x/,
      ],
      [{ sourcePath: empty }, /^sourcePath: .* is an empty directory/],
      [{ sourceKey: "café" }, /^sourceKey: .* has characters S3 metadata cannot carry/],
      [
        { metadata: { note: "naïve" } },
        /^metadata: metadata\.note must be a string of printable ASCII/,
      ],
      [{ keyPrefix: "/lam" }, /^keyPrefix: keyPrefix must be a key prefix .* no leading "\/"/],
    ];
    for (const [change, expected] of cases) {
      const found = reasons({ ...base, ...change });
      assert.ok(
        found.some((r) => expected.test(r)),
        `${JSON.stringify(change)}: ${found.join("; ")}`,
      );
    }
  });

  test("the inputs it returns never hold undefined, over every combination of key inputs", async () => {
    const py = await source({ "pyproject.toml": '[project]\nname = "a"\nversion = "1.2.3"\n' });
    const noVersion = await source({ "app.py": "x" });
    const options = {
      sourcePath: [py, noVersion, UNKNOWN, "/no/such/dir"],
      versionFrom: [undefined, "pyproject.toml", UNKNOWN],
      version: [undefined, "1.2.3", "v1", UNKNOWN],
      keyPrefix: [undefined, "team", UNKNOWN, "/lead"],
      key: [undefined, "k.zip", UNKNOWN],
    };
    let combinations = 0;
    for (const sourcePath of options.sourcePath)
      for (const versionFrom of options.versionFrom)
        for (const version of options.version)
          for (const keyPrefix of options.keyPrefix)
            for (const key of options.key) {
              const news = {
                bucket: "b-1",
                runtime: "copy",
                sourceKey: "k",
                sourcePath,
                versionFrom,
                version,
                keyPrefix,
                key,
              };
              const { inputs } = checkInputs(news);
              const label = JSON.stringify(news);
              for (const [name, value] of Object.entries(inputs))
                assert.notEqual(value, undefined, `${name} is undefined for ${label}`);
              // A key is known, or unknown as a whole: never built from a placeholder.
              if (typeof inputs.key === "string" && inputs.key !== UNKNOWN)
                assert.ok(!inputs.key.includes(UNKNOWN), `key ${inputs.key} for ${label}`);
              combinations++;
            }
    assert.equal(combinations, 576);
  });

  test("versionFrom with a source not known yet leaves version and key unknown, reading nothing", () => {
    const { inputs, failures } = checkInputs({
      bucket: "b-1",
      runtime: "copy",
      sourceKey: "k",
      sourcePath: UNKNOWN,
      versionFrom: "pyproject.toml",
    });
    assert.deepEqual(failures, []);
    assert.ok(!("version" in inputs) && !("key" in inputs), JSON.stringify(inputs));
  });
});
