/**
 * The zipper's exact output, pinned: the SHA-256 of zips of every fixture
 * tree and of a generated tree that takes every path through the zipper
 * (batches of small files, chunks of big ones, stored and deflated entries,
 * ranges of an archive, every level), computed by the zipper as it was
 * before its per-file work was restructured. Any change to how the bytes
 * are read, compressed or laid out shows here as a different digest.
 *
 * A fixture tree edited on purpose changes its digest too: recompute it
 * with the zipper of a commit whose output is known good.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { openFileSource, readCentralDirectory } from "../../../engine/listing";
import { writeZip, type ZipEntry, type ZipResult } from "../../../engine/zip";
import type { ZipStoreOptions } from "../../../engine/zip/store";
import { tempDir } from "../../support/tmp";
import { entriesOf, makeTree } from "./zip-tools";

const MTIME = 1_700_000_000;
const FIXTURES = path.join(__dirname, "..", "..", "..", "..", "test", "fixtures");

/** `length` bytes that deflate cannot shrink, the same on every run: SHA-256 in counter mode. */
function noise(seed: string, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let at = 0, n = 0; at < length; at += 32, n++) {
    createHash("sha256").update(`${seed}:${n}`).digest().copy(out, at);
  }
  return out;
}

/** Text that deflates well but not trivially: words drawn by the noise. */
function text(seed: string, length: number): Buffer {
  const words = ["lambda", "zip", "handler", "export", "const", "return", "{", "}", "\n", "  "];
  const picks = noise(seed, length);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word =
      words[picks[i % picks.length] % words.length] + (picks[i % picks.length] & 1 ? " " : "");
    parts.push(word);
    size += word.length;
  }
  return Buffer.from(parts.join("").slice(0, length));
}

/**
 * A tree with thousands of small files in many batches, empty ones,
 * executables, incompressible ones, files at and around the big-file limit,
 * and big files cut into chunks (compressible and not).
 */
async function generatedTree(root: string): Promise<ZipEntry[]> {
  const files: Record<string, string | Buffer> = {};
  for (let i = 0; i < 1500; i++) {
    const dir = `pkg${i % 37}/lib${i % 5}`;
    const size = (i * 7919) % 9000;
    files[`${dir}/f${i}.${i % 11 === 0 ? "sh" : "js"}`] =
      i % 13 === 0 ? noise(`small${i}`, size) : text(`small${i}`, size);
  }
  files["empty/a.txt"] = "";
  files["empty/b.sh"] = "";
  files["limit/exact.bin"] = text("exact", 1024 * 1024);
  files["limit/over.bin"] = text("over", 1024 * 1024 + 1);
  files["limit/under.bin"] = noise("under", 1024 * 1024 - 1);
  files["big/text.js"] = text("big", 3 * 1024 * 1024 + 12345);
  files["big/noise.bin"] = noise("bignoise", 2 * 1024 * 1024 + 777);
  await makeTree(root, files);
  return entriesOf(root);
}

/**
 * A tree in which most files repeat another's content, as an installed
 * node_modules does: copies of a package at several places, of text and of
 * incompressible bytes, empty ones, files of a repeated size but their own
 * content, and ranges of an archive that repeat whole files.
 */
async function repeatsTree(root: string): Promise<ZipEntry[]> {
  const files: Record<string, string | Buffer> = {};
  const contents = Array.from({ length: 40 }, (_, i) => {
    const size = 200 + ((i * 7919) % 20000);
    return i % 9 === 0 ? noise(`repeat${i}`, size) : text(`repeat${i}`, size);
  });
  for (let copy = 0; copy < 12; copy++) {
    contents.forEach((content, i) => {
      if ((i + copy) % 3 !== 0) files[`copy${copy}/node_modules/p${i}/index.js`] = content;
    });
    files[`copy${copy}/LICENSE`] = text("licence", 1077);
    files[`copy${copy}/empty.js`] = "";
    // The same size as a repeated file, another content.
    files[`copy${copy}/twin.js`] = text(`twin${copy}`, contents[1].length);
  }
  await makeTree(root, files);
  const archive = path.join(root, "..", "repeats-archive.bin");
  await writeFile(archive, Buffer.concat([noise("pad", 10), contents[2], contents[3]]));
  const ranges: ZipEntry[] = [
    {
      name: "ranges/a",
      sourceFile: archive,
      size: contents[2].length,
      executable: false,
      offset: 10,
    },
    {
      name: "ranges/b",
      sourceFile: archive,
      size: contents[3].length,
      executable: true,
      offset: 10 + contents[2].length,
    },
  ];
  return [...(await entriesOf(root)), ...ranges];
}

