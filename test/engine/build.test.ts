/**
 * build() as a whole: bad input gives a clear error and leaves nothing behind;
 * good input gives the same bytes wherever and whenever it is built.
 */
import assert from "node:assert/strict";
import { chmod, cp, mkdir, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { build } from "../../engine/build";
import { LambdaPackageError } from "../../shared/errors";
import { run } from "../support/run";
import { tempDir } from "../support/tmp";

/** A packager script written for one test. */
async function script(dir: string, body: string): Promise<string> {
  const file = path.join(dir, "packager.sh");
  await writeFile(file, `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

async function source(
  files: Record<string, string> = { "handler.py": "x = 1\n" },
): Promise<string> {
  const dir = await tempDir("build-src");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

function rejectsWith(code: string, ...patterns: RegExp[]) {
  return (error: LambdaPackageError) => {
    assert.equal(error.code, code, error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  };
}

describe("build() with bad input", () => {
  let tmp: string;
  const saved = process.env.TMPDIR;
  // Every build's scratch space goes here, so a leftover is easy to see.
  beforeEach(async () => {
    tmp = await tempDir("build-tmp");
    process.env.TMPDIR = tmp;
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    const leftovers = (await readdir(tmp)).filter((name) => !name.startsWith("lp-"));
    assert.deepEqual(leftovers, [], "build left temporary files behind");
  });

  test("a missing source directory names the path", async () => {
    await assert.rejects(
      build({ sourcePath: "/no/such/src", runtime: "copy" }),
      rejectsWith("SOURCE_MISSING", /\/no\/such\/src/),
    );
  });

  test("an empty source directory says there is nothing to package", async () => {
    const empty = await tempDir("empty");
    await assert.rejects(
      build({ sourcePath: empty, runtime: "copy" }),
      rejectsWith("SOURCE_EMPTY", /empty directory/),
    );
  });

  test("an unknown runtime lists the available packagers", async () => {
    await assert.rejects(
      build({ sourcePath: await source(), runtime: "python2.7" }),
      rejectsWith("UNKNOWN_RUNTIME", /python2\.7/, /python3\.12/, /nodejs22\.x/, /generic/),
    );
  });

  test("a packager that does not exist or is not executable says how to fix it", async () => {
    const dir = await tempDir("pk");
    await assert.rejects(
      build({ sourcePath: await source(), packager: path.join(dir, "nope.sh") }),
      rejectsWith("PACKAGER_NOT_FOUND", /nope\.sh/),
    );
    const file = await script(dir, "true");
    await chmod(file, 0o644);
    await assert.rejects(
      build({ sourcePath: await source(), packager: file }),
      rejectsWith("PACKAGER_NOT_EXECUTABLE", /chmod \+x/),
    );
  });

  test("a failing packager reports script, cwd, exit code and the end of its output", async () => {
    const src = await source();
    const file = await script(
      await tempDir("pk"),
      'for i in $(seq 1 60); do echo "line $i" >&2; done; exit 7',
    );
    await assert.rejects(
      build({ sourcePath: src, packager: file }),
      rejectsWith(
        "PACKAGER_FAILED",
        /packager\.sh/,
        new RegExp(src),
        /exit code 7|exited with 7|code 7/,
        /line 60/,
      ),
    );
  });

  test("a packager that produces nothing is an error", async () => {
    const file = await script(await tempDir("pk"), "true");
    await assert.rejects(
      build({ sourcePath: await source(), packager: file }),
      rejectsWith("PACKAGE_EMPTY", /BUILD_DIR/),
    );
  });

  test("a staged symlink that escapes the source is an error naming link and target", async () => {
    const file = await script(
      await tempDir("pk"),
      'cp -R . "$BUILD_DIR"; ln -s /etc/hostname "$BUILD_DIR/host"',
    );
    await assert.rejects(
      build({ sourcePath: await source(), packager: file }),
      rejectsWith("SYMLINK_ESCAPES", /"host"/, /\/etc\/hostname/),
    );
  });

  test("a package over 250 MB unzipped is refused with its largest files", async () => {
    // Sparse files: the limit is checked from sizes before anything is read.
    const file = await script(
      await tempDir("pk"),
      'truncate -s 200M "$BUILD_DIR/a.bin"; truncate -s 60M "$BUILD_DIR/b.bin"; echo x > "$BUILD_DIR/c.py"',
    );
    await assert.rejects(
      build({ sourcePath: await source(), packager: file }),
      rejectsWith("PACKAGE_TOO_LARGE", /a\.bin/, /b\.bin/, /250/),
    );
  });

  test("a PACKAGE_ZIP left corrupt by a script is a clear error", async () => {
    const file = await script(await tempDir("pk"), 'echo "not a zip" > "$PACKAGE_ZIP"');
    await assert.rejects(
      build({ sourcePath: await source(), packager: file }),
      rejectsWith("PACKAGE_ZIP_CORRUPT", /\$PACKAGE_ZIP/),
    );
  });

  test("a failed build leaves an existing zip at outFile untouched", async () => {
    const out = path.join(await tempDir("out"), "package.zip");
    await writeFile(out, "previous good zip");
    const file = await script(await tempDir("pk"), "exit 1");
    await assert.rejects(build({ sourcePath: await source(), packager: file, outFile: out }));
    assert.equal(await readFile(out, "utf8"), "previous good zip");
  });

  test("a compression level outside 0-9 is refused before any work", async () => {
    await assert.rejects(
      build({ sourcePath: await source(), runtime: "copy", compressionLevel: 10 }),
      rejectsWith("BAD_COMPRESSION_LEVEL", /0 \(store\) to 9/),
    );
  });
});

describe("build() output", () => {
  const tree = {
    "app/handler.py": "def handler(e, c):\n    return 'ok'\n",
    "app/data.json": JSON.stringify({ words: Array(500).fill("lambda") }),
    "bin/run.sh": "#!/bin/sh\necho hi\n",
    "docs/notes.md": "left out",
  };

  test("is byte-identical from two checkouts with different paths, mtimes and umask", async () => {
    const first = await source(tree);
    await chmod(path.join(first, "bin/run.sh"), 0o755);
    const second = path.join(await tempDir("elsewhere"), "deeper", "checkout");
    await cp(first, second, { recursive: true });
    // The second checkout: files as umask 077 leaves them, and other times.
    for (const name of Object.keys(tree)) {
      const file = path.join(second, name);
      await chmod(file, name.endsWith(".sh") ? 0o700 : 0o600);
      await utimes(file, new Date("2031-05-06"), new Date("2031-05-06"));
    }
    const a = await build({ sourcePath: first, runtime: "copy", exclude: ["docs/"] });
    const b = await build({ sourcePath: second, runtime: "copy", exclude: ["docs/"] });
    assert.equal(a.sha256, b.sha256);
    assert.deepEqual(await readFile(a.path), await readFile(b.path));
    const listing = await run("zipinfo", [a.path]);
    assert.match(listing, /-rwxr-xr-x.* bin\/run\.sh/);
    assert.match(listing, /-rw-r--r--.* app\/handler\.py/);
    assert.doesNotMatch(listing, /docs\/notes\.md/);
    assert.match(await run("unzip", ["-t", a.path]), /No errors detected/);
  });

  test("SOURCE_DATE_EPOCH sets the entries' time and nothing else", async () => {
    const src = await source(tree);
    const plain = await build({ sourcePath: src, runtime: "copy" });
    const dated = await build({
      sourcePath: src,
      runtime: "copy",
      sourceDateEpoch: Date.UTC(2024, 0, 2, 3, 4, 6) / 1000,
    });
    assert.notEqual(plain.sha256, dated.sha256);
    assert.equal(plain.size, dated.size);
    assert.match(await run("zipinfo", ["-T", dated.path]), /20240102\.030406/);
    assert.match(await run("zipinfo", ["-T", plain.path]), /19800101\.000000/);
  });

  test("merges what a script staged in BUILD_DIR with what it zipped into PACKAGE_ZIP", async () => {
    const src = await source(tree);
    const file = await script(
      await tempDir("pk"),
      'cp -R app "$BUILD_DIR/"; cd bin && zip -q "$PACKAGE_ZIP" run.sh',
    );
    const result = await build({ sourcePath: src, packager: file });
    const names = (await run("unzip", ["-Z1", result.path])).trim().split("\n");
    assert.deepEqual(names, ["app/data.json", "app/handler.py", "run.sh"]);
    assert.equal(result.fileCount, 3);
  });
});

describe("build() with many at once", () => {
  test("runs one build per core at a time; the rest wait for a slot, saying so", async () => {
    const cores = os.availableParallelism();
    const dir = await tempDir("slots");
    const marks = path.join(dir, "marks");
    await mkdir(marks);
    // Each packager marks its start and end, with a pause between.
    const packager = await script(
      dir,
      'echo "$(date +%s%N) start" >>"$MARKS/$$"\nsleep 0.3\necho x >"$BUILD_DIR/x"\necho "$(date +%s%N) end" >>"$MARKS/$$"',
    );
    const lines: string[] = [];
    await Promise.all(
      Array.from({ length: cores + 2 }, async () =>
        build({
          sourcePath: await source(),
          packager,
          packagerEnv: { MARKS: marks },
          log: (line) => lines.push(line),
        }),
      ),
    );
    const events = (
      await Promise.all(
        (await readdir(marks)).map(async (name) =>
          (await readFile(path.join(marks, name), "utf8")).trim().split("\n"),
        ),
      )
    )
      .flat()
      .map((line) => line.split(" "))
      .sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1));
    let running = 0;
    let most = 0;
    for (const [, what] of events) {
      running += what === "start" ? 1 : -1;
      most = Math.max(most, running);
    }
    assert.equal(events.length, 2 * (cores + 2));
    assert.equal(most, cores);
    assert.equal(lines.filter((line) => /waiting for a build slot/.test(line)).length, 2);
  });
});
