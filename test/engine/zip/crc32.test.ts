import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import zlib from "node:zlib";
import { crc32Combine } from "../../../engine/zip/crc32";

describe("crc32Combine", () => {
  test("gives the CRC of two byte strings joined, from their CRCs and the second's length", () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    for (const cut of [0, 1, 1000, 256 * 1024, 2 * 1024 * 1024 + 5, data.length]) {
      const a = data.subarray(0, cut);
      const b = data.subarray(cut);
      assert.equal(
        crc32Combine(zlib.crc32(a), zlib.crc32(b), b.length),
        zlib.crc32(data),
        `cut at ${cut}`,
      );
    }
  });

  test("chains many chunks in order like the big-file writer does", () => {
    const data = randomBytes(1024 * 1024);
    let crc = 0;
    for (let at = 0; at < data.length; at += 65536) {
      const chunk = data.subarray(at, at + 65536);
      crc = at === 0 ? zlib.crc32(chunk) : crc32Combine(crc, zlib.crc32(chunk), chunk.length);
    }
    assert.equal(crc, zlib.crc32(data));
  });
});