/** Entries that are ranges of one archive file, as a packager lists a wheel's members. */
async function rangeEntries(dir: string): Promise<ZipEntry[]> {
  const parts = [
    text("r0", 5000),
    noise("r1", 3000),
    text("r2", 1024 * 1024 + 4096),
    Buffer.alloc(0),
    text("r4", 100),
  ];
  const archive = path.join(dir, "archive.bin");
  const entries: ZipEntry[] = [];
  let offset = 17;
  const chunks: Buffer[] = [noise("head", 17)];
  parts.forEach((bytes, i) => {
    entries.push({
      name: `r/part${i}`,
      sourceFile: archive,
      size: bytes.length,
      executable: false,
      offset,
    });
    chunks.push(bytes, noise(`gap${i}`, 50));
    offset += bytes.length + 50;
  });
  await writeFile(archive, Buffer.concat(chunks));
  return entries;
}

async function zipDigest(
  entries: readonly ZipEntry[],
  dir: string,
  options: { level: number; concurrency?: number },
): Promise<string> {
  return (await zipWith(entries, dir, { ...options, store: false })).sha256;
}

async function zipWith(
  entries: readonly ZipEntry[],
  dir: string,
  options: { level: number; concurrency?: number; store: ZipStoreOptions | false },
): Promise<ZipResult> {
  await mkdir(dir, { recursive: true });
  const out = path.join(dir, `out-${options.level}-${options.concurrency ?? "d"}.zip`);
  const result = await writeZip(entries, out, { mtime: MTIME, ...options });
  // The zipper hashes as it writes: the digest must be that of the file it left.
  const bytes = await readFile(out);
  assert.equal(result.size, bytes.length, `size of ${out}`);
  assert.equal(
    result.sha256,
    createHash("sha256").update(bytes).digest("hex"),
    `SHA-256 of ${out}`,
  );
  // And its listing is what reading the zip's directory back gives.
  const source = await openFileSource(out);
  try {
    assert.deepEqual(result.listing, await readCentralDirectory(source), `listing of ${out}`);
  } finally {
    await source.close();
  }
  return result;
}

