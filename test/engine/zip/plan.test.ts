import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { BIG_FILE, CHUNK, planUnits, sortEntries } from "../../../engine/zip/plan";

const entry = (name: string, size = 1) => ({
  name,
  sourceFile: `/src/${name}`,
  size,
  executable: false,
});

describe("sortEntries", () => {
  test("orders names by their UTF-8 bytes, not by UTF-16 code units", () => {
    const names = ["ab", "a/b", "\u{1F600}.txt", "a.b", "\uFF5E.txt", "B", "a-b"];
    const sorted = sortEntries(names.map((n) => entry(n))).map((e) => e.displayName);
    // "\uFF5E" is EF BD 9E in UTF-8 and sorts before F0 9F 98 80, though its
    // UTF-16 unit (FF5E) is above the emoji's surrogate (D83D).
    assert.deepEqual(sorted, ["B", "a-b", "a.b", "a/b", "ab", "\uFF5E.txt", "\u{1F600}.txt"]);
  });

  test("orders names all in ASCII by their bytes too", () => {
    const names = ["ab", "a/b", "Z", "a.b", "a", "~x", "a-b", "_u", "a/b/c", "a0", " s", "B"];
    const sorted = sortEntries(names.map((n) => entry(n))).map((e) => e.displayName);
    const byBytes = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(sorted, byBytes);
    assert.deepEqual(sorted.slice(0, 4), [" s", "B", "Z", "_u"]);
  });

  test("rejects names that are absolute, climb out, use backslashes or name a directory", () => {
    const bad = ["/etc/passwd", "../x", "a/../../x", "a\\b", "dir/", "", "a//b", "./a"];
    for (const name of [...bad, ".", "..", "a/.", "a/..", "a/./b", "a/../b"]) {
      assert.throws(
        () => sortEntries([entry(name)]),
        (e: unknown) => e instanceof LambdaPackageError && e.code === "ZIP_BAD_ENTRY_NAME",
        JSON.stringify(name),
      );
    }
  });

  test("takes parts that only start or end with dots", () => {
    const names = ["...", ".a", "a/.b", "a..b", "a/...", "b./c..", ".../x"];
    assert.equal(sortEntries(names.map((n) => entry(n))).length, names.length);
  });

  test("rejects duplicate names, naming both source files", () => {
    assert.throws(
      () => sortEntries([entry("a.py"), { ...entry("a.py"), sourceFile: "/other/a.py" }]),
      (e: unknown) =>
        e instanceof LambdaPackageError &&
        e.code === "ZIP_DUPLICATE_ENTRY" &&
        e.message.includes("/src/a.py") &&
        e.message.includes("/other/a.py"),
    );
  });
});

describe("planUnits", () => {
  test("cuts a big file into fixed chunks that depend on its size alone", () => {
    const size = BIG_FILE + 5 * CHUNK + 7;
    const { units } = planUnits(sortEntries([entry("big.bin", size)]), 9);
    const chunks = units.map((u) =>
      u.job.kind === "chunk" ? [u.job.offset, u.job.length, u.job.last] : [],
    );
    const expected = [];
    for (let offset = 0; offset < size; offset += CHUNK) {
      expected.push([offset, Math.min(CHUNK, size - offset), offset + CHUNK >= size]);
    }
    assert.deepEqual(chunks, expected);
  });

  test("batches small files up to 64 files or 1 MiB, keeping their order", () => {
    const small = Array.from({ length: 150 }, (_, i) =>
      entry(`f${String(i).padStart(3, "0")}`, 10),
    );
    const medium = [entry("m1", 600 * 1024), entry("m2", 600 * 1024), entry("m3", BIG_FILE)];
    const { units } = planUnits(sortEntries([...small, ...medium]), 9);
    const sizes = units.map((u) => (u.job.kind === "files" ? u.job.paths.length : -1));
    assert.deepEqual(sizes, [64, 64, 23, 1, 1]);
    const order = units.flatMap((u) => (u.job.kind === "files" ? u.job.paths : []));
    assert.deepEqual(
      order,
      sortEntries([...small, ...medium]).map((e) => e.sourceFile),
    );
  });

  test("marks the small files that share their size with another as ones that may repeat it", () => {
    const entries = sortEntries([
      entry("a", 10),
      entry("b", 11),
      entry("c", 10),
      entry("d", 0),
      entry("e", 0),
      entry("z1", BIG_FILE + 1),
      entry("z2", BIG_FILE + 1),
    ]);
    const { units, repeats } = planUnits(entries, 9);
    const first = units[0].job;
    assert.equal(first.kind, "files");
    assert.deepEqual(first.kind === "files" && first.repeatable, [true, false, true, false, false]);
    // Empty files have nothing to compress; big files are chunks, never repeats.
    assert.deepEqual(repeats, { files: 2, bytes: 20 });
    const stored = planUnits(entries, 0);
    assert.deepEqual(stored.repeats, { files: 0, bytes: 0 });
    assert.ok(stored.units.every((u) => u.job.kind !== "files" || !u.job.repeatable));
  });
});
