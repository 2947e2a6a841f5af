import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { bufferSource, FileSource } from "../../../engine/audit/bytes";
import { tempDir } from "../../support/tmp";

describe("reading parts of a file", () => {
  test("a file source gives the bytes at any offset, across its window, and none past the end", async () => {
    const bytes = randomBytes(FileSource.WINDOW * 3 + 123);
    const file = path.join(await tempDir("bytes"), "blob");
    await writeFile(file, bytes);
    FileSource.with(file, (source) => {
      assert.equal(source.size, bytes.length);
      for (const [offset, length] of [
        [0, 64],
        [10, 20], // inside the window just read
        [FileSource.WINDOW - 8, 16], // across the window's end
        [5, FileSource.WINDOW * 2], // longer than a window
        [bytes.length - 10, 64], // cut short at the end
        [bytes.length + 5, 8], // past the end
      ]) {
        assert.deepEqual(
          source.read(offset, length),
          bytes.subarray(offset, offset + length),
          `${offset}+${length}`,
        );
      }
    });
  });

  test("a buffer source cuts reads at the end the same way", () => {
    const source = bufferSource(Buffer.from("0123456789"));
    assert.equal(source.read(8, 5).toString(), "89");
    assert.equal(source.read(12, 5).length, 0);
  });
});
