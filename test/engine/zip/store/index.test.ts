import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { open, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { writeZip, type ZipEntry, type ZipResult } from "../../../../engine/zip";
import { defaultStore, type ZipStoreOptions } from "../../../../engine/zip/store";
import { tempDir } from "../../../support/tmp";
import { entriesOf, makeTree, unzipTest } from "../zip-tools";

const MTIME = 1_700_000_000;

/** Deterministic text that deflates well: words picked by a hash. */
function text(seed: string, length: number): Buffer {
  const words = ["const", "handler", "return", "export", "{", "}", "\n", "lambda", "zip"];
  const parts: string[] = [];
  let size = 0;
  for (let n = 0; size < length; n++) {
    const digest = createHash("sha256").update(`${seed}:${n}`).digest();
    for (const byte of digest) {
      const word = words[byte % words.length] + " ";
      parts.push(word);
      size += word.length;
    }
  }
  return Buffer.from(parts.join("").slice(0, length));
}

/** Bytes deflate cannot shrink. */
function noise(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let at = 0, n = 0; at < length; at += 32, n++) {
    createHash("sha256").update(`${seed}:${n}`).digest().copy(out, at);
  }
  return out;
}

/** Small files in several batches, copies of one file, an empty one, an incompressible one, a chunked big one. */
async function tree(root: string, seed = "t"): Promise<ZipEntry[]> {
  const files: Record<string, string | Buffer> = {};
  for (let i = 0; i < 300; i++)
    files[`lib/f${i}.js`] = text(`${seed}${i}`, 200 + ((i * 977) % 6000));
  files["LICENSE"] = text("licence", 1000);
  files["a/LICENSE"] = text("licence", 1000);
  files["empty.txt"] = "";
  files["image.png"] = noise(`${seed}png`, 20_000);
  files["big/bundle.js"] = text(`${seed}big`, 3 * 1024 * 1024 + 100);
  await makeTree(root, files);
  return entriesOf(root);
}

async function zip(
  entries: readonly ZipEntry[],
  out: string,
  store: ZipStoreOptions | false,
  extra: { log?: (line: string) => void; onProgress?: () => void; concurrency?: number } = {},
): Promise<ZipResult> {
  return writeZip(entries, out, { level: 9, mtime: MTIME, store, ...extra });
}

