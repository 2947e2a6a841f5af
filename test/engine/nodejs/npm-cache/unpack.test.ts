import assert from "node:assert/strict";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { createGzip, gzipSync } from "node:zlib";
import { create, Header } from "tar";
import {
  packageBins,
  TARBALL_BUDGET,
  unpackTarball,
} from "../../../../engine/nodejs/npm-cache/unpack";
import { tempDir } from "../../../support/tmp";

/** A gzipped tarball of `files` under package/, and an empty archive to unpack it into. */
async function tarball(files: Record<string, string>) {
  const dir = await tempDir("unpack");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, "package", name)), { recursive: true });
    await writeFile(path.join(dir, "package", name), content);
  }
  const tgz = path.join(dir, "p.tgz");
  await create({ gzip: true, file: tgz, cwd: dir, portable: true }, ["package"]);
  const archive = { fd: openSync(path.join(dir, "archive"), "w+"), size: 0 };
  return { tgz: await readFile(tgz), archive, close: () => closeSync(archive.fd) };
}

test("bins are normalised as npm does: a string is named after the package, paths cannot leave it", () => {
  assert.deepEqual([...packageBins({ name: "@s/tool", bin: "./cli.js" })], [["tool", "cli.js"]]);
  assert.deepEqual(
    [...packageBins({ bin: ["bin/a", "bin/b.js"] })],
    [
      ["a", "bin/a"],
      ["b.js", "bin/b.js"],
    ],
  );
  assert.deepEqual(
    [...packageBins({ bin: { "../x": "../../etc/passwd", y: 3, "": "z" } })],
    [["x", "etc/passwd"]],
  );
  assert.deepEqual(
    [...packageBins({ bin: "cli.js" })],
    [],
    "a string bin needs the package's name",
  );
});

test("a name with a line break, which a manifest line cannot hold, is a reason to let npm unpack", async () => {
  const { tgz, archive, close } = await tarball({ "a\nb.js": "x", "ok.js": "y" });
  try {
    assert.deepEqual(await unpackTarball(tgz, archive), {
      reason: "its tarball holds a name with a line break",
    });
  } finally {
    close();
  }
});

test("bytes that are not a tarball are a reason, not a crash", async () => {
  const { archive, close } = await tarball({ "ok.js": "y" });
  try {
    const result = await unpackTarball(Buffer.from("not a tarball at all"), archive);
    assert.ok("reason" in result && /unreadable/.test(result.reason), JSON.stringify(result));
  } finally {
    close();
  }
});

/** One tar entry: a 512-byte header and the body padded to a block, names as given (no tool would write them). */
function tarEntry(
  name: string,
  body: string | number,
  type: "File" | "SymbolicLink" = "File",
): Buffer {
  const size = typeof body === "string" ? Buffer.byteLength(body) : body;
  const header = Buffer.alloc(512);
  const linkpath = type === "SymbolicLink" ? "ok.js" : undefined;
  new Header({ path: name, mode: 0o644, size, type, linkpath, mtime: new Date(0) }).encode(header);
  if (typeof body !== "string") return header;
  const padded = Buffer.alloc(Math.ceil(size / 512) * 512);
  padded.write(body);
  return Buffer.concat([header, padded]);
}

const END = Buffer.alloc(1024);

/** An empty archive file to unpack into. */
async function emptyArchive() {
  const dir = await tempDir("unpack");
  const archive = { fd: openSync(path.join(dir, "archive"), "w+"), size: 0 };
  return { archive, close: () => closeSync(archive.fd) };
}

test("a file name with a `..` part or a control character is a reason; one with a backslash is refused, as no zip can hold it", async () => {
  for (const [name, expected] of [
    [
      "package/../../escaped.js",
      { reason: 'its tarball holds "package/../../escaped.js", a path out of the package' },
    ],
    [
      "package/a\u0001b.js",
      { reason: 'its tarball holds "a\\u0001b.js", a name with a control character' },
    ],
    [
      "package/win\\path.js",
      {
        refused:
          'its tarball holds "win\\\\path.js", and a zip entry\'s name cannot hold a backslash',
      },
    ],
  ] as const) {
    const tgz = gzipSync(
      Buffer.concat([tarEntry("package/ok.js", "ok"), tarEntry(name, "x"), END]),
    );
    const { archive, close } = await emptyArchive();
    try {
      assert.deepEqual(await unpackTarball(tgz, archive), expected, name);
    } finally {
      close();
    }
  }
});

test("a tarball that inflates past the budget is a reason, found without holding it: a file's declared size, or an entry npm leaves out", async () => {
  /** Gzips `head`, then `zeros` zero bytes streamed (never held), then `tail`. */
  const bomb = (head: Buffer, zeros: number, tail: Buffer) => {
    const gzip = createGzip();
    void (async () => {
      gzip.write(head);
      const block = Buffer.alloc(1024 * 1024);
      for (let left = zeros; left > 0; left -= block.length) {
        if (!gzip.write(left >= block.length ? block : block.subarray(0, left))) {
          await new Promise((resolve) => gzip.once("drain", resolve));
        }
      }
      gzip.end(tail);
    })();
    return buffer(gzip);
  };
  const over = TARBALL_BUDGET + 1024 * 1024;
  const ok = tarEntry("package/ok.js", "ok");
  const oneFile = await bomb(tarEntry("package/bomb.bin", over), over, END);
  // A link's body is read and dropped, as npm drops the link: only the inflated bytes say how much.
  const leftOut = await bomb(
    Buffer.concat([ok, tarEntry("package/link", over, "SymbolicLink")]),
    over,
    END,
  );
  for (const tgz of [oneFile, leftOut]) {
    assert.ok(tgz.length < over / 500, `a bomb: ${tgz.length} bytes gzipped`);
    const { archive, close } = await emptyArchive();
    try {
      assert.deepEqual(await unpackTarball(Readable.from([tgz]), archive), {
        reason: "its tarball unpacks to more than 250.0 MiB",
      });
      // Nothing of the bomb reached the archive either.
      assert.ok(archive.size < 1024, `${archive.size} bytes in the archive`);
    } finally {
      close();
    }
  }
});

test("what follows the end of the archive is not read: npm writes none of it", async () => {
  const after = 64 * 1024 * 1024;
  const tgz = gzipSync(Buffer.concat([tarEntry("package/ok.js", "ok"), END, Buffer.alloc(after)]));
  const { archive, close } = await emptyArchive();
  try {
    const result = await unpackTarball(Readable.from([tgz]), archive);
    assert.ok("files" in result, JSON.stringify(result));
    assert.deepEqual([...result.files.keys()], ["ok.js"]);
  } finally {
    close();
  }
});
