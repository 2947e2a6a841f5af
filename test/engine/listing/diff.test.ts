import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import {
  diffListings,
  isSameListing,
  openFileSource,
  readCentralDirectory,
  type ListedEntry,
  type ZipListing,
} from "../../../engine/listing";
import { writeZip } from "../../../engine/zip";
import { run } from "../../support/run";
import { tempDir } from "../../support/tmp";
import { entriesOf, makeTree } from "../zip/zip-tools";

function entry(name: string, fields: Partial<ListedEntry> = {}): ListedEntry {
  return {
    name,
    crc32: 1,
    size: 10,
    compressedSize: 8,
    method: 8,
    mode: 0o100644,
    executable: false,
    directory: name.endsWith("/"),
    offset: 0,
    ...fields,
  };
}

const listing = (...entries: ListedEntry[]): ZipListing => ({ entries, comment: "", zip64: false });

async function list(file: string): Promise<ZipListing> {
  const source = await openFileSource(file);
  try {
    return await readCentralDirectory(source);
  } finally {
    await source.close();
  }
}

describe("diffListings", () => {
  test("lists added, removed and changed files by name, with why each changed", () => {
    const before = listing(
      entry("same.js"),
      entry("gone.js"),
      entry("content.js", { crc32: 1 }),
      entry("grown.js", { crc32: 1, size: 10 }),
      entry("run.sh", { mode: 0o100644 }),
    );
    const after = listing(
      entry("run.sh", { mode: 0o100755, executable: true }),
      entry("grown.js", { crc32: 2, size: 20 }),
      entry("content.js", { crc32: 2 }),
      entry("new/b.js"),
      entry("new/a.js"),
      entry("same.js"),
    );
    const diff = diffListings(before, after);
    assert.deepEqual(
      diff.added.map((e) => e.name),
      ["new/a.js", "new/b.js"],
    );
    assert.deepEqual(
      diff.removed.map((e) => e.name),
      ["gone.js"],
    );
    assert.deepEqual(
      diff.changed.map((c) => [c.name, c.reasons]),
      [
        ["content.js", ["crc32"]],
        ["grown.js", ["crc32", "size"]],
        ["run.sh", ["mode"]],
      ],
    );
    assert.equal(diff.changed[1].before.size, 10);
    assert.equal(diff.changed[1].after.size, 20);
    assert.equal(diff.unchanged, 1);
    assert.equal(isSameListing(diff), false);
  });

  test("finds nothing between a zip and itself, whatever the entry order", () => {
    const a = listing(entry("a.js"), entry("b.js", { crc32: 5 }));
    const b = listing(entry("b.js", { crc32: 5 }), entry("a.js"));
    const diff = diffListings(a, b);
    assert.equal(isSameListing(diff), true);
    assert.equal(diff.unchanged, 2);
  });

  test("leaves directory entries out and counts the later of two entries of one name", () => {
    const a = listing(
      entry("lib/"),
      entry("lib/x.js", { crc32: 1 }),
      entry("lib/x.js", { crc32: 2 }),
    );
    const b = listing(entry("lib/x.js", { crc32: 2 }));
    assert.equal(isSameListing(diffListings(a, b)), true);
  });

  test("a file whose mode is unknown in one zip (made on Windows) is changed by mode", () => {
    const diff = diffListings(listing(entry("a.js", { mode: undefined })), listing(entry("a.js")));
    assert.deepEqual(diff.changed[0].reasons, ["mode"]);
  });

  test("Info-ZIP's zip and ours of the same tree differ only where modes were normalised", async () => {
    const root = await tempDir("diff-src");
    await makeTree(
      root,
      { "index.js": "exports.handler = 1;\n", "lib/util.js": "module.exports = 2;\n" },
      { fileMode: 0o664, execMode: 0o775, mtime: 1_600_000_000 },
    );
    const dir = await tempDir("diff");
    const infozip = path.join(dir, "infozip.zip");
    await run("zip", ["-q", "-r", "-X", infozip, "."], { cwd: root });
    const ours = path.join(dir, "ours.zip");
    await writeZip(await entriesOf(root), ours, { level: 9, mtime: 0 });
    const diff = diffListings(await list(infozip), await list(ours));
    assert.deepEqual(diff.added, []);
    assert.deepEqual(diff.removed, []);
    assert.deepEqual(
      diff.changed.map((c) => [
        c.name,
        c.reasons,
        c.before.mode?.toString(8),
        c.after.mode?.toString(8),
      ]),
      [
        ["index.js", ["mode"], "100664", "100644"],
        ["lib/util.js", ["mode"], "100664", "100644"],
      ],
    );
  });
});
