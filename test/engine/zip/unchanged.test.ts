import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { snapshotBefore, statHere } from "../../../engine/zip/unchanged";
import { tempDir } from "../../support/tmp";

describe("the snapshot before a zip reads", () => {
  test("takes a whole file's size and mtime from its entry and stats only the rest", async () => {
    const dir = await tempDir("snapshot");
    const [walked, bare, archive] = ["walked.js", "bare.js", "archive.bin"].map((n) =>
      path.join(dir, n),
    );
    for (const file of [walked, bare, archive]) await writeFile(file, "0123456789");
    const asked: string[] = [];
    const spy = (files: readonly string[]) => (asked.push(...files), statHere(files));
    // An mtime no file has: taken from the entry, it shows in the snapshot as given.
    const seen = await snapshotBefore(
      [
        { sourceFile: walked, size: 10, mtimeMs: 1234.5 },
        { sourceFile: bare, size: 10 },
        { sourceFile: archive, size: 4, offset: 2, mtimeMs: 1234.5 },
      ],
      spy,
    );
    assert.deepEqual(asked.sort(), [archive, bare].sort());
    assert.deepEqual(seen.get(walked), { size: 10, mtimeMs: 1234.5 });
    assert.deepEqual(seen.get(bare), { size: 10, mtimeMs: statSync(bare).mtimeMs });
    // A range's size is the range's, not the archive's: the archive is stat'ed for its own.
    assert.deepEqual(seen.get(archive), { size: 10, mtimeMs: statSync(archive).mtimeMs });
  });
});
