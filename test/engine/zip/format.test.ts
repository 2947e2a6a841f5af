import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { writeZip } from "../../../engine/zip";
import { dosDateTime } from "../../../engine/zip/format";
import { python, run } from "../../support/run";
import { tempDir } from "../../support/tmp";
import { headersOnlyZip64, unzipNames, unzipTest } from "./zip-tools";

describe("dosDateTime", () => {
  test("encodes UTC date and time with two-second resolution", () => {
    // 2024-02-29T13:45:31Z
    const { date, time } = dosDateTime(Date.UTC(2024, 1, 29, 13, 45, 31) / 1000);
    assert.equal(date, ((2024 - 1980) << 9) | (2 << 5) | 29);
    assert.equal(time, (13 << 11) | (45 << 5) | 15);
  });

  test("clamps times before 1980 to 1980-01-01 00:00:00", () => {
    assert.deepEqual(dosDateTime(0), { date: (1 << 5) | 1, time: 0 });
    assert.deepEqual(dosDateTime(-1e9), dosDateTime(Date.UTC(1980, 0, 1) / 1000));
  });
});

describe("zip64", () => {
  test("central directory records sizes and offsets past 4 GiB that zipinfo and Python read", async () => {
    const zip = headersOnlyZip64();
    const file = path.join(await tempDir("zip64"), "fake.zip");
    await writeFile(file, zip);

    const script =
      "import json, sys, zipfile\n" +
      "z = zipfile.ZipFile(sys.argv[1])\n" +
      "print(json.dumps([[i.filename, i.file_size, i.compress_size, i.header_offset] for i in z.infolist()]))";
    assert.deepEqual(JSON.parse(await python(script, file)), [
      ["huge.bin", 5e9, 5e9, 0],
      ["far.txt", 5, 3, 6e9],
    ]);
    assert.match(
      await run("zipinfo", [file]),
      /-rw-r--r--\s+4\.5 unx 5000000000 bx stor 80-Jan-01 00:00 huge\.bin/,
    );
  });

  test("writes zip64 end records for more than 65535 entries", async () => {
    const dir = await tempDir("zip64");
    const source = path.join(dir, "tiny.txt");
    await writeFile(source, "tiny");
    const count = 65_600;
    const names = Array.from(
      { length: count },
      (_, i) => `d${String(i >> 10).padStart(2, "0")}/f${String(i).padStart(5, "0")}`,
    );
    const entries = names.map((name) => ({ name, sourceFile: source, size: 4, executable: false }));
    const out = path.join(dir, "many.zip");
    const result = await writeZip(entries, out, { level: 9, mtime: 0 });
    assert.equal(result.fileCount, count);
    await unzipTest(out);
    assert.deepEqual(await unzipNames(out), names);
    // unzip -t checked every CRC; Python need only find the zip64 end records.
    const script = "import sys, zipfile\nprint(len(zipfile.ZipFile(sys.argv[1]).namelist()))";
    assert.equal((await python(script, out)).trim(), String(count));
  });
});
