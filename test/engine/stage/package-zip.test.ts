import assert from "node:assert/strict";
import { mkdir, readFile, readlink, stat, writeFile, chmod } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { LambdaPackageError } from "../../../shared/errors";
import { EMPTY_ZIP } from "../../../engine/packager";
import { extractPackageZip } from "../../../engine/stage/package-zip";
import { python, run } from "../../support/run";
import { tempDir } from "../../support/tmp";

async function seedStyleZip(): Promise<{ zip: string; staging: string }> {
  const dir = await tempDir("pkgzip");
  const zip = path.join(dir, "package.zip");
  await writeFile(zip, EMPTY_ZIP);
  const src = path.join(dir, "src");
  await mkdir(path.join(src, "lib"), { recursive: true });
  await writeFile(path.join(src, "main.py"), "print('hi')\n");
  await writeFile(path.join(src, "lib", "run.sh"), "#!/bin/sh\n");
  await chmod(path.join(src, "lib", "run.sh"), 0o755);
  // Exactly what a seed packager does: add files to the pre-made empty zip.
  await run("zip", ["-q", "-r", zip, "."], { cwd: src });
  const staging = path.join(dir, "staging");
  await mkdir(staging);
  return { zip, staging };
}

describe("extractPackageZip", () => {
  test("an untouched empty zip contributes nothing", async () => {
    const dir = await tempDir("pkgzip");
    await writeFile(path.join(dir, "p.zip"), EMPTY_ZIP);
    assert.equal(await extractPackageZip(path.join(dir, "p.zip"), dir), 0);
  });

  test("extracts what a seed-style script zipped, keeping the executable bit", async () => {
    const { zip, staging } = await seedStyleZip();
    const count = await extractPackageZip(zip, staging);
    assert.ok(count >= 2);
    assert.equal(await readFile(path.join(staging, "main.py"), "utf8"), "print('hi')\n");
    assert.equal((await stat(path.join(staging, "lib", "run.sh"))).mode & 0o777, 0o755);
    assert.equal((await stat(path.join(staging, "main.py"))).mode & 0o777, 0o644);
  });

  test("an entry in the zip replaces a staged file of the same name", async () => {
    const { zip, staging } = await seedStyleZip();
    await writeFile(path.join(staging, "main.py"), "old");
    await extractPackageZip(zip, staging);
    assert.equal(await readFile(path.join(staging, "main.py"), "utf8"), "print('hi')\n");
  });

  test("restores symlinks stored with zip -y, leaving the escape check to the walk", async () => {
    const dir = await tempDir("pkgzip");
    const src = path.join(dir, "src");
    await mkdir(src);
    await writeFile(path.join(src, "real.txt"), "r");
    await run("ln", ["-s", "real.txt", path.join(src, "link.txt")]);
    const zip = path.join(dir, "p.zip");
    await run("zip", ["-q", "-y", "-r", zip, "."], { cwd: src });
    const staging = path.join(dir, "out");
    await mkdir(staging);
    await extractPackageZip(zip, staging);
    assert.equal(await readlink(path.join(staging, "link.txt")), "real.txt");
  });

  test("a truncated zip is a clear error naming $PACKAGE_ZIP", async () => {
    const { zip, staging } = await seedStyleZip();
    const bytes = await readFile(zip);
    await writeFile(zip, bytes.subarray(0, bytes.length - 30));
    await assert.rejects(extractPackageZip(zip, staging), (error: LambdaPackageError) => {
      assert.equal(error.code, "PACKAGE_ZIP_CORRUPT");
      assert.match(error.message, /\$PACKAGE_ZIP/);
      assert.match(error.message, new RegExp(zip.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
      return true;
    });
  });

  test("an entry that climbs out with .. is rejected and nothing is written outside", async () => {
    const dir = await tempDir("pkgzip");
    const zip = path.join(dir, "evil.zip");
    await python(
      "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('../evil.txt', 'x')",
      zip,
    );
    const staging = path.join(dir, "staging");
    await mkdir(staging);
    await assert.rejects(extractPackageZip(zip, staging), { code: "PACKAGE_ZIP_CORRUPT" });
    await assert.rejects(stat(path.join(dir, "evil.txt")));
  });

  test("an absolute entry name is rejected", async () => {
    const dir = await tempDir("pkgzip");
    const zip = path.join(dir, "abs.zip");
    await python(
      "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n  i = zipfile.ZipInfo('x'); i.filename = '/tmp/abs.txt'; z.writestr(i, 'x')",
      zip,
    );
    await assert.rejects(extractPackageZip(zip, dir), { code: "PACKAGE_ZIP_CORRUPT" });
  });
});
