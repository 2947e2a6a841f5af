/** `lambda-package diff`, run as a user runs it, on local zips and on object versions in S3. */
import assert from "node:assert/strict";
import { constants } from "node:fs";
import { open, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { writeZip } from "../../engine/zip";
import { entriesOf, makeTree } from "../engine/zip/zip-tools";
import { cli } from "../support/cli";
import { minioFixture } from "../support/minio";
import { run } from "../support/run";
import { tempDir } from "../support/tmp";

const minio = minioFixture();

/** Zips `files` with our zipper into a fresh directory; returns the zip's path. */
async function zipOf(files: Record<string, string>): Promise<string> {
  const root = await tempDir("cli-diff-src");
  await makeTree(root, files);
  const zip = path.join(await tempDir("cli-diff"), "fn.zip");
  await writeZip(await entriesOf(root), zip, { level: 9, mtime: 0 });
  return zip;
}

const BEFORE = {
  "index.js": "exports.handler = async () => 1;\n",
  "lib/old.js": "module.exports = 'old';\n",
  "run.sh": "#!/bin/sh\n",
  "same.js": "same\n",
};
const AFTER = {
  "index.js": "exports.handler = async () => 2; // and longer\n",
  "lib/new.js": "module.exports = 'new';\n",
  "run.sh": "#!/bin/sh\n",
  "same.js": "same\n",
};

interface JsonDiff {
  same: boolean;
  added: { name: string; size: number; crc32: string; mode: string | null }[];
  removed: { name: string }[];
  changed: { name: string; reasons: string[]; before: { size: number }; after: { size: number } }[];
  unchanged: number;
}

describe("lambda-package diff", () => {
  test("prints added, removed and changed files with sizes, and exits 1", async () => {
    const result = await cli(["diff", await zipOf(BEFORE), await zipOf(AFTER)]);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(result.stdout.split("\n"), [
      "added    24 B                lib/new.js",
      "removed  24 B                lib/old.js",
      `changed  ${BEFORE["index.js"].length} B → ${AFTER["index.js"].length} B         index.js (crc32, size)`,
      "1 added, 1 removed, 1 changed, 2 unchanged",
      "size by group (unzipped):",
      "        +14 B  own files (4 files; largest index.js, 47 B)  72 B → 86 B",
      "",
    ]);
  });

  test("a file made executable is changed by mode", async () => {
    const before = await zipOf({ "run.sh": "#!/bin/sh\n" });
    const root = await tempDir("cli-diff-src");
    await makeTree(
      root,
      { "run.sh": "#!/bin/sh\n" },
      { fileMode: 0o755, execMode: 0o644, mtime: 0 },
    );
    const after = path.join(await tempDir("cli-diff"), "fn.zip");
    await writeZip(await entriesOf(root), after, { level: 9, mtime: 0 });
    const result = await cli(["diff", before, after]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^changed +100755 → 100644 +run\.sh \(mode\)$/m);
  });

  test("--json prints the same as JSON", async () => {
    const result = await cli(["diff", await zipOf(BEFORE), await zipOf(AFTER), "--json"]);
    assert.equal(result.code, 1);
    const diff = JSON.parse(result.stdout) as JsonDiff;
    assert.equal(diff.same, false);
    assert.deepEqual(diff.added, [
      { name: "lib/new.js", size: 24, crc32: diff.added[0].crc32, mode: "100644" },
    ]);
    assert.match(diff.added[0].crc32, /^[0-9a-f]{8}$/);
    assert.deepEqual(
      diff.removed.map((e) => e.name),
      ["lib/old.js"],
    );
    assert.deepEqual(
      diff.changed.map((c) => [c.name, c.reasons, c.before.size, c.after.size]),
      [["index.js", ["crc32", "size"], BEFORE["index.js"].length, AFTER["index.js"].length]],
    );
    assert.equal(diff.unchanged, 2);
  });

  test("exits 0 when the zips hold the same files, even from different zippers", async () => {
    // Info-ZIP adds a "lib/" directory entry and other timestamps; neither is a file change.
    const root = await tempDir("cli-diff-src");
    await makeTree(root, BEFORE);
    const infozip = path.join(await tempDir("cli-diff"), "infozip.zip");
    await run("zip", ["-q", "-r", infozip, "."], { cwd: root });
    const result = await cli(["diff", infozip, await zipOf(BEFORE)]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "0 added, 0 removed, 0 changed, 4 unchanged\n");
  });

  test("a side that is not a zip exits 2, naming it", async () => {
    const text = path.join(await tempDir("cli-diff"), "notes.txt");
    await writeFile(text, "not a zip\n");
    const result = await cli(["diff", await zipOf(BEFORE), text]);
    assert.equal(result.code, 2);
    assert.ok(result.stderr.includes(`${text} is not a zip`), result.stderr);
    const missing = await cli(["diff", "/no/such.zip", text]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\/no\/such\.zip/);
  });

  test("compares object versions in S3 with a local zip, by s3:// URI and versionId", async () => {
    const bucket = await minio.bucket();
    const put = async (zip: string) => {
      const body = await readFile(zip);
      const output = await minio.admin.send(
        new PutObjectCommand({ Bucket: bucket, Key: "fn/code.zip", Body: body }),
      );
      return output.VersionId!;
    };
    const before = await zipOf(BEFORE);
    const after = await zipOf(AFTER);
    const v1 = await put(before);
    await put(after);
    const env = {
      AWS_ENDPOINT_URL_S3: minio.server.endpoint,
      AWS_REGION: minio.server.region,
    };
    const old = `s3://${bucket}/fn/code.zip?versionId=${v1}`;
    const versions = await cli(["diff", old, `s3://${bucket}/fn/code.zip`], env);
    assert.equal(versions.code, 1, versions.stderr);
    assert.match(versions.stdout, /^1 added, 1 removed, 1 changed, 2 unchanged$/m);
    const local = await cli(["diff", old, before], env);
    assert.equal(local.code, 0, local.stderr);
    const gone = await cli(["diff", `s3://${bucket}/fn/other.zip`, before], env);
    assert.equal(gone.code, 2);
    assert.ok(gone.stderr.includes(`s3://${bucket}/fn/other.zip does not exist`), gone.stderr);
  });
});

/** An end-of-central-directory record: `count` entries, a directory of `length` bytes at `offset`. */
function endRecord(count: number, length: number, offset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(length, 12);
  end.writeUInt32LE(offset, 16);
  return end;
}

describe("lambda-package diff on hostile input", () => {
  test("a zip whose end record claims a 4 GiB central directory is refused, not allocated", async () => {
    // 5 GiB long but sparse: only the end record's 22 bytes are written.
    const zip = path.join(await tempDir("cli-diff-huge"), "huge.zip");
    const size = 5 * 1024 ** 3;
    const handle = await open(zip, "w");
    try {
      await handle.truncate(size);
      await handle.write(endRecord(0xffff, 0xffff_fff0, 0), 0, 22, size - 22);
    } finally {
      await handle.close();
    }
    const result = await cli(["diff", zip, await zipOf(BEFORE)]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /claims a central directory of 4\.0 GiB \(4294967280 bytes\)/);
    assert.ok(result.stderr.includes(zip), result.stderr);
    assert.equal(result.stdout, "");
  });

  test("a zip whose end record claims more central directory than the file holds is refused", async () => {
    const zip = path.join(await tempDir("cli-diff-claim"), "small.zip");
    await writeFile(zip, Buffer.concat([Buffer.alloc(100), endRecord(3, 1000, 0)]));
    const result = await cli(["diff", zip, await zipOf(BEFORE)]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /claims a central directory of 1000 bytes.*\(122 bytes\)/);
    assert.ok(result.stderr.includes(zip), result.stderr);
  });

  test("a FIFO given to diff is refused at once, naming it", async () => {
    const fifo = path.join(await tempDir("cli-diff-fifo"), "pipe.zip");
    await run("mkfifo", [fifo]);
    const zip = await zipOf(BEFORE);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), 10_000);
    });
    const outcome = await Promise.race([cli(["diff", fifo, zip]), late]);
    clearTimeout(timer);
    if (outcome === "late") {
      // Opening the other end lets a reader blocked in open() go, so the test ends.
      const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(
        () => undefined,
      );
      await writer?.close();
      assert.fail("diff on a FIFO did not return within 10 s");
    }
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.ok(outcome.stderr.includes(`${fifo}: it is a FIFO (named pipe)`), outcome.stderr);
  });

  test("names with control characters print escaped in text and as they are in --json", async () => {
    const root = await tempDir("cli-diff-names");
    const file = path.join(root, "f.js");
    await writeFile(file, "x\n");
    const names = ["evil\n+ added fake.js", "\x1b[2J.js", "rtl\u202egpj.js", "del\x7f\u0085.js"];
    const after = path.join(await tempDir("cli-diff"), "after.zip");
    await writeZip(
      names.map((name) => ({ name, sourceFile: file, size: 2, executable: false })),
      after,
      { level: 9, mtime: 0 },
    );
    const before = await zipOf({ "index.js": "1\n" });
    const text = await cli(["diff", before, after]);
    assert.equal(text.code, 1, text.stderr);
    const lines = text.stdout.split("\n");
    assert.deepEqual(lines, [
      "added    2 B                 \\x1b[2J.js",
      "added    2 B                 del\\x7f\\x85.js",
      "added    2 B                 evil\\n+ added fake.js",
      "added    2 B                 rtl\\u202egpj.js",
      "removed  2 B                 index.js",
      "4 added, 1 removed, 0 changed, 0 unchanged",
      "size by group (unzipped):",
      // The group names the largest file, escaped like every name.
      "         +6 B  own files (4 files; largest \\x1b[2J.js, 2 B)  2 B → 8 B",
      "",
    ]);
    const json = await cli(["diff", before, after, "--json"]);
    const parsed = JSON.parse(json.stdout) as JsonDiff;
    assert.deepEqual(parsed.added.map((e) => e.name).sort(), [...names].sort());
  });
});
