import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import zlib from "node:zlib";
import { METHOD_DEFLATED, METHOD_STORED } from "../../../engine/zip/format";
import { Repeats, repeatsView, REPEATS_MAX_BYTES, steppedAside } from "../../../engine/zip/repeats";

const key = (content: Buffer) => createHash("sha256").update(content).digest();

/** What a thread would keep for `content`: its deflated bytes and their CRC-32. */
function compressed(content: Buffer) {
  const bytes = zlib.deflateRawSync(content, { level: 9 });
  return { bytes, crc: zlib.crc32(bytes) };
}

describe("repeats", () => {
  test("a content kept by one thread is copied by another, byte for byte", () => {
    const view = repeatsView(4, 100_000)!;
    const [first, second] = [new Repeats(view), new Repeats(view)];
    const content = Buffer.from("export const x = 1;\n".repeat(200));
    const slot = first.copyOrClaim(key(content), content, Buffer.alloc(8000), 0);
    assert.equal(typeof slot, "number");
    assert.ok((slot as number) >= 0, "the first to meet a content claims it");
    const { bytes, crc } = compressed(content);
    first.keep(slot as number, METHOD_DEFLATED, bytes, crc);

    const out = Buffer.alloc(8000);
    const copied = second.copyOrClaim(key(content), content, out, 100);
    assert.deepEqual(copied, { method: METHOD_DEFLATED, compressedSize: bytes.length, crc });
    assert.deepEqual(out.subarray(100, 100 + bytes.length), bytes);
  });

  test("a stored content is copied from the file's own bytes", () => {
    const view = repeatsView(2, 1000)!;
    const content = randomBytes(300);
    const threads = [new Repeats(view), new Repeats(view)];
    const slot = threads[0].copyOrClaim(key(content), content, Buffer.alloc(1000), 0) as number;
    threads[0].keep(slot, METHOD_STORED, content, 0);
    const out = Buffer.alloc(1000);
    const copied = threads[1].copyOrClaim(key(content), content, out, 7);
    assert.deepEqual(copied, { method: METHOD_STORED, compressedSize: 300, crc: 0 });
    assert.deepEqual(out.subarray(7, 307), content);
  });

  test("a content another thread is still compressing is compressed here too, not waited for", () => {
    const view = repeatsView(2, 100_000)!;
    const content = Buffer.from("a".repeat(5000));
    const slot = new Repeats(view).copyOrClaim(key(content), content, Buffer.alloc(6000), 0);
    assert.ok((slot as number) >= 0);
    assert.equal(new Repeats(view).copyOrClaim(key(content), content, Buffer.alloc(6000), 0), -1);
  });

  test("kept bytes that fail their CRC are not copied: the file is compressed instead", () => {
    const view = repeatsView(2, 100_000)!;
    const content = Buffer.from("handler();\n".repeat(300));
    const repeats = new Repeats(view);
    const slot = repeats.copyOrClaim(key(content), content, Buffer.alloc(4000), 0) as number;
    const { bytes, crc } = compressed(content);
    repeats.keep(slot, METHOD_DEFLATED, bytes, crc);
    Buffer.from(view.arena)[3] ^= 0xff;
    assert.equal(new Repeats(view).copyOrClaim(key(content), content, Buffer.alloc(4000), 0), -1);
    // Counted, so the zip can say why it compressed again.
    assert.deepEqual(steppedAside(view), { notKept: 0, failedCheck: 1 });
  });

  test("a content past the arena's room is not kept, and its repeats are compressed", () => {
    const view = repeatsView(2, 10)!;
    assert.equal(view.arena.byteLength, 10);
    const content = Buffer.from("x".repeat(1000) + "y".repeat(1000));
    const repeats = new Repeats(view);
    const slot = repeats.copyOrClaim(key(content), content, Buffer.alloc(3000), 0) as number;
    const { bytes, crc } = compressed(content);
    assert.ok(bytes.length > 10);
    repeats.keep(slot, METHOD_DEFLATED, bytes, crc);
    assert.equal(new Repeats(view).copyOrClaim(key(content), content, Buffer.alloc(3000), 0), -1);
    assert.deepEqual(steppedAside(view), { notKept: 1, failedCheck: 0 });
  });

  test("a zip with fewer than two files that may repeat gets no table, and the arena is bounded", () => {
    assert.equal(repeatsView(1, 1000), undefined);
    assert.equal(repeatsView(1000, 10 * REPEATS_MAX_BYTES)!.arena.byteLength, REPEATS_MAX_BYTES);
  });
});
