import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { writeZip, type ZipEntry } from "../../../engine/zip";
import { CHUNK } from "../../../engine/zip/plan";
import { python, run } from "../../support/run";
import { tempDir } from "../../support/tmp";
import { entriesOf, makeTree, pythonRead, unzipTest, zipinfo } from "./zip-tools";

const MTIME = 1_700_000_000;

/** 20 MB alternating text-like and random blocks, so chunks both shrink and do not. */
function mixedData(size: number): Buffer {
  const words = "lambda package deflate chunk window reproducible zip archive ".split(" ");
  const parts: Buffer[] = [];
  let total = 0;
  for (let block = 0; total < size; block++) {
    let part: Buffer;
    if (block % 3 === 2) part = randomBytes(48 * 1024);
    else {
      const text = Array.from({ length: 9000 }, (_, i) => words[(i * 7 + block) % words.length]);
      part = Buffer.from(text.join(" "));
    }
    parts.push(part);
    total += part.length;
  }
  return Buffer.concat(parts).subarray(0, size);
}

describe("compressing big files in chunks", () => {
  let dir: string;
  let entries: ZipEntry[];
  let big: Buffer;

  before(async () => {
    dir = await tempDir("zip-big");
    big = mixedData(20 * 1024 * 1024 + 12345);
    const files: Record<string, string | Buffer> = {
      "big.bin": big,
      "tail.bin": big.subarray(0, 3 * CHUNK),
    };
    for (let i = 0; i < 150; i++) files[`pkg/m${i}.js`] = `module.exports = ${i};\n`.repeat(i + 1);
    await makeTree(path.join(dir, "src"), files);
    entries = await entriesOf(path.join(dir, "src"));
  });

  test("round-trips a file spanning many chunks through unzip and Python", async () => {
    const out = path.join(dir, "out.zip");
    await writeZip(entries, out, { level: 9, mtime: MTIME });
    await unzipTest(out);
    assert.equal((await pythonRead(out)).bad, null);
    assert.equal((await zipinfo(out)).get("big.bin")?.method, "defN");
    const extracted = path.join(dir, "x");
    await run("unzip", ["-q", out, "-d", extracted]);
    assert.ok(big.equals(await readFile(path.join(extracted, "big.bin"))));
    const script =
      "import hashlib, sys, zipfile\n" +
      "print(hashlib.sha256(zipfile.ZipFile(sys.argv[1]).read('big.bin')).hexdigest())";
    assert.equal(
      (await python(script, out)).trim(),
      createHash("sha256").update(big).digest("hex"),
    );
  });

  test("gives identical bytes with one worker thread and with two", async () => {
    const one = await writeZip(entries, path.join(dir, "one.zip"), {
      level: 9,
      mtime: MTIME,
      concurrency: 1,
    });
    const two = await writeZip(entries, path.join(dir, "two.zip"), {
      level: 9,
      mtime: MTIME,
      concurrency: 2,
    });
    assert.equal(one.sha256, two.sha256);
  });

  test("stores a big file at level 0 with the right CRC", async () => {
    const out = path.join(dir, "stored.zip");
    const result = await writeZip(entries, out, { mtime: MTIME, level: 0 });
    await unzipTest(out);
    assert.equal((await zipinfo(out)).get("big.bin")?.method, "stor");
    assert.ok(result.size > big.length);
  });

  test("fails naming the file when a big file's size changed since it was listed", async () => {
    const file = path.join(dir, "grows.bin");
    await writeFile(file, big.subarray(0, 2 * 1024 * 1024));
    const stale: ZipEntry = {
      name: "grows.bin",
      sourceFile: file,
      size: 3 * 1024 * 1024,
      executable: false,
    };
    await assert.rejects(
      writeZip([...entries, stale], path.join(dir, "changed.zip"), { level: 9, mtime: MTIME }),
      (e: unknown) =>
        e instanceof LambdaPackageError &&
        e.code === "ZIP_FILE_CHANGED" &&
        e.message.includes(file),
    );
  });
});
