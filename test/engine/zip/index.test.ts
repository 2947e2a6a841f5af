import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { access, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { openFileSource, readCentralDirectory } from "../../../engine/listing";
import { writeZip, type ZipEntry } from "../../../engine/zip";
import { run } from "../../support/run";
import { tempDir } from "../../support/tmp";
import {
  entriesOf,
  headerOffsets,
  makeTree,
  pythonRead,
  unzipNames,
  unzipTest,
  zipinfo,
} from "./zip-tools";

const MTIME = 1_700_000_000;
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A tree of text, JSON, a script, an empty file and incompressible bytes. */
function sampleFiles(): Record<string, string | Buffer> {
  return {
    "handler.py": "import json\n\ndef handler(event, context):\n    return json.dumps(event)\n",
    "lib/util.py": "x = 1\n".repeat(500),
    "lib/data.json": JSON.stringify({ items: Array.from({ length: 300 }, (_, i) => i) }),
    "bin/run.sh": "#!/bin/sh\nexec python3 handler.py\n",
    "empty.txt": "",
    "random.bin": randomBytes(5000),
    "Z-upper.txt": "sorts before lowercase in byte order\n",
  };
}

describe("writeZip", () => {
  test("writes a zip that unzip, zipinfo and Python read back byte for byte", async () => {
    const dir = await tempDir("zip");
    const root = path.join(dir, "src");
    const files = sampleFiles();
    await makeTree(root, files);
    const out = path.join(dir, "out.zip");
    const result = await writeZip(await entriesOf(root), out, { level: 9, mtime: MTIME });

    await unzipTest(out);
    const names = Object.keys(files).sort(utf8Order);
    assert.deepEqual(await unzipNames(out), names);
    const info = await zipinfo(out);
    assert.equal(info.get("bin/run.sh")?.mode, "-rwxr-xr-x");
    assert.equal(info.get("handler.py")?.mode, "-rw-r--r--");
    assert.equal(info.get("handler.py")?.method, "defN");
    assert.equal(info.get("random.bin")?.method, "stor", "incompressible data is stored");
    assert.equal(info.get("empty.txt")?.method, "stor");
    assert.deepEqual(await pythonRead(out), { bad: null, names });

    const extracted = path.join(dir, "x");
    await run("unzip", ["-q", out, "-d", extracted]);
    for (const [name, content] of Object.entries(files)) {
      assert.deepEqual(await readFile(path.join(extracted, name)), Buffer.from(content), name);
    }
    const bytes = await readFile(out);
    assert.equal(result.size, bytes.length);
    assert.equal(result.fileCount, names.length);
    assert.equal(
      result.unzippedSize,
      Object.values(files).reduce((sum, c) => sum + Buffer.byteLength(c), 0),
    );
    const { createHash } = await import("node:crypto");
    assert.equal(result.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(result.sourceCodeHash, createHash("sha256").update(bytes).digest("base64"));
  });

  test("gives identical bytes for copies of a tree at other paths, times and umasks", async () => {
    const dir = await tempDir("zip");
    const files = sampleFiles();
    await makeTree(path.join(dir, "a"), files);
    await makeTree(path.join(dir, "checkout/b"), files, {
      fileMode: 0o600,
      execMode: 0o700,
      mtime: 1_234_567_890,
    });
    const a = await writeZip(await entriesOf(path.join(dir, "a")), path.join(dir, "a.zip"), {
      level: 9,
      mtime: MTIME,
    });
    const reversed = (await entriesOf(path.join(dir, "checkout/b"))).reverse();
    const b = await writeZip(reversed, path.join(dir, "b.zip"), { level: 9, mtime: MTIME });
    assert.equal(a.sha256, b.sha256);
    assert.deepEqual(await readFile(a.path), await readFile(b.path));
  });

  test("zips ranges of one archive to the same bytes as the files they hold, big files' chunks included", async () => {
    const dir = await tempDir("zip");
    // Past BIG_FILE, so it is cut into chunks, each primed with the bytes before it in the file only.
    const files = {
      ...sampleFiles(),
      "big.bin": randomBytes(1536 * 1024),
      "big.txt": "abc\n".repeat(400_000),
    };
    await makeTree(path.join(dir, "tree"), files);
    const whole = await writeZip(
      await entriesOf(path.join(dir, "tree")),
      path.join(dir, "whole.zip"),
      {
        level: 9,
        mtime: MTIME,
        concurrency: 2,
      },
    );
    const archive = path.join(dir, "archive");
    const parts: Buffer[] = [randomBytes(40_000)]; // leading bytes no entry owns
    const ranged: ZipEntry[] = [];
    let offset = parts[0].length;
    for (const [name, content] of Object.entries(files)) {
      const bytes = Buffer.from(content);
      ranged.push({
        name,
        sourceFile: archive,
        size: bytes.length,
        executable: name.endsWith(".sh"),
        offset,
      });
      parts.push(bytes, randomBytes(100));
      offset += bytes.length + 100;
    }
    await writeFile(archive, Buffer.concat(parts));
    const fromArchive = await writeZip(ranged, path.join(dir, "ranged.zip"), {
      level: 9,
      mtime: MTIME,
      concurrency: 2,
    });
    assert.equal(fromArchive.sha256, whole.sha256);
  });

  test("a range past the end of its archive fails naming the archive and removes the partial zip", async () => {
    const dir = await tempDir("zip");
    const archive = path.join(dir, "archive");
    await writeFile(archive, "0123456789");
    const out = path.join(dir, "out.zip");
    await assert.rejects(
      writeZip(
        [{ name: "a.js", sourceFile: archive, size: 8, executable: false, offset: 5 }],
        out,
        {
          level: 9,
          mtime: MTIME,
        },
      ),
      (e: unknown) => {
        assert.ok(e instanceof LambdaPackageError && e.code === "ZIP_FILE_CHANGED", String(e));
        assert.match(e.message, /archive \(zip entry "a\.js"\): it ends before byte 13/);
        return true;
      },
    );
    await assert.rejects(access(out));
  });

  test("a file grown after its bytes were read fails the zip naming it and removes the zip", async () => {
    const dir = await tempDir("zip");
    const file = path.join(dir, "log.txt");
    await writeFile(file, "line 1\n");
    const out = path.join(dir, "out.zip");
    let appended = false;
    await assert.rejects(
      writeZip([{ name: "log.txt", sourceFile: file, size: 7, executable: false }], out, {
        level: 9,
        mtime: MTIME,
        // Called once the file's bytes are in the zip: a writer still at work appends now.
        onProgress: () => {
          if (!appended) appendFileSync(file, "line 2\n");
          appended = true;
        },
      }),
      (e: unknown) => {
        assert.ok(e instanceof LambdaPackageError && e.code === "ZIP_FILE_CHANGED", String(e));
        assert.match(e.message, /log\.txt \(zip entry "log\.txt"\): its size changed from 7 to 14/);
        assert.match(e.message, /A process may still be writing it/);
        return true;
      },
    );
    await assert.rejects(access(out));
  });

  test("a file rewritten to the same size after its bytes were read fails the zip", async () => {
    const dir = await tempDir("zip");
    const file = path.join(dir, "state.json");
    await writeFile(file, '{"done":false}');
    let rewritten = false;
    await assert.rejects(
      writeZip(
        [{ name: "state.json", sourceFile: file, size: 14, executable: false }],
        path.join(dir, "out.zip"),
        {
          level: 9,
          mtime: MTIME,
          onProgress: () => {
            if (rewritten) return;
            rewritten = true;
            writeFileSync(file, '{"done":true} ');
            // An mtime of its own: the write alone may land in the clock tick of the first look.
            utimesSync(file, 1_000_000, 1_000_000);
          },
        },
      ),
      (e: unknown) =>
        e instanceof LambdaPackageError &&
        e.code === "ZIP_FILE_CHANGED" &&
        e.message.includes(`${file} (zip entry "state.json"): it was written to while zipping`),
    );
  });

  test("a file rewritten to the same size between the caller's stat and the zip fails the zip", async () => {
    const dir = await tempDir("zip");
    const file = path.join(dir, "state.json");
    await writeFile(file, '{"done":false}');
    const { size, mtimeMs } = statSync(file);
    // What a walk saw; then a writer rewrites the file before the zip starts.
    writeFileSync(file, '{"done":true} ');
    utimesSync(file, 1_000_000, 1_000_000);
    await assert.rejects(
      writeZip(
        [{ name: "state.json", sourceFile: file, size, executable: false, mtimeMs }],
        path.join(dir, "out.zip"),
        { level: 9, mtime: MTIME },
      ),
      (e: unknown) =>
        e instanceof LambdaPackageError &&
        e.code === "ZIP_FILE_CHANGED" &&
        e.message.includes(`${file} (zip entry "state.json"): it was written to while zipping`),
    );
  });

  for (const [change, why] of [
    ["rewritten to the same size", "it was written to while zipping"],
    ["removed", "it was removed while zipping"],
  ] as const) {
    test(`a file ${change} after its bytes were read fails a zip big enough for worker threads`, async () => {
      // Over the 2 MiB below which a zip compresses on the calling thread: the
      // snapshots are taken on the worker threads.
      const dir = await tempDir("zip");
      const files: Record<string, string | Buffer> = { "a.json": '{"done":false}' };
      for (let i = 0; i < 4; i++) files[`big${i}.bin`] = randomBytes(900 * 1024);
      await makeTree(path.join(dir, "src"), files);
      const entries = await entriesOf(path.join(dir, "src"));
      const file = entries.find((e) => e.name === "a.json")!.sourceFile;
      let changed = false;
      await assert.rejects(
        writeZip(entries, path.join(dir, "out.zip"), {
          level: 9,
          mtime: MTIME,
          concurrency: 2,
          // First called once the first batch, a.json's, is in the zip.
          onProgress: () => {
            if (changed) return;
            changed = true;
            if (change === "removed") return unlinkSync(file);
            writeFileSync(file, '{"done":true} ');
            utimesSync(file, 1_000_000, 1_000_000);
          },
        }),
        (e: unknown) =>
          e instanceof LambdaPackageError &&
          e.code === "ZIP_FILE_CHANGED" &&
          e.message.includes(`${file} (zip entry "a.json"): ${why}`),
      );
      assert.ok(changed);
    });
  }

  test("an entry name with control characters is quoted escaped when its file changed", async () => {
    const dir = await tempDir("zip");
    const file = path.join(dir, "f");
    await writeFile(file, "0123456789");
    await assert.rejects(
      writeZip(
        [{ name: "a\n+ added fake.js", sourceFile: file, size: 4, executable: false }],
        path.join(dir, "out.zip"),
        { level: 9, mtime: MTIME },
      ),
      (e: unknown) =>
        e instanceof LambdaPackageError && e.message.includes('(zip entry "a\\n+ added fake.js")'),
    );
  });

  test("changes only the DOS date and time fields when the mtime changes", async () => {
    const dir = await tempDir("zip");
    await makeTree(path.join(dir, "src"), sampleFiles());
    const entries = await entriesOf(path.join(dir, "src"));
    const early = await readFile(
      (await writeZip(entries, path.join(dir, "1.zip"), { level: 9, mtime: 0 })).path,
    );
    const late = await readFile(
      (await writeZip(entries, path.join(dir, "2.zip"), { level: 9, mtime: MTIME })).path,
    );
    assert.equal(early.length, late.length);
    const { local, central } = headerOffsets(early);
    // DOS time and date: bytes 10-13 of a local header, 12-15 of a central one.
    const allowed = new Set<number>();
    for (const at of local) for (let i = 10; i < 14; i++) allowed.add(at + i);
    for (const at of central) for (let i = 12; i < 16; i++) allowed.add(at + i);
    let differing = 0;
    for (let i = 0; i < early.length; i++) {
      if (early[i] !== late[i]) {
        assert.ok(allowed.has(i), `byte ${i} differs outside a timestamp`);
        differing++;
      }
    }
    assert.ok(differing > 0);
    const listing = await run("zipinfo", [path.join(dir, "1.zip")]);
    assert.match(listing, /80-Jan-01 00:00 handler\.py/, "times before 1980 clamp to 1980-01-01");
    assert.match(await run("zipinfo", [path.join(dir, "2.zip")]), /23-Nov-14 22:13 handler\.py/);
  });

  test("stores every entry at level 0", async () => {
    const dir = await tempDir("zip");
    await makeTree(path.join(dir, "src"), sampleFiles());
    const entries = await entriesOf(path.join(dir, "src"));
    const result = await writeZip(entries, path.join(dir, "out.zip"), { mtime: MTIME, level: 0 });
    await unzipTest(result.path);
    const methods = [...(await zipinfo(result.path)).values()].map((e) => e.method);
    assert.deepEqual([...new Set(methods)], ["stor"]);
    assert.ok(result.size > result.unzippedSize);
  });

  test("marks non-ASCII names as UTF-8 so unzip and Python list them unchanged", async () => {
    const dir = await tempDir("zip");
    const files = { "données/été.txt": "é", "日本/ファイル.py": "x = 1\n", "plain.txt": "p" };
    await makeTree(path.join(dir, "src"), files);
    const out = path.join(dir, "out.zip");
    await writeZip(await entriesOf(path.join(dir, "src")), out, { level: 9, mtime: MTIME });
    await unzipTest(out);
    const names = Object.keys(files).sort(utf8Order);
    assert.deepEqual(await unzipNames(out), names);
    assert.deepEqual((await pythonRead(out)).names, names);
  });

  test("lists a zip of more than 65,535 entries as zip64, as reading its directory back does", async () => {
    const dir = await tempDir("zip");
    const file = path.join(dir, "empty");
    await writeFile(file, "");
    const entries = Array.from({ length: 65_536 }, (_, i) => ({
      name: `e/${i}`,
      sourceFile: file,
      size: 0,
      executable: false,
    }));
    const out = path.join(dir, "out.zip");
    const { listing } = await writeZip(entries, out, { level: 9, mtime: MTIME });
    assert.equal(listing.zip64, true);
    const source = await openFileSource(out);
    try {
      assert.deepEqual(listing, await readCentralDirectory(source));
    } finally {
      await source.close();
    }
  });

  test("writes a valid empty zip for no entries", async () => {
    const dir = await tempDir("zip");
    const result = await writeZip([], path.join(dir, "out.zip"), { level: 9, mtime: MTIME });
    assert.equal(result.size, 22);
    assert.deepEqual(await pythonRead(result.path), { bad: null, names: [] });
  });

  test("reports progress and ends with the totals", async () => {
    const dir = await tempDir("zip");
    await makeTree(path.join(dir, "src"), sampleFiles());
    const entries = await entriesOf(path.join(dir, "src"));
    const seen: { files: number; bytes: number }[] = [];
    const result = await writeZip(entries, path.join(dir, "out.zip"), {
      level: 9,
      mtime: MTIME,
      onProgress: (done) => seen.push(done),
    });
    assert.deepEqual(seen.at(-1), { files: result.fileCount, bytes: result.unzippedSize });
  });

  test("stops handing out jobs once its signal fires, rejects with the reason and removes the zip", async () => {
    // 16 files of 900 KiB: 16 jobs on two worker threads, at most a few queued when it fires.
    const dir = await tempDir("zip");
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 16; i++) files[`big${i}.bin`] = randomBytes(900 * 1024);
    await makeTree(path.join(dir, "src"), files);
    const entries = await entriesOf(path.join(dir, "src"));
    const out = path.join(dir, "out.zip");
    const stop = new AbortController();
    const reason = new Error("a check failed");
    let compressing = 0;
    let written = 0;
    await assert.rejects(
      writeZip(entries, out, {
        level: 9,
        mtime: MTIME,
        concurrency: 2,
        store: false,
        signal: stop.signal,
        onCompressing: () => {
          compressing++;
          stop.abort(reason);
        },
        onProgress: ({ files }) => (written = files),
      }),
      (e: unknown) => e === reason,
    );
    assert.equal(compressing, 1);
    assert.ok(written < entries.length, `${written} of ${entries.length} files were written`);
    await assert.rejects(access(out));
    // No thread is left busy: the next zip on the same pool runs whole.
    const again = await writeZip(entries, out, { level: 9, mtime: MTIME, concurrency: 2 });
    assert.equal(again.fileCount, entries.length);
  });

  test("rejects two entries with the same name and writes nothing", async () => {
    const dir = await tempDir("zip");
    await makeTree(path.join(dir, "src"), { "a.txt": "a" });
    const [entry] = await entriesOf(path.join(dir, "src"));
    const out = path.join(dir, "out.zip");
    await assert.rejects(
      writeZip([entry, { ...entry }], out, { level: 9, mtime: MTIME }),
      (e: unknown) => e instanceof LambdaPackageError && e.code === "ZIP_DUPLICATE_ENTRY",
    );
    await assert.rejects(access(out));
  });

  test("rejects a missing or unreadable source file by name and removes the partial zip", async () => {
    const dir = await tempDir("zip");
    await makeTree(path.join(dir, "src"), sampleFiles());
    const entries = await entriesOf(path.join(dir, "src"));
    // Root reads any mode, so a directory stands in for an unreadable file.
    const bad: ZipEntry[] = [
      {
        name: "gone.py",
        sourceFile: path.join(dir, "src", "gone.py"),
        size: 10,
        executable: false,
      },
      { name: "dir.py", sourceFile: path.join(dir, "src", "lib"), size: 10, executable: false },
    ];
    for (const entry of bad) {
      const out = path.join(dir, "out.zip");
      await assert.rejects(
        writeZip([...entries, entry], out, { level: 9, mtime: MTIME }),
        (e: unknown) => {
          assert.ok(e instanceof LambdaPackageError);
          assert.equal(e.code, "ZIP_READ_FAILED");
          assert.ok(e.message.includes(entry.sourceFile), e.message);
          assert.ok(e.message.includes(`"${entry.name}"`), e.message);
          return true;
        },
      );
      await assert.rejects(access(out));
    }
  });
});
