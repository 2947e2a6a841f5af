import assert from "node:assert/strict";
import { realpathSync, statSync } from "node:fs";
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { excludeMatcher } from "../../../engine/stage/exclude";
import { collectFiles } from "../../../engine/stage/walk";
import { tempDir } from "../../support/tmp";

async function tree(files: Record<string, string>): Promise<string> {
  const root = await tempDir("walk");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
  return root;
}

const names = (files: { name: string }[]) => files.map((f) => f.name).sort();

describe("collectFiles", () => {
  test("lets the event loop run while it lists a tree of thousands of files", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) files[`d${i % 20}/f${i}.js`] = "x";
    const root = await tree(files);
    // Its system calls are synchronous: a timer firing meanwhile shows it yields between slices.
    let turns = 0;
    const counting = () => {
      turns++;
      timer = setImmediate(counting);
    };
    let timer = setImmediate(counting);
    const listed = await collectFiles(root, { exclude: excludeMatcher(), allowedRoots: [] });
    clearImmediate(timer);
    assert.equal(listed.length, 2000);
    assert.ok(turns >= 4, `the event loop turned ${turns} times during a 2,020-entry walk`);
  });

  test("lists files with forward-slash paths relative to the root", async () => {
    const root = await tree({ "a.py": "a", "pkg/b.py": "b", "pkg/sub/c.txt": "c" });
    const files = await collectFiles(root, { exclude: excludeMatcher(), allowedRoots: [] });
    assert.deepEqual(names(files), ["a.py", "pkg/b.py", "pkg/sub/c.txt"]);
    assert.equal(files.find((f) => f.name === "pkg/b.py")?.size, 1);
  });

  test("gives each file the size and mtime of one stat of its real path, for the zip's first snapshot", async () => {
    const root = await tree({ "a.py": "abc" });
    await symlink("a.py", path.join(root, "link.py"));
    const listed = await collectFiles(root, { exclude: excludeMatcher(), allowedRoots: [] });
    const real = statSync(path.join(root, "a.py"));
    for (const file of listed) {
      assert.equal(file.sourceFile, realpathSync(path.join(root, "a.py")));
      assert.deepEqual([file.size, file.mtimeMs], [real.size, real.mtimeMs]);
    }
    assert.deepEqual(names(listed), ["a.py", "link.py"]);
  });

  test("leaves out the default excludes and gitignore-style user patterns", async () => {
    const root = await tree({
      "app.js": "x",
      ".git/HEAD": "ref",
      ".DS_Store": "x",
      "node_modules/.cache/x": "x",
      "node_modules/dep/index.js": "x",
      "tests/test_a.py": "x",
      "docs/readme.md": "x",
      "docs/keep.md": "x",
    });
    const files = await collectFiles(root, {
      exclude: excludeMatcher(["tests/", "docs/*", "!docs/keep.md"]),
      allowedRoots: [],
    });
    assert.deepEqual(names(files), ["app.js", "docs/keep.md", "node_modules/dep/index.js"]);
  });

  test("keeps the executable bit and nothing else of the mode", async () => {
    const root = await tree({ "run.sh": "#!/bin/sh", "data.txt": "x" });
    await chmod(path.join(root, "run.sh"), 0o750);
    await chmod(path.join(root, "data.txt"), 0o600);
    const files = await collectFiles(root, { exclude: excludeMatcher(), allowedRoots: [] });
    assert.deepEqual(
      files.map((f) => [f.name, f.executable]),
      [
        ["data.txt", false],
        ["run.sh", true],
      ],
    );
  });

  test("follows a symlink that stays inside the root", async () => {
    const root = await tree({ "lib/real.py": "code" });
    await symlink("lib", path.join(root, "alias"));
    await symlink("lib/real.py", path.join(root, "link.py"));
    const files = await collectFiles(root, { exclude: excludeMatcher(), allowedRoots: [] });
    assert.deepEqual(names(files), ["alias/real.py", "lib/real.py", "link.py"]);
  });

  test("follows a symlink into an allowed second root such as the source directory", async () => {
    const root = await tree({ "a.txt": "a" });
    const source = await tree({ "shared.txt": "s" });
    await symlink(path.join(source, "shared.txt"), path.join(root, "shared.txt"));
    const files = await collectFiles(root, { exclude: excludeMatcher(), allowedRoots: [source] });
    assert.deepEqual(names(files), ["a.txt", "shared.txt"]);
  });

  test("rejects a symlink that escapes the root, naming the link and its target", async () => {
    const root = await tree({ "a.txt": "a" });
    const outside = await tree({ "secret.txt": "s" });
    await symlink(path.join(outside, "secret.txt"), path.join(root, "leak.txt"));
    await assert.rejects(
      collectFiles(root, { exclude: excludeMatcher(), allowedRoots: [] }),
      (error: LambdaPackageError) => {
        assert.equal(error.code, "SYMLINK_ESCAPES");
        assert.match(error.message, /leak\.txt/);
        assert.match(error.message, /secret\.txt/);
        return true;
      },
    );
  });

  test("does not resolve an escaping symlink the user excluded", async () => {
    const root = await tree({ "a.txt": "a" });
    await symlink("/etc", path.join(root, "etc"));
    const files = await collectFiles(root, { exclude: excludeMatcher(["etc"]), allowedRoots: [] });
    assert.deepEqual(names(files), ["a.txt"]);
  });

  test("rejects a broken symlink and a symlink loop with the link's name", async () => {
    const broken = await tree({ "a.txt": "a" });
    await symlink("missing.txt", path.join(broken, "dangling"));
    await assert.rejects(
      collectFiles(broken, { exclude: excludeMatcher(), allowedRoots: [] }),
      /SYMLINK_BROKEN|dangling/,
    );
    const loop = await tree({ "d/a.txt": "a" });
    await symlink("..", path.join(loop, "d", "up"));
    await assert.rejects(
      collectFiles(loop, { exclude: excludeMatcher(), allowedRoots: [] }),
      (e: LambdaPackageError) => {
        assert.equal(e.code, "SYMLINK_LOOP");
        assert.match(e.message, /d\/up/);
        return true;
      },
    );
  });
});

describe("collectFiles messages", () => {
  test("a link to itself is called a loop, not a missing path", async () => {
    const root = await tree({ "a.txt": "a" });
    await symlink("self", path.join(root, "self"));
    await assert.rejects(
      collectFiles(root, { exclude: excludeMatcher(), allowedRoots: [] }),
      (e: LambdaPackageError) => {
        assert.equal(e.code, "SYMLINK_LOOP");
        assert.match(e.message, /"self".* leads back to itself through links/);
        return true;
      },
    );
  });

  test("an escaping link staged from the source is named by its path in the user's source, not the staging dir", async () => {
    const staging = await tree({ "a.txt": "a" });
    const source = await tree({ "a.txt": "a" });
    await symlink("/etc/hostname", path.join(staging, "host"));
    await symlink("/etc/hostname", path.join(source, "host"));
    await assert.rejects(
      collectFiles(staging, {
        exclude: excludeMatcher(),
        allowedRoots: [source],
        sourcePath: source,
      }),
      (e: LambdaPackageError) => {
        assert.equal(e.code, "SYMLINK_ESCAPES");
        assert.ok(e.message.includes(`(${path.join(source, "host")})`), e.message);
        assert.ok(e.message.includes(`outside the source directory ${source}`), e.message);
        assert.ok(!e.message.includes(staging), e.message);
        return true;
      },
    );
  });
});
