/**
 * $PACKAGE_ZIP as an attacker would craft it: links out of the tree, names
 * that climb out, duplicates, and zip bombs. Nothing may be written outside
 * the staging directory, and nothing past the size limit.
 */
import assert from "node:assert/strict";
import { constants } from "node:fs";
import { mkdir, open, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { extractPackageZip } from "../../../engine/stage/package-zip";
import { LambdaPackageError } from "../../../shared/errors";
import { python, run } from "../../support/run";
import { tempDir } from "../../support/tmp";

/** An entry of a crafted zip: a file, or a symlink (`link` holds its target). */
type Crafted = { name: string; data?: string; link?: string };

/** Writes a zip with exactly these entries, in this order, with Python's zipfile. */
async function craft(dir: string, entries: Crafted[]): Promise<string> {
  const zip = path.join(dir, "package.zip");
  const script = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for e in json.loads(sys.argv[2]):
        info = zipfile.ZipInfo(e["name"])
        info.create_system = 3
        if "link" in e:
            info.external_attr = 0o120777 << 16
            z.writestr(info, e["link"])
        else:
            info.external_attr = (0o40755 << 16) if e["name"].endswith("/") else (0o100644 << 16)
            z.writestr(info, e.get("data", ""))
`;
  await python(script, zip, JSON.stringify(entries));
  return zip;
}

/** A staging dir inside `dir`, next to an `outside` dir holding a file that must survive. */
async function scene() {
  const dir = await tempDir("hostile");
  const staging = path.join(dir, "staging");
  const outside = path.join(dir, "outside");
  await mkdir(staging);
  await mkdir(outside);
  await writeFile(path.join(outside, "keep.txt"), "precious");
  const untouched = async () => {
    assert.deepEqual(await readdir(outside), ["keep.txt"]);
    assert.equal(await readFile(path.join(outside, "keep.txt"), "utf8"), "precious");
  };
  return { dir, staging, outside, untouched };
}

function refusal(code: string, ...patterns: RegExp[]) {
  return (error: unknown) => {
    assert.ok(error instanceof LambdaPackageError, String(error));
    assert.equal(error.code, code, error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  };
}

describe("extractPackageZip with a hostile zip", () => {
  test("a symlink out of the tree, then a file through it, writes nothing outside", async () => {
    const { dir, staging, outside, untouched } = await scene();
    const zip = await craft(dir, [
      { name: "link", link: outside },
      { name: "link/pwned.txt", data: "owned" },
    ]);
    await assert.rejects(
      extractPackageZip(zip, staging),
      refusal("SYMLINK_ESCAPES", /"link", a symlink to ".*outside", which is outside the package/),
    );
    await untouched();
  });

  test("a symlink to a directory outside, then a file of that name, deletes nothing outside", async () => {
    const { dir, staging, untouched } = await scene();
    const zip = await craft(dir, [
      { name: "d", link: "../outside" },
      { name: "d/keep.txt", data: "replaced" },
    ]);
    await assert.rejects(extractPackageZip(zip, staging), refusal("SYMLINK_ESCAPES", /"d"/));
    await untouched();
  });

  test("a symlink to the parent directory is refused", async () => {
    const { dir, staging, untouched } = await scene();
    const zip = await craft(dir, [{ name: "up", link: ".." }]);
    await assert.rejects(extractPackageZip(zip, staging), refusal("SYMLINK_ESCAPES", /"up"/));
    await untouched();
  });

  test("a file staged by the packager as a link out of the tree is never written through", async () => {
    const { dir, staging, outside, untouched } = await scene();
    await run("ln", ["-s", outside, path.join(staging, "lib")]);
    const zip = await craft(dir, [{ name: "lib/keep.txt", data: "replaced" }]);
    await assert.rejects(
      extractPackageZip(zip, staging),
      refusal(
        "PACKAGE_ZIP_CORRUPT",
        /"lib\/keep\.txt", which would be written through the symlink "lib"/,
      ),
    );
    await untouched();
  });

  test('".." and absolute names are refused by what they are, naming the entry', async () => {
    const { dir, staging, untouched } = await scene();
    const climbing = await craft(dir, [{ name: "../outside/keep.txt", data: "x" }]);
    await assert.rejects(
      extractPackageZip(climbing, staging),
      refusal(
        "PACKAGE_ZIP_CORRUPT",
        /"\.\.\/outside\/keep\.txt", a path that climbs out with "\.\."/,
      ),
    );
    const absolute = await craft(dir, [{ name: "/etc/evil.txt", data: "x" }]);
    await assert.rejects(
      extractPackageZip(absolute, staging),
      refusal("PACKAGE_ZIP_CORRUPT", /"\/etc\/evil\.txt", an absolute path/),
    );
    await untouched();
    assert.deepEqual(await readdir(staging), []);
  });

  test("a name given twice, or as a directory and then a file, is refused before any write", async () => {
    const { dir, staging } = await scene();
    const twice = await craft(dir, [
      { name: "a.txt", data: "1" },
      { name: "a.txt", data: "2" },
    ]);
    await assert.rejects(
      extractPackageZip(twice, staging),
      refusal("PACKAGE_ZIP_CORRUPT", /"a\.txt" twice/),
    );
    const both = await craft(dir, [{ name: "d/" }, { name: "d", data: "file" }]);
    await assert.rejects(
      extractPackageZip(both, staging),
      refusal("PACKAGE_ZIP_CORRUPT", /"d" twice/),
    );
    assert.deepEqual(await readdir(staging), []);
  });

  test("a zip that declares more than Lambda's limit is refused before writing a byte", async () => {
    const { dir, staging } = await scene();
    const zip = path.join(dir, "bomb.zip");
    // 300 MiB of zeros deflate to a few hundred KB.
    await python(
      "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z: z.writestr('zeros.bin', bytes(300 * 1024 * 1024))",
      zip,
    );
    assert.ok((await stat(zip)).size < 2 * 1024 * 1024);
    await assert.rejects(
      extractPackageZip(zip, staging),
      refusal("PACKAGE_TOO_LARGE", /declares more than 250\.0 MiB/, /Nothing was extracted/),
    );
    assert.deepEqual(await readdir(staging), []);
  });

  test("a zip whose declared sizes lie stops extracting at the lie", async () => {
    const { dir, staging } = await scene();
    const zip = path.join(dir, "liar.zip");
    // 64 MiB of zeros whose local and central headers claim 1000 bytes.
    await python(
      `import struct, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z: z.writestr('zeros.bin', bytes(64 * 1024 * 1024))
data = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<I', data, 22, 1000)
central = data.rindex(b'PK\\x01\\x02')
struct.pack_into('<I', data, central + 24, 1000)
open(sys.argv[1], 'wb').write(data)`,
      zip,
    );
    await assert.rejects(
      extractPackageZip(zip, staging),
      refusal("PACKAGE_ZIP_CORRUPT", /zeros\.bin/),
    );
    const written = await stat(path.join(staging, "zeros.bin")).catch(() => ({ size: 0 }));
    assert.ok(written.size <= 1024 * 1024, `${written.size} bytes were written`);
  });
  test("a FIFO left as $PACKAGE_ZIP is refused at once, naming it", async () => {
    const { dir, staging } = await scene();
    const fifo = path.join(dir, "package.zip");
    await run("mkfifo", [fifo]);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), 10_000);
    });
    const outcome = await Promise.race([
      extractPackageZip(fifo, staging).catch((e: unknown) => e),
      late,
    ]);
    clearTimeout(timer);
    if (outcome === "late") {
      // Opening the other end lets a reader blocked in open() go, so the test ends.
      const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(
        () => undefined,
      );
      await writer?.close();
      assert.fail("extracting a FIFO did not return within 10 s");
    }
    refusal("PACKAGE_ZIP_CORRUPT", /it is a FIFO \(named pipe\), not a regular file/)(outcome);
    assert.ok((outcome as Error).message.includes(fifo));
  });

  test("an end record claiming more entries than the file can hold is refused before any read", async () => {
    const { dir, staging } = await scene();
    const zip = path.join(dir, "package.zip");
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(60_000, 8);
    end.writeUInt16LE(60_000, 10);
    end.writeUInt32LE(100, 12);
    await writeFile(zip, Buffer.concat([Buffer.alloc(100), end]));
    await assert.rejects(
      extractPackageZip(zip, staging),
      refusal(
        "PACKAGE_ZIP_CORRUPT",
        /claims 60000 entries, whose central directory would take at least 2\.6 MiB, more than the file's own 122 B/,
      ),
    );
    assert.deepEqual(await readdir(staging), []);
  });

  test("an entry name with control characters is quoted escaped in the refusal", async () => {
    const { dir, staging } = await scene();
    // Not ASCII, so zipfile marks it UTF-8 and the line break is one, not a CP437 glyph.
    const name = "\u00e9\n+ added fake.js\x1b[2J";
    const zip = await craft(dir, [
      { name, data: "1" },
      { name, data: "2" },
    ]);
    await assert.rejects(
      extractPackageZip(zip, staging),
      refusal("PACKAGE_ZIP_CORRUPT", /holds "\u00e9\\n\+ added fake\.js\\x1b\[2J" twice/),
    );
  });
});