async function storeFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe("zip store", () => {
  test("a zip whose streams come from the store is byte for byte the zip compressed cold, and adds nothing to the store", async () => {
    const dir = await tempDir("zip-store");
    const entries = await tree(path.join(dir, "src"));
    const store = { dir: path.join(dir, "store") };
    const cold = await zip(entries, path.join(dir, "cold.zip"), false);
    const first = await zip(entries, path.join(dir, "first.zip"), store);
    assert.equal(first.sha256, cold.sha256);
    assert.equal(first.store?.reused, 0);
    const files = await storeFiles(store.dir);
    assert.equal(files.length, 2, `one pack and its index: ${files.join(", ")}`);

    const lines: string[] = [];
    const second = await zip(entries, path.join(dir, "second.zip"), store, {
      log: (l) => lines.push(l),
    });
    assert.equal(second.sha256, cold.sha256);
    assert.deepEqual(
      await readFile(path.join(dir, "second.zip")),
      await readFile(path.join(dir, "cold.zip")),
    );
    // Every small file but the empty one, and the big file's 13 chunks; the copy of LICENSE too.
    assert.equal(second.store?.streams, 303 + 13);
    assert.equal(second.store?.reused, second.store?.streams);
    assert.deepEqual(await storeFiles(store.dir), files, "nothing new to record");
    assert.match(lines.join("\n"), /zip store: reused 316 of 316 compressed streams/);
    await unzipTest(path.join(dir, "second.zip"));
  });

  test("a one-file change compresses that file again and reuses the rest, giving the cold zip's bytes", async () => {
    const dir = await tempDir("zip-store");
    const root = path.join(dir, "src");
    const store = { dir: path.join(dir, "store") };
    await zip(await tree(root), path.join(dir, "first.zip"), store);
    await writeFile(path.join(root, "lib/f7.js"), "exports.changed = true;\n".repeat(40));
    // One line near the end of the big file's fifth 256 KiB chunk: that chunk changes, and so
    // does the sixth, whose dictionary is the fifth's last 32 KiB.
    const big = path.join(root, "big/bundle.js");
    const handle = await open(big, "r+");
    await handle.write("/* one changed line */", 5 * 256 * 1024 - 100);
    await handle.close();
    const entries = await entriesOf(root);
    const changed = await zip(entries, path.join(dir, "changed.zip"), store);
    const cold = await zip(entries, path.join(dir, "cold.zip"), false);
    assert.equal(changed.sha256, cold.sha256);
    assert.equal(changed.store?.streams, 316);
    assert.equal(changed.store?.reused, 316 - 3);
  });

  test("another level or another tree with the same files reuses only what was compressed the same way", async () => {
    const dir = await tempDir("zip-store");
    const store = { dir: path.join(dir, "store") };
    const entries = await tree(path.join(dir, "src"));
    await zip(entries, path.join(dir, "first.zip"), store);
    const level6 = await writeZip(entries, path.join(dir, "six.zip"), {
      level: 6,
      mtime: MTIME,
      store,
    });
    const cold6 = await writeZip(entries, path.join(dir, "six-cold.zip"), {
      level: 6,
      mtime: MTIME,
      store: false,
    });
    assert.equal(level6.sha256, cold6.sha256);
    assert.equal(level6.store?.reused, 0);
    // The same contents under other names, in another function's tree.
    const renamed = entries.map((e) => ({ ...e, name: `other/${e.name}` }));
    const other = await zip(renamed, path.join(dir, "other.zip"), store);
    assert.equal(
      other.sha256,
      (await zip(renamed, path.join(dir, "other-cold.zip"), false)).sha256,
    );
    assert.equal(other.store?.reused, other.store?.streams);
  });

  test("a damaged stream in the store is compressed again, logged, and its pack removed", async () => {
    const dir = await tempDir("zip-store");
    const store = { dir: path.join(dir, "store") };
    const entries = await tree(path.join(dir, "src"));
    const cold = await zip(entries, path.join(dir, "cold.zip"), store);
    const [pack] = (await storeFiles(store.dir)).filter((f) => f.endsWith(".pack"));
    const packFile = path.join(store.dir, pack);
    const bytes = await readFile(packFile);
    for (let at = 1000; at < bytes.length; at += 50_000) bytes[at] ^= 0xff;
    await writeFile(packFile, bytes);
    const lines: string[] = [];
    const result = await zip(entries, path.join(dir, "after.zip"), store, {
      log: (l) => lines.push(l),
    });
    assert.equal(result.sha256, cold.sha256);
    assert.ok(result.store && result.store.reused < result.store.streams);
    assert.match(lines.join("\n"), new RegExp(`a stream in ${pack} failed its check`));
    const files = await storeFiles(store.dir);
    assert.ok(!files.includes(pack), "the damaged pack is gone");
    assert.equal(files.length, 2, "the streams compressed again are recorded in a new pack");
    const again = await zip(entries, path.join(dir, "again.zip"), store);
    assert.equal(again.sha256, cold.sha256);
    // What the damaged pack held and was not compressed again is not in the new pack.
    assert.ok(again.store && again.store.reused > 0);
  });

  test("a damaged or truncated index is ignored and removed with its pack", async () => {
    const dir = await tempDir("zip-store");
    const store = { dir: path.join(dir, "store") };
    const entries = await tree(path.join(dir, "src"));
    const cold = await zip(entries, path.join(dir, "cold.zip"), store);
    const [index] = (await storeFiles(store.dir)).filter((f) => f.endsWith(".index"));
    const content = await readFile(path.join(store.dir, index));
    await writeFile(path.join(store.dir, index), content.subarray(0, content.length - 7));
    const lines: string[] = [];
    const result = await zip(entries, path.join(dir, "after.zip"), store, {
      log: (l) => lines.push(l),
    });
    assert.equal(result.sha256, cold.sha256);
    assert.equal(result.store?.reused, 0);
    assert.match(lines.join("\n"), new RegExp(`${index} is damaged`));
    assert.ok(!(await storeFiles(store.dir)).includes(index));
  });

  test("a pack removed in the middle of a build makes the rest compress cold, with the same bytes", async () => {
    const dir = await tempDir("zip-store");
    const store = { dir: path.join(dir, "store") };
    // Only big files: 8 chunks each, every chunk a job that opens the pack by itself.
    const root = path.join(dir, "src");
    await makeTree(root, {
      "a.js": text("a", 2 * 1024 * 1024),
      "b.js": text("b", 2 * 1024 * 1024),
    });
    const entries = await entriesOf(root);
    const cold = await zip(entries, path.join(dir, "cold.zip"), store);
    let removed = false;
    const result = await zip(entries, path.join(dir, "after.zip"), store, {
      concurrency: 1,
      onProgress: () => {
        if (removed) return;
        removed = true;
        // Synchronously, while later chunks wait for their turn.
        for (const file of readdirSync(store.dir)) rmSync(path.join(store.dir, file));
      },
    });
    assert.ok(removed);
    assert.equal(result.sha256, cold.sha256);
    assert.ok(result.store && result.store.reused > 0, "the first chunks came from the store");
    assert.ok(result.store.reused < result.store.streams, "the later ones were compressed");
  });

  test("packs over the size bound are removed least recently used first", async () => {
    const dir = await tempDir("zip-store");
    const store = { dir: path.join(dir, "store") };
    const a = await tree(path.join(dir, "a"), "a");
    const b = await tree(path.join(dir, "b"), "b");
    const c = await tree(path.join(dir, "c"), "c");
    await zip(a, path.join(dir, "a.zip"), store);
    const [packA] = (await storeFiles(store.dir)).filter((f) => f.endsWith(".pack"));
    const size = (await stat(path.join(store.dir, packA))).size;
    await zip(b, path.join(dir, "b.zip"), store);
    const packB = (await storeFiles(store.dir)).find((f) => f.endsWith(".pack") && f !== packA)!;
    // b is the newer pack until a is reused, which marks it used now.
    const past = new Date(Date.now() - 60_000);
    await utimes(path.join(store.dir, packA), past, past);
    await utimes(
      path.join(store.dir, packB),
      new Date(Date.now() - 30_000),
      new Date(Date.now() - 30_000),
    );
    const reuseA = await zip(a, path.join(dir, "a2.zip"), store);
    assert.equal(reuseA.store?.reused, reuseA.store?.streams);
    // Room for two packs of this size: c's and the most recently used.
    await zip(c, path.join(dir, "c.zip"), { ...store, maxBytes: Math.floor(size * 2.5) });
    const packs = (await storeFiles(store.dir)).filter((f) => f.endsWith(".pack"));
    assert.equal(packs.length, 2);
    assert.ok(packs.includes(packA), "a, used last, is kept");
    assert.ok(!packs.includes(packB), "b, used longest ago, is removed");
    assert.ok(!(await storeFiles(store.dir)).includes(packB.replace(".pack", ".index")));
  });

  test("a failed zip records nothing in the store", async () => {
    const dir = await tempDir("zip-store");
    const store = { dir: path.join(dir, "store") };
    const entries = await tree(path.join(dir, "src"));
    const missing = {
      name: "zz-missing.js",
      sourceFile: path.join(dir, "nope.js"),
      size: 10,
      executable: false,
    };
    await assert.rejects(zip([...entries, missing], path.join(dir, "out.zip"), store), /nope\.js/);
    assert.deepEqual(await storeFiles(store.dir), []);
  });

  test("builds in two processes sharing one store, evicting each other's packs, all succeed with the cold bytes", async () => {
    const dir = await tempDir("zip-store");
    const storeDir = path.join(dir, "store");
    const a = await tree(path.join(dir, "a"), "a");
    const b = await tree(path.join(dir, "b"), "b");
    const coldA = await zip(a, path.join(dir, "a-cold.zip"), false);
    const coldB = await zip(b, path.join(dir, "b-cold.zip"), false);
    const scratch = { dir: path.join(dir, "scratch") };
    await zip(a, path.join(dir, "scratch.zip"), scratch);
    const [scratchPack] = (await storeFiles(scratch.dir)).filter((f) => f.endsWith(".pack"));
    // Room for one pack: each process's commit evicts the others' packs, perhaps as they read them.
    const packSize = Math.floor(1.5 * (await stat(path.join(scratch.dir, scratchPack))).size);
    const script = `
      const { writeZip } = require(${JSON.stringify(path.join(__dirname, "../../../../engine/zip"))});
      const [entries, out, dir, rounds] = JSON.parse(process.argv[1]);
      (async () => {
        const digests = [];
        for (let i = 0; i < rounds; i++) {
          const r = await writeZip(entries, out + i, { level: 9, mtime: ${MTIME}, store: { dir, maxBytes: ${packSize} } });
          digests.push(r.sha256 + " " + r.store.reused + "/" + r.store.streams);
        }
        console.log(JSON.stringify(digests));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const run = (entries: ZipEntry[], name: string) =>
      promisify(execFile)(process.execPath, [
        "-e",
        script,
        JSON.stringify([entries, path.join(dir, name), storeDir, 4]),
      ]).then(({ stdout }) => JSON.parse(stdout) as string[]);
    const runs = await Promise.all([run(a, "a.zip"), run(b, "b.zip"), run(a, "a-again.zip")]);
    const expected = [coldA.sha256, coldB.sha256, coldA.sha256];
    runs.forEach((lines, i) => {
      assert.equal(lines.length, 4);
      for (const line of lines) assert.equal(line.split(" ")[0], expected[i], line);
    });
    const left = await storeFiles(storeDir);
    assert.deepEqual(
      left.filter((f) => f.startsWith(".tmp-")),
      [],
      "no temporary file is left behind",
    );
    // Builds committing at once each evict by what they listed, so the bound may be passed by
    // the packs published meanwhile, until the next build's commit.
    const packs = left.filter((f) => f.endsWith(".pack")).length;
    assert.ok(packs >= 1 && packs <= 3, `at most one pack per concurrent build: ${packs}`);
    const last = await zip(b, path.join(dir, "b-last.zip"), { dir: storeDir, maxBytes: packSize });
    assert.equal(last.sha256, coldB.sha256);
    let bytes = 0;
    for (const file of await storeFiles(storeDir)) {
      if (file.endsWith(".pack")) bytes += (await stat(path.join(storeDir, file))).size;
    }
    assert.ok(bytes > 0 && bytes <= packSize, `the bound holds again: ${JSON.stringify(runs)}`);
  });

  test("the default store is in the user cache directory, moved or turned off by LAMBDA_PACKAGE_ZIP_STORE", () => {
    assert.deepEqual(defaultStore({ XDG_CACHE_HOME: "/x/cache" }), {
      dir: path.join("/x/cache", "lambda-package", "zip-store"),
    });
    assert.deepEqual(defaultStore({ LAMBDA_PACKAGE_ZIP_STORE: "/srv/store" }), {
      dir: "/srv/store",
    });
    assert.equal(defaultStore({ LAMBDA_PACKAGE_ZIP_STORE: "off" }), false);
    assert.throws(() => defaultStore({ LAMBDA_PACKAGE_ZIP_STORE: "relative/dir" }), {
      code: "BAD_ZIP_STORE",
      message:
        /LAMBDA_PACKAGE_ZIP_STORE must be "off" or an absolute directory path, got "relative\/dir"/,
    });
  });

  test("a store that cannot be written is logged and the zip is still written", async () => {
    const dir = await tempDir("zip-store");
    const entries = await tree(path.join(dir, "src"));
    const blocker = path.join(dir, "not-a-dir");
    await writeFile(blocker, "a file where the store's directory would be");
    const lines: string[] = [];
    const result = await zip(
      entries,
      path.join(dir, "out.zip"),
      { dir: path.join(blocker, "store") },
      {
        log: (l) => lines.push(l),
      },
    );
    const cold = await zip(entries, path.join(dir, "cold.zip"), false);
    assert.equal(result.sha256, cold.sha256);
    assert.equal(result.store, undefined);
    assert.match(
      lines.join("\n"),
      /zip store .*not-a-dir\/store cannot be read .*zipping without it/,
    );
    await rm(blocker);
  });
});