/** Digests computed before the zipper's per-file work was restructured. */
const FIXTURE_ZIPS: Record<string, string> = {
  "copy@9": "0c83e91696b718b34bd74f9af2e8209f63642b080b846d9c41a7a2105282e592",
  "copy@0": "4cdfe28ecae9a9aad2e8e52aa79f56d8947aa5aaca49fec65384c16c7ff2bc2c",
  "generic@9": "8dab51f94baac314a76af558e71d2deccd8d655a1c54c4ba4beabd6c69086f06",
  "generic@0": "fbc75f84d3ec7e428ee57e771b5251089cc8164af265ea4ad6ea2d284ee25631",
  "nodejs-app@9": "667adfad83d4064ff90e0aa27e9d07404ac4f7ff06bebf587fb0b508f65e1c17",
  "nodejs-app@0": "b1da938fa0a10a0652f5b0e4b6d767eaa8d660ba829848ea1b174aa9d461b9ba",
  "nodejs-registry-app@9": "c7cfcfb5f39c9fddc5cc72516b77d6fd2401e6868243caec1f91b0b92ca866d4",
  "nodejs-registry-app@0": "087c233ccad1aa5d66b7c33e533d3bdc7f603e9c51c3e1ec52ac8fb98dec1e13",
  "nodejs-ts@9": "2a6f4e283d830092122e7c46cc571bc37741e62f749920e8c5e0ad12a4152af3",
  "nodejs-ts@0": "91cdfd35cdf598ea13e14215df38e85110bd903d79f97839c7aca112d0bded9d",
  "npm-workspace@9": "94929f5519405a1cdf654fcc13aa52f387e7ecfd6feaee25246a873cf226e8b6",
  "npm-workspace@0": "d1de6e2a33a10fd2bf97f268ebe421e103641543cc31f8dc4397849f0754c447",
  "pnpm-workspace@9": "cd3d58c7b53b7c7d60e2ee84cd87cf4c1e4c4d3c406c6cf5e3feff03a8a47f19",
  "pnpm-native-workspace@0": "d3c3749a9081c4bfd1f21bd8804ddc0ec524223e80be75c950baa77984954647",
  "pnpm-native-workspace@9": "db6fe53a23fd26879d3d9400828c0d6f45aaaf9855fccf8985ec4a2abd256219",
  "pnpm-workspace@0": "c7b0e139c7bdc4a8781d3adb765e3fab5ec31df8c902831c9f7221e943acbd65",
  "python-app@9": "7e47252167dbacda1332837bf1e1864a6beb336cb67ce519ef40cc08485b26c2",
  "python-app@0": "374ac6bcb3419924b5614a1920935dc6bf9a9bce73b4539f3110012533cf29aa",
  "python-dists@9": "228d21114b9f8443233d8d400089ba530cde4f59064baf0c60fc49650f5ed1f3",
  "python-dists@0": "ea7133f0e4afc1ad1ebfd32801d7cace24e1f2a76b35530cb2142777555d3505",
  "python-greeting@9": "402243b2d35977e477f4309e20eaf37b4ac788340aa7fe71f264835ed6e2715c",
  "python-greeting@0": "2452cde74acfe125eccd50f05f61ff6b5584c65edf122e7bfa7e71b5b8e71fa9",
  "python-package@9": "811fb9f80e0d510b7c0d592bd67e29aa0430aefcdae76b583b06631ba71fed09",
  "python-package@0": "9a9845a2ef73b8db8f4a3832c27fa002de36cbb68648c82c7ad8e24e6acf8648",
  "python-poetry-app@9": "d4ad9165d540871d6c23954db32a12a3e62e31efd9a78fe315343ed10796c5dc",
  "python-poetry-app@0": "027d85f569e99bf02b3fbe6cc9bf4b36ab3380b905b53b94683d4a2c0896de52",
  "python-pylock-app@9": "96bf0ee623cabed24afcd83c7e4128711ef456e1346c657316250e2c0f0a83b3",
  "python-pylock-app@0": "bff991ca5a77b947825f1d2a6d3fcd819e10f8b320e65030b44333c566941cc8",
  "python-uv-app@9": "15a676487d7d9ec46e8a7f74c48a88719e8434fd75c2111808a87d2817f4a56a",
  "python-uv-members@0": "ef7b17dca3a75e76469cfd49310b726e3f022980e157cf9e121b62155589644f",
  "python-uv-members@9": "93ff61b1ffbdea920c6b36f3a59e268accf7ca6cec16094297ad8a26432e265a",
  "python-uv-no-lock@0": "ec860af6205eaec49d91bdad5ab2708adf5e28e2741e38faf62b7f739245b50b",
  "python-uv-no-lock@9": "703be7788429bfde027ecd08fe50e568819464994a35d61d008a3598ed87e89b",
  "python-uv-app@0": "9e64d7b978418aca9358cfbec57d1855ca54a8c8f9ae44cddc4eed3177352958",
  "python-uv-workspace@9": "a5a8e50af940f3d2843e60b8c2da9a413b7b12909114f288fe8b0a4f72c253e7",
  "python-uv-workspace@0": "ea0997773ff8d6c4a3172c5d2555e415e810fb1680506dc82c96b299138eff1e",
  "state-0.1.0@9": "6c6e40943fb457de7f37578f23b93f2553b64d098896bacb7695b8eacf0f855a",
  "state-0.1.0@0": "f3018dc1b8476c69ac602173d29e19e8668f761d89c4d21a9fd33b12a6669a0d",
  "yarn-classic-workspace@9": "84dfff7ef5d3bd58bcc5627f75dd43580adfb716f594ac2857c9f9381bddb214",
  "yarn-classic-workspace@0": "cd17f84c16b5df07dd9f714c6acc3e41b819197fc18c1dd982d8c3f75748c913",
  "yarn-workspace@9": "f8d559027af5526aa18cf84a746524d8eefa3f11c2621ddb75fda39d9a5a5c6c",
  "yarn-workspace@0": "5d1683882b1508f97616a616625eeb77675c36000f12701bd560c570012884e2",
};
const GENERATED_ZIPS: Record<string, string> = {
  "0": "dd0cd7d4ba3027deefd300e325dd1877d850b7a8a4299a29de9451a1a6ddf630",
  "1": "07705c5d5c4f8c441f3fc4df8e7f134a7d7230572747c9918aed2091d062b52d",
  "6": "1f54a90545c3b2c29e245a26dbc78c3eca4ba6d7351725a2f5b045ed03ba8e82",
  "9": "2eeffb6262f3a06eb974c68903d69089d9ae5ea382458ca45a93d29b95c7dfc8",
};
const RANGE_ZIPS: Record<string, string> = {
  "0": "85070f3971045a74496e04223583cd87aae3ad241d25ba38e7ff8ff515737cb3",
  "9": "d2f611628152a232a699fa609befd15e674f1189048fba03cc7e81d4a0145459",
};

/** Digests of repeatsTree's zip by the zipper before repeats were compressed once (da90d34). */
const REPEAT_ZIPS: Record<string, string> = {
  "9": "be8d05328ac76f4ef5b45e3617cd8eb193b27e2832ac9214fa9fa91a6e082fb6",
  "6": "09bbc1d43df65e6245f26c7b4c10e2321e9563b19d00aeaf2c20355809f2fe13",
  "1": "dd8836371cf8852fdff91c1c87360b1d061f4ff120c25582a3d85817c23347ca",
  "0": "19952633ae4e96dd20ad53a67cecaef8d76a97e4f4747f3f0acb5d5a36f941bc",
};
/** Files of repeatsTree that repeat an earlier one: 40 contents in 8 places, 12 licences, 2 ranges. */
const REPEATS = 40 * 7 + 11 + 2;

