import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import {
  buildTable,
  indexFile,
  indexRecords,
  lookup,
  RECORD_BYTES,
  writeRecord,
  type StoredEntry,
} from "../../../../engine/zip/store/table";

const key = (n: number) => createHash("sha256").update(`key ${n}`).digest();

function records(entries: [Buffer, StoredEntry][]): Buffer {
  const out = Buffer.alloc(entries.length * RECORD_BYTES);
  entries.forEach(([k, entry], i) => writeRecord(out, i * RECORD_BYTES, k, entry));
  return out;
}

describe("zip store table", () => {
  test("every record is found by its key with its offset, method, size and CRC, and other keys are not", () => {
    const entries: [Buffer, StoredEntry][] = [];
    for (let n = 0; n < 5000; n++) {
      // Offsets past 4 GiB take the high word.
      const offset = n * 7_000_003 + (n % 2) * 2 ** 40;
      entries.push([
        key(n),
        { method: n % 3 ? 8 : 0, offset, compressedSize: n * 3, crc: (n * 2654435761) >>> 0 },
      ]);
    }
    const table = new Uint32Array(
      buildTable([records(entries.slice(0, 2000)), records(entries.slice(2000))]),
    );
    entries.forEach(([k, entry], n) => {
      assert.deepEqual(lookup(table, k), { ...entry, pack: n < 2000 ? 0 : 1 }, `key ${n}`);
    });
    for (let n = 5000; n < 6000; n++) assert.equal(lookup(table, key(n)), undefined);
  });

  test("a key in two packs is found in the first", () => {
    const a = records([[key(1), { method: 8, offset: 10, compressedSize: 5, crc: 1 }]]);
    const b = records([[key(1), { method: 8, offset: 99, compressedSize: 5, crc: 2 }]]);
    const table = new Uint32Array(buildTable([a, b]));
    assert.equal(lookup(table, key(1))?.offset, 10);
    assert.equal(lookup(table, key(1))?.pack, 0);
  });

  test("an index file is read back whole, and one truncated, extended or with a flipped bit is refused", () => {
    const body = records([
      [key(1), { method: 8, offset: 0, compressedSize: 5, crc: 1 }],
      [key(2), { method: 0, offset: 0, compressedSize: 9, crc: 0 }],
    ]);
    const file = indexFile(body);
    assert.deepEqual(indexRecords(file), body);
    assert.equal(indexRecords(file.subarray(0, file.length - 1)), undefined);
    assert.equal(indexRecords(Buffer.concat([file, Buffer.alloc(RECORD_BYTES)])), undefined);
    for (const at of [0, 40, file.length - 2]) {
      const flipped = Buffer.from(file);
      flipped[at] ^= 1;
      assert.equal(indexRecords(flipped), undefined, `bit flipped at ${at}`);
    }
    assert.equal(indexRecords(Buffer.alloc(0)), undefined);
  });
});
