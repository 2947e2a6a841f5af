import assert from "node:assert/strict";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { create } from "tar";
import { packageBins, unpackTarball } from "../../../../engine/nodejs/npm-cache/unpack";
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
    assert.deepEqual(unpackTarball(tgz, archive), {
      reason: "its tarball holds a name with a line break",
    });
  } finally {
    close();
  }
});

test("bytes that are not a tarball are a reason, not a crash", async () => {
  const { archive, close } = await tarball({ "ok.js": "y" });
  try {
    const result = unpackTarball(Buffer.from("not a tarball at all"), archive);
    assert.ok("reason" in result && /unreadable/.test(result.reason), JSON.stringify(result));
  } finally {
    close();
  }
});
