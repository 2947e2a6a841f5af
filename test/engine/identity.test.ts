import assert from "node:assert/strict";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { buildIdentity, identityParts } from "../../engine/identity";
import type { PackageOptions } from "../../engine/options";
import { tempDir } from "../support/tmp";

describe("buildIdentity", () => {
  let dir: string;
  let base: PackageOptions;

  before(async () => {
    dir = await tempDir("identity");
    await mkdir(path.join(dir, "src"));
    await writeFile(path.join(dir, "src", "handler.py"), "def handler(e, c):\n    return 1\n");
    base = { sourcePath: "src", runtime: "python3.12" };
  });

  test("the same options give the same identity, whatever the environment of the process", () => {
    const first = buildIdentity(base);
    const saved = process.env.PIP_INDEX_URL;
    process.env.PIP_INDEX_URL = "https://example.invalid/simple";
    try {
      assert.equal(buildIdentity({ ...base }), first);
    } finally {
      if (saved === undefined) delete process.env.PIP_INDEX_URL;
      else process.env.PIP_INDEX_URL = saved;
    }
  });

  test("a default given explicitly is the same identity as the default left out", () => {
    assert.equal(
      buildIdentity({ ...base, compressionLevel: 9, architecture: "x86_64" }),
      buildIdentity(base),
    );
  });

  test("every option that shapes the package changes it", () => {
    const changes: Partial<PackageOptions>[] = [
      { runtime: "python3.13" },
      { exclude: ["tests/"] },
      { architecture: "arm64" },
      { layer: true },
      { pythonMode: "package" },
      { compressionLevel: 6 },
      { packagerEnv: { PIP_INDEX_URL: "https://pypi.example/simple" } },
      { pythonGroups: ["monitoring"] },
    ];
    const seen = new Set([buildIdentity(base)]);
    for (const change of changes) {
      const identity = buildIdentity({ ...base, ...change });
      assert.ok(!seen.has(identity), `${JSON.stringify(change)} left the identity unchanged`);
      seen.add(identity);
    }
    const node = { sourcePath: "src", runtime: "nodejs22.x" };
    assert.notEqual(
      buildIdentity({ ...node, bundle: { entry: "src/handler.ts" } }),
      buildIdentity({ ...node, bundle: { entry: "src/handler.ts", minify: true } }),
    );
  });

  test("what decides only how a build runs leaves it alone", () => {
    assert.equal(
      buildIdentity({ ...base, packagerTimeout: 60, nativeCheck: "warn" }),
      buildIdentity(base),
    );
  });

  test("a built-in packager is its script, its lib/, the engine code it runs and the versions", () => {
    const names = identityParts(base).map(([name]) => name);
    assert.ok(names.includes("builtin/python3.12"), names.join(" "));
    assert.ok(names.includes("builtin/lib/common.sh"));
    assert.ok(names.includes("engine/python/main.js"));
    assert.ok(names.includes("engine/nodejs/main.js"));
    assert.ok(names.includes("engine/bundle/index.js"));
    assert.ok(names.includes("lambda-package"));
    assert.ok(names.includes("esbuild"));
    // Names, not paths: the same identity from any checkout or install location.
    assert.ok(names.every((name) => !path.isAbsolute(name)));
  });

  test("a user's packager is its content: an edit changes the identity, a move does not", async () => {
    const script = path.join(dir, "package.sh");
    const moved = path.join(dir, "moved", "package.sh");
    await mkdir(path.dirname(moved));
    for (const file of [script, moved]) {
      await writeFile(file, '#!/usr/bin/env bash\ncp -R "$SOURCE_PATH/." "$BUILD_DIR/"\n');
      await chmod(file, 0o755);
    }
    const options = { sourcePath: "src", packager: script };
    const first = buildIdentity(options);
    assert.deepEqual(
      identityParts({ ...options, packager: moved }).slice(1),
      identityParts(options).slice(1),
    );
    await writeFile(script, '#!/usr/bin/env bash\ncp -R "$SOURCE_PATH/." "$BUILD_DIR/"\n# v2\n');
    assert.notEqual(buildIdentity(options), first);
  });

  test("with packagersDir, every file in it counts, since a script may source any of them", async () => {
    const packagers = path.join(dir, "packagers");
    await mkdir(packagers);
    await writeFile(path.join(packagers, "custom"), "#!/usr/bin/env bash\nsource helpers.sh\n");
    await chmod(path.join(packagers, "custom"), 0o755);
    await writeFile(path.join(packagers, "helpers.sh"), 'cp() { command cp "$@"; }\n');
    const options = { sourcePath: "src", runtime: "custom", packagersDir: packagers };
    const first = buildIdentity(options);
    await writeFile(path.join(packagers, "helpers.sh"), 'cp() { command cp -p "$@"; }\n');
    assert.notEqual(buildIdentity(options), first);
  });
});
