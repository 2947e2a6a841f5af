import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { access, readdir } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { writeZip } from "../../../engine/zip";
import { sharedPool } from "../../../engine/zip/pool";
import { statHere } from "../../../engine/zip/unchanged";
import { tempDir } from "../../support/tmp";
import { entriesOf, makeTree } from "./zip-tools";

/** Threads of this process: worker threads show up here until they are really gone. */
async function threadCount(): Promise<number> {
  return (await readdir("/proc/self/task")).length;
}

describe("worker pool", () => {
  test("leaves no worker thread running after a zip fails mid-way", async () => {
    const dir = await tempDir("zip-pool");
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++)
      files[`f${String(i).padStart(2, "0")}.bin`] = randomBytes(200 * 1024);
    await makeTree(path.join(dir, "src"), files);
    const entries = await entriesOf(path.join(dir, "src"));
    // A first run starts whatever threads Node keeps (libuv's pool) and ends its own.
    await writeZip(entries, path.join(dir, "ok.zip"), { level: 9, mtime: 0, concurrency: 2 });
    const before = await threadCount();

    const missing = {
      name: "f20-gone.bin",
      sourceFile: path.join(dir, "gone"),
      size: 5,
      executable: false,
    };
    const out = path.join(dir, "bad.zip");
    await assert.rejects(
      writeZip([...entries, missing], out, { level: 9, mtime: 0, concurrency: 2 }),
      (e: unknown) => e instanceof LambdaPackageError && e.code === "ZIP_READ_FAILED",
    );
    assert.equal(await threadCount(), before);
    await assert.rejects(access(out));
  });
});

describe("shared worker pool", () => {
  test("zips written at once share one set of worker threads", async () => {
    const dir = await tempDir("zip-shared");
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 20; i++) files[`f${i}.bin`] = randomBytes(300 * 1024);
    await makeTree(path.join(dir, "src"), files);
    const entries = await entriesOf(path.join(dir, "src"));
    await writeZip(entries, path.join(dir, "first.zip"), { level: 9, mtime: 0, concurrency: 2 });
    const before = await threadCount();
    await Promise.all(
      [1, 2, 3, 4].map((i) =>
        writeZip(entries, path.join(dir, `at-once-${i}.zip`), {
          level: 9,
          mtime: 0,
          concurrency: 2,
        }),
      ),
    );
    assert.equal(await threadCount(), before, "no thread was added for the zips written at once");
  });
});

describe("stat on the worker threads", () => {
  test("gives each file's size and mtime as the calling thread does, NaN for a missing one", async () => {
    const dir = await tempDir("zip-stat");
    const files: Record<string, string> = {};
    for (let i = 0; i < 25; i++) files[`f${i}.txt`] = "x".repeat(i * 37);
    await makeTree(dir, files);
    const paths = [...Object.keys(files).map((f) => path.join(dir, f)), path.join(dir, "gone")];
    const here = await statHere(paths);
    const threads = await sharedPool(2).statFiles(paths);
    assert.deepEqual(threads, here);
    assert.equal(here.length, 2 * paths.length);
    assert.equal(here[2 * 3], 3 * 37, "f3.txt's size");
    assert.ok(Number.isNaN(here[2 * 25]) && Number.isNaN(here[2 * 25 + 1]), "the missing file");
  });

  test("says the threads are online only once every one has started", async () => {
    // A pool size no other test uses: its threads start here.
    const pool = sharedPool(3);
    assert.equal(pool.isOnline(), false);
    pool.startThreads();
    assert.equal(pool.isOnline(), false, "a thread takes tens of milliseconds to start");
    const dir = await tempDir("zip-online");
    await makeTree(dir, { a: "1", b: "22", c: "333" });
    // A share each: every thread has run code once all three answered.
    await pool.statFiles(["a", "b", "c"].map((f) => path.join(dir, f)));
    assert.equal(pool.isOnline(), true);
  });
});
