import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { describe, test } from "node:test";
import {
  openFileSource,
  readCentralDirectory,
  TAIL_BYTES,
  type RangedSource,
  type ZipListing,
} from "../../../engine/listing";
import { writeZip } from "../../../engine/zip";
import { LambdaPackageError } from "../../../shared/errors";
import { python, run } from "../../support/run";
import { tempDir } from "../../support/tmp";
import { entriesOf, headersOnlyZip64, makeTree } from "../zip/zip-tools";

/** A zip in memory as a ranged source that counts what is read. */
function memorySource(bytes: Buffer, name = "test.zip") {
  const reads: { offset: number; length: number }[] = [];
  const source: RangedSource = {
    name,
    size: bytes.length,
    read(offset, length) {
      reads.push({ offset, length });
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
  return { source, reads, bytesRead: () => reads.reduce((sum, r) => sum + r.length, 0) };
}

async function listFile(file: string): Promise<ZipListing> {
  const source = await openFileSource(file);
  try {
    return await readCentralDirectory(source);
  } finally {
    await source.close();
  }
}

type Row = [name: string, crc: number, size: number, compressed: number, mode: number | null];

/** Python's zipfile as the reference: name, CRC, sizes and the Unix mode of every entry. */
async function pythonRows(file: string): Promise<Row[]> {
  const script =
    "import json, sys, zipfile\n" +
    "z = zipfile.ZipFile(sys.argv[1])\n" +
    "print(json.dumps([[i.filename, i.CRC, i.file_size, i.compress_size,\n" +
    "  (i.external_attr >> 16) or None if i.create_system == 3 else None] for i in z.infolist()]))";
  return JSON.parse(await python(script, file)) as Row[];
}

function rows(listing: ZipListing): Row[] {
  return listing.entries.map((e) => [e.name, e.crc32, e.size, e.compressedSize, e.mode ?? null]);
}

const TREE = {
  "handler.py": "def handler(event, context):\n    return 1\n".repeat(50),
  "lib/util.py": "X = 1\n",
  "bin/run.sh": "#!/bin/sh\necho run\n",
  "data/empty.txt": "",
};

async function tree(): Promise<string> {
  const root = await tempDir("listing-src");
  await makeTree(root, TREE);
  return root;
}

function assertCode(code: string) {
  return (error: unknown) => error instanceof LambdaPackageError && error.code === code;
}

describe("readCentralDirectory", () => {
  test("lists a zip from Info-ZIP's zip as Python's zipfile does, directories included", async () => {
    const root = await tree();
    const zip = path.join(await tempDir("listing"), "infozip.zip");
    await run("zip", ["-q", "-r", "-X", "-9", zip, "."], { cwd: root });
    const listing = await listFile(zip);
    assert.deepEqual(rows(listing), await pythonRows(zip));
    const names = listing.entries.map((e) => e.name);
    assert.ok(names.includes("lib/") && names.includes("bin/run.sh"), names.join(","));
    const run_ = listing.entries.find((e) => e.name === "bin/run.sh")!;
    assert.equal(run_.executable, true);
    assert.equal(listing.entries.find((e) => e.name === "lib/")!.directory, true);
    assert.equal(listing.zip64, false);
  });

  test("reads the zip64 fields Info-ZIP writes with -fz", async () => {
    const root = await tree();
    const zip = path.join(await tempDir("listing"), "infozip64.zip");
    await run("zip", ["-q", "-r", "-X", "-fz", zip, "."], { cwd: root });
    assert.deepEqual(rows(await listFile(zip)), await pythonRows(zip));
  });

  test("lists a zip from Python's zipfile, stored and deflated entries alike", async () => {
    const zip = path.join(await tempDir("listing"), "python.zip");
    const script =
      "import sys, zipfile\n" +
      "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n" +
      "    z.writestr('a.txt', 'stored ' * 100, compress_type=zipfile.ZIP_STORED)\n" +
      "    z.writestr('b/c.txt', 'deflated ' * 100, compress_type=zipfile.ZIP_DEFLATED)\n" +
      "    i = zipfile.ZipInfo('b/run.sh'); i.external_attr = 0o100755 << 16\n" +
      "    z.writestr(i, '#!/bin/sh\\n')\n";
    await python(script, zip);
    const listing = await listFile(zip);
    assert.deepEqual(rows(listing), await pythonRows(zip));
    assert.deepEqual(
      listing.entries.map((e) => e.method),
      [0, 8, 0],
    );
    assert.equal(listing.entries[2].executable, true);
  });

  test("lists a zip of ours, modes 0644 and 0755, as Python does", async () => {
    const root = await tree();
    const zip = path.join(await tempDir("listing"), "ours.zip");
    await writeZip(await entriesOf(root), zip, { level: 9, mtime: 0 });
    const listing = await listFile(zip);
    assert.deepEqual(rows(listing), await pythonRows(zip));
    assert.deepEqual(
      listing.entries.map((e) => [e.name, e.mode?.toString(8)]),
      [
        ["bin/run.sh", "100755"],
        ["data/empty.txt", "100644"],
        ["handler.py", "100644"],
        ["lib/util.py", "100644"],
      ],
    );
  });

  test("reads more than 65,535 entries through the zip64 end records, ours and Python's", async () => {
    const dir = await tempDir("listing-64");
    const count = 65_600;
    const name = (i: number) =>
      `d${String(i >> 10).padStart(2, "0")}/f${String(i).padStart(5, "0")}`;
    const tiny = path.join(dir, "tiny.txt");
    await writeFile(tiny, "tiny");
    const ours = path.join(dir, "ours.zip");
    const entries = Array.from({ length: count }, (_, i) => ({
      name: name(i),
      sourceFile: tiny,
      size: 4,
      executable: false,
    }));
    await writeZip(entries, ours, { level: 9, mtime: 0 });
    const theirs = path.join(dir, "python.zip");
    const script =
      "import sys, zipfile\n" +
      "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n" +
      `    for i in range(${count}):\n` +
      "        z.writestr('d%02d/f%05d' % (i >> 10, i), 'tiny')\n";
    await python(script, theirs);
    for (const zip of [ours, theirs]) {
      const bytes = await readFile(zip);
      const { source, reads } = memorySource(bytes);
      const listing = await readCentralDirectory(source);
      assert.equal(listing.zip64, true, zip);
      assert.equal(listing.entries.length, count, zip);
      assert.equal(listing.entries[count - 1].name, name(count - 1));
      assert.equal(listing.entries[count - 1].crc32, zlib.crc32("tiny"));
      assert.equal(reads.length, 2, `${zip}: the tail, then the rest of the directory`);
    }
  });

  test("takes sizes and offsets past 4 GiB from the zip64 extra fields", async () => {
    const zip = headersOnlyZip64();
    const listing = await readCentralDirectory(memorySource(zip).source);
    assert.deepEqual(
      listing.entries.map((e) => [e.name, e.size, e.compressedSize, e.crc32, e.executable]),
      [
        ["huge.bin", 5e9, 5e9, 7, false],
        ["far.txt", 5, 3, 9, true],
      ],
    );
  });

  test("finds the end record behind a comment written by zip -z", async () => {
    const root = await tree();
    const zip = path.join(await tempDir("listing"), "comment.zip");
    await run("zip", ["-q", "-r", "-X", zip, "."], { cwd: root });
    execFileSync("zip", ["-q", "-z", zip], { input: "built by CI\nrun 42\n" });
    const listing = await listFile(zip);
    const comment = await python(
      "import sys, zipfile\nprint(zipfile.ZipFile(sys.argv[1]).comment.decode(), end='')",
      zip,
    );
    assert.match(comment, /built by CI/);
    assert.equal(listing.comment, comment);
    assert.deepEqual(rows(listing), await pythonRows(zip));
  });

  test("is not misled by a comment that holds the end record's signature", async () => {
    // Python's zipfile takes the last signature it finds and fails on this zip.
    const root = await tree();
    const zip = path.join(await tempDir("listing"), "tricky.zip");
    await run("zip", ["-q", "-r", "-X", zip, "."], { cwd: root });
    const expected = await pythonRows(zip);
    const comment = "PK\u0005\u0006" + "\u0000".repeat(16) + "\u0004\u0000 not a record";
    const bytes = await readFile(zip);
    bytes.writeUInt16LE(comment.length, bytes.length - 2);
    const listing = await readCentralDirectory(
      memorySource(Buffer.concat([bytes, Buffer.from(comment, "latin1")])).source,
    );
    assert.equal(listing.comment, comment);
    assert.deepEqual(rows(listing), expected);
  });

  test("finds the directory of a zip with bytes before it, as a self-extractor has", async () => {
    const root = await tree();
    const dir = await tempDir("listing");
    const zip = path.join(dir, "plain.zip");
    await run("zip", ["-q", "-r", "-X", zip, "."], { cwd: root });
    const stub = Buffer.alloc(12_345, 0x90);
    const listing = await readCentralDirectory(
      memorySource(Buffer.concat([stub, await readFile(zip)])).source,
    );
    assert.deepEqual(rows(listing), rows(await listFile(zip)));
  });

  test("reads the tail alone when the directory fits in it, never the entry data", async () => {
    // Incompressible data keeps the entries' bytes well before the tail.
    const root = await tempDir("listing-big");
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) files[`blob${i}.bin`] = randomBytes(64 * 1024);
    await makeTree(root, files);
    const zip = path.join(await tempDir("listing"), "big.zip");
    await writeZip(await entriesOf(root), zip, { level: 1, mtime: 0 });
    const bytes = await readFile(zip);
    const { source, reads } = memorySource(bytes);
    assert.equal((await readCentralDirectory(source)).entries.length, 40);
    assert.ok(bytes.length > 20 * TAIL_BYTES);
    assert.deepEqual(reads, [{ offset: bytes.length - TAIL_BYTES, length: TAIL_BYTES }]);
  });

  test("reads the tail, then only the rest of a directory larger than the tail", async () => {
    const dir = await tempDir("listing-many");
    const tiny = path.join(dir, "tiny.txt");
    await writeFile(tiny, "tiny");
    const entries = Array.from({ length: 3000 }, (_, i) => ({
      name: `some/deeply/nested/package/directory/file-${String(i).padStart(5, "0")}.js`,
      sourceFile: tiny,
      size: 4,
      executable: false,
    }));
    const zip = path.join(dir, "many.zip");
    await writeZip(entries, zip, { level: 9, mtime: 0 });
    const bytes = await readFile(zip);
    const directoryStart = bytes.readUInt32LE(bytes.length - 22 + 16);
    assert.ok(bytes.length - directoryStart > TAIL_BYTES, "the directory is larger than the tail");
    const { source, reads, bytesRead } = memorySource(bytes);
    assert.equal((await readCentralDirectory(source)).entries.length, 3000);
    assert.equal(reads.length, 2);
    assert.equal(
      bytesRead(),
      bytes.length - directoryStart,
      "the directory and end record, no more",
    );
  });
});

describe("readCentralDirectory on what is not a good zip", () => {
  test("a file that is not a zip, or a truncated one, is ZIP_NOT_A_ZIP naming it", async () => {
    const zip = Buffer.from(await readFile(__filename));
    await assert.rejects(
      readCentralDirectory(memorySource(zip, "/tmp/not.zip").source),
      (error: unknown) =>
        assertCode("ZIP_NOT_A_ZIP")(error) && String(error).includes("/tmp/not.zip"),
    );
    await assert.rejects(
      readCentralDirectory(memorySource(Buffer.alloc(10)).source),
      assertCode("ZIP_NOT_A_ZIP"),
    );
    const root = await tree();
    const file = path.join(await tempDir("listing"), "cut.zip");
    await writeZip(await entriesOf(root), file, { level: 9, mtime: 0 });
    const whole = await readFile(file);
    await assert.rejects(
      readCentralDirectory(memorySource(whole.subarray(0, whole.length - 10)).source),
      assertCode("ZIP_NOT_A_ZIP"),
    );
  });

  test("a damaged directory is ZIP_DIRECTORY_CORRUPT", async () => {
    const root = await tree();
    const file = path.join(await tempDir("listing"), "ok.zip");
    await writeZip(await entriesOf(root), file, { level: 9, mtime: 0 });
    const whole = await readFile(file);
    const end = whole.length - 22;
    const start = whole.readUInt32LE(end + 16);
    const badSignature = Buffer.from(whole);
    badSignature[start] ^= 0xff;
    const badCount = Buffer.from(whole);
    badCount.writeUInt16LE(badCount.readUInt16LE(end + 10) + 1, end + 10);
    const badSize = Buffer.from(whole);
    badSize.writeUInt32LE(whole.length * 2, end + 12);
    for (const zip of [badSignature, badCount, badSize]) {
      await assert.rejects(
        readCentralDirectory(memorySource(zip).source),
        assertCode("ZIP_DIRECTORY_CORRUPT"),
      );
    }
  });

  test("a part of a split zip is ZIP_UNSUPPORTED, saying how to join the parts", async () => {
    const root = await tree();
    const file = path.join(await tempDir("listing"), "ok.zip");
    await writeZip(await entriesOf(root), file, { level: 9, mtime: 0 });
    const zip = await readFile(file);
    zip.writeUInt16LE(2, zip.length - 22 + 4);
    await assert.rejects(
      readCentralDirectory(memorySource(zip).source),
      (error: unknown) => assertCode("ZIP_UNSUPPORTED")(error) && /zip -s 0/.test(String(error)),
    );
  });

  test("a file that cannot be opened is named", async () => {
    await assert.rejects(
      openFileSource("/no/such/file.zip"),
      (error: unknown) =>
        assertCode("ZIP_NOT_A_ZIP")(error) && String(error).includes("/no/such/file.zip"),
    );
  });
});
