import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import zlib from "node:zlib";
import { openFileSource, readCentralDirectory } from "../../../engine/listing";
import { decodeCp437, entryName } from "../../../engine/listing/names";
import { writeZip } from "../../../engine/zip";
import { FLAG_UTF8 } from "../../../engine/zip/format";
import { python, run } from "../../support/run";
import { tempDir } from "../../support/tmp";
import { entriesOf, makeTree } from "../zip/zip-tools";

/** Info-ZIP's Unicode Path extra field (0x7075) for a header whose own name is `raw`. */
function unicodePath(raw: Buffer, name: string): Buffer {
  const utf8 = Buffer.from(name, "utf8");
  const field = Buffer.alloc(4 + 5 + utf8.length);
  field.writeUInt16LE(0x7075, 0);
  field.writeUInt16LE(5 + utf8.length, 2);
  field[4] = 1;
  field.writeUInt32LE(zlib.crc32(raw), 5);
  utf8.copy(field, 9);
  return field;
}

describe("entryName", () => {
  test("reads a name flagged UTF-8 as UTF-8", () => {
    assert.equal(entryName(Buffer.from("日本/語.txt"), FLAG_UTF8, Buffer.alloc(0)), "日本/語.txt");
  });

  test("takes the Unicode Path field when it was made for this very name", () => {
    const raw = Buffer.from([0x63, 0x61, 0x66, 0x82]); // "café" in code page 437
    assert.equal(entryName(raw, 0, unicodePath(raw, "café")), "café");
    // A field left over from a renamed entry names another name: not used.
    assert.equal(entryName(raw, 0, unicodePath(Buffer.from("old"), "old")), "café");
  });

  test("reads unflagged bytes as UTF-8 when they are valid UTF-8, else as code page 437", () => {
    assert.equal(entryName(Buffer.from("café.txt"), 0, Buffer.alloc(0)), "café.txt");
    assert.equal(entryName(Buffer.from([0x82, 0xe9]), 0, Buffer.alloc(0)), "éΘ");
  });

  test("code page 437 is what Python decodes it as, byte for byte", async () => {
    const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    const expected = await python(
      "import sys; print(bytes(range(128, 256)).decode('cp437'), end='')",
    );
    assert.equal(decodeCp437(high), expected);
  });

  test("a zip from Info-ZIP and one of ours give non-ASCII names alike", async () => {
    const root = await tempDir("listing-names");
    await makeTree(root, { "café.txt": "1\n", "日本/語.txt": "2\n" });
    const dir = await tempDir("listing");
    const infozip = path.join(dir, "infozip.zip");
    await run("zip", ["-q", "-r", "-X", "-D", infozip, "."], { cwd: root });
    const ours = path.join(dir, "ours.zip");
    await writeZip(await entriesOf(root), ours, { level: 9, mtime: 0 });
    for (const zip of [infozip, ours]) {
      const source = await openFileSource(zip);
      const { entries } = await readCentralDirectory(source);
      await source.close();
      assert.deepEqual(entries.map((e) => e.name).sort(), ["café.txt", "日本/語.txt"], zip);
    }
  });
});