describe("zip bytes", () => {
  test("a zip of every fixture tree has the bytes it had before, at levels 9 and 0", async () => {
    const dir = await tempDir("zip-bytes");
    const got: Record<string, string> = {};
    for (const name of (await readdir(FIXTURES)).sort()) {
      const entries = await entriesOf(path.join(FIXTURES, name));
      for (const level of [9, 0])
        got[`${name}@${level}`] = await zipDigest(entries, dir, { level });
    }
    assert.deepEqual(got, FIXTURE_ZIPS);
  });

  test("a zip of a tree that takes every path through the zipper has the bytes it had before, whatever the level and thread count", async () => {
    const dir = await tempDir("zip-bytes");
    const entries = await generatedTree(path.join(dir, "src"));
    const got: Record<string, string> = {};
    for (const level of [9, 6, 1, 0]) got[`${level}`] = await zipDigest(entries, dir, { level });
    for (const concurrency of [1, 2, 3]) {
      const digest = await zipDigest(entries, dir, { level: 9, concurrency });
      assert.equal(digest, got["9"], `level 9 with ${concurrency} threads`);
    }
    assert.deepEqual(got, GENERATED_ZIPS);
  });

  test("a zip whose streams all come from the zip store has the bytes it had before, at every level and thread count", async () => {
    const dir = await tempDir("zip-bytes");
    const entries = [
      ...(await generatedTree(path.join(dir, "src"))),
      ...(await rangeEntries(dir)).map((e) => ({ ...e, name: `ranges/${e.name}` })),
    ];
    const store = { dir: path.join(dir, "store") };
    for (const level of [9, 6, 1]) {
      const cold = await zipWith(entries, dir, { level, store: false });
      const recording = await zipWith(entries, dir, { level, store });
      assert.equal(recording.sha256, cold.sha256, `level ${level}, recording`);
      assert.equal(recording.store?.reused, 0, `level ${level}: nothing stored at this level yet`);
      for (const concurrency of [1, 2]) {
        const reused = await zipWith(entries, dir, { level, concurrency, store });
        assert.equal(reused.sha256, cold.sha256, `level ${level}, ${concurrency} threads, reused`);
        assert.ok(reused.store && reused.store.streams > 1000);
        assert.equal(reused.store.reused, reused.store.streams, `level ${level}: all reused`);
      }
    }
    const pinned = await zipWith(await generatedTree(path.join(dir, "src")), dir, {
      level: 9,
      store,
    });
    assert.equal(pinned.sha256, GENERATED_ZIPS["9"]);
    assert.equal(pinned.store?.reused, pinned.store?.streams);
  });

  test("a zip in which files repeat others' content has the bytes it had before they were compressed once, with or without the store", async () => {
    const dir = await tempDir("zip-bytes");
    const entries = await repeatsTree(path.join(dir, "src"));
    const got: Record<string, string> = {};
    for (const level of [9, 6, 1, 0]) {
      // One thread: every repeat meets its first copy already kept.
      const result = await zipWith(entries, dir, { level, concurrency: 1, store: false });
      got[`${level}`] = result.sha256;
      assert.equal(result.repeated, level === 0 ? 0 : REPEATS, `level ${level}`);
    }
    assert.deepEqual(got, REPEAT_ZIPS);
    for (const concurrency of [2, 3]) {
      // Threads may meet a content while another compresses it: they compress it too.
      const result = await zipWith(entries, dir, { level: 9, concurrency, store: false });
      assert.equal(result.sha256, REPEAT_ZIPS["9"], `${concurrency} threads`);
      assert.ok(
        result.repeated > REPEATS / 2,
        `${result.repeated} repeats on ${concurrency} threads`,
      );
    }
    const store = { dir: path.join(dir, "store") };
    for (const round of ["recording", "reused"]) {
      const result = await zipWith(entries, dir, { level: 9, concurrency: 2, store });
      assert.equal(result.sha256, REPEAT_ZIPS["9"], round);
    }
  });

  test("a zip of ranges of an archive has the bytes it had before", async () => {
    const dir = await tempDir("zip-bytes");
    const entries = await rangeEntries(dir);
    const got: Record<string, string> = {};
    for (const level of [9, 0]) got[`${level}`] = await zipDigest(entries, dir, { level });
    assert.deepEqual(got, RANGE_ZIPS);
  });
});
