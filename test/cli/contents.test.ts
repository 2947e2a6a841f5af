/**
 * What is in a package, through the CLI as a user runs it: the size report of
 * `build`, `inspect` on the zip alone, `diff` by group, size budgets and the
 * handler check.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { cli } from "../support/cli";
import { minioFixture } from "../support/minio";
import { tempDir } from "../support/tmp";

const minio = minioFixture();

/** A TypeScript handler that imports `heavy`, an installed package of about 1.5 MiB. */
async function bundleProject(): Promise<string> {
  const dir = path.join(await tempDir("cli-contents-bundle"), "fn");
  await mkdir(path.join(dir, "node_modules", "heavy"), { recursive: true });
  await mkdir(path.join(dir, "src"));
  const heavy = Array.from(
    { length: 20_000 },
    (_, i) => `exports.f${i} = function () { return ${i} * Math.random(); };\n`,
  ).join("");
  await writeFile(path.join(dir, "node_modules", "heavy", "index.js"), heavy);
  await writeFile(
    path.join(dir, "node_modules", "heavy", "package.json"),
    JSON.stringify({ name: "heavy", version: "1.0.0", main: "index.js" }),
  );
  await writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "fn", dependencies: { heavy: "1.0.0" } }),
  );
  await writeFile(
    path.join(dir, "src", "api.ts"),
    'import * as heavy from "heavy";\n' +
      "export const handler = async () => heavy.f1();\n" +
      "export function helper() {}\n",
  );
  return dir;
}

/** A Python function with one installed distribution, `Tiny_Dist`, whose RECORD lists `tiny/`. */
async function pythonProject(): Promise<string> {
  const dir = path.join(await tempDir("cli-contents-python"), "fn");
  await mkdir(path.join(dir, "tiny"), { recursive: true });
  await mkdir(path.join(dir, "Tiny_Dist-2.1.0.dist-info"));
  await writeFile(path.join(dir, "tiny", "__init__.py"), `DATA = "${"x".repeat(50_000)}"\n`);
  await writeFile(path.join(dir, "tiny", "core.py"), "def f():\n    return 1\n");
  await writeFile(
    path.join(dir, "Tiny_Dist-2.1.0.dist-info", "RECORD"),
    "tiny/__init__.py,,\ntiny/core.py,,\nTiny_Dist-2.1.0.dist-info/RECORD,,\n",
  );
  await writeFile(
    path.join(dir, "app.py"),
    "import json\nfrom tiny import core\n\n\ndef handle(event, context):\n    return core.f()\n\n\n" +
      "HANDLERS = {}\n",
  );
  return dir;
}

describe("lambda-package build and inspect: size by dependency", () => {
  test("a bundle's report splits index.js by the packages inlined in it, which inspect on the zip alone cannot", async () => {
    const dir = await bundleProject();
    const zip = path.join(path.dirname(dir), "fn.zip");
    const built = await cli([
      "build",
      dir,
      "--runtime",
      "nodejs22.x",
      "--entry",
      "src/api.ts",
      "--out",
      zip,
    ]);
    assert.equal(built.code, 0, built.stderr);
    const line = built.stdout
      .split("\n")
      .find((l) => l.includes("heavy (npm, inlined in index.js"));
    assert.ok(line, built.stdout);
    // Most of the bundle's bytes are heavy's: 1.5 MiB of about 1.5 MiB of JavaScript.
    assert.match(line, /^\s+1\.\d MiB\s+~ \d+\.\d KiB\s+heavy /);

    const inspected = await cli(["inspect", zip]);
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.doesNotMatch(inspected.stdout, /heavy/);
    assert.match(inspected.stdout, /note: index\.js is one file here; if it is a bundle/);

    const json = await cli(["inspect", zip, "--json"]);
    const contents = JSON.parse(json.stdout) as { files: number; groups: { kind: string }[] };
    // The bundle alone: no source map unless asked for.
    assert.equal(contents.files, 1);
    assert.deepEqual(
      contents.groups.map((g) => g.kind),
      ["own"],
    );
  });

  test("a Python package's files count to the distribution their RECORD lists, in build and inspect alike", async () => {
    const dir = await pythonProject();
    const zip = path.join(path.dirname(dir), "fn.zip");
    const built = await cli(["build", dir, "--runtime", "python3.12", "--out", zip]);
    assert.equal(built.code, 0, built.stderr);
    const group = /^\s+([\d.]+ KiB)\s+[\d.]+ \S+\s+Tiny_Dist 2\.1\.0 \(Python, 3 files\)$/m;
    assert.match(built.stdout, group);
    assert.match(built.stdout, /own files \(1 file; largest app\.py/);

    const inspected = await cli(["inspect", zip]);
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.equal(group.exec(inspected.stdout)?.[1], group.exec(built.stdout)?.[1]);
    const json = JSON.parse((await cli(["inspect", zip, "--json"])).stdout) as {
      groups: { kind: string; name: string; version?: string; files: number }[];
    };
    const dist = json.groups.find((g) => g.kind === "python");
    assert.deepEqual(
      { name: dist?.name, version: dist?.version, files: dist?.files },
      { name: "Tiny_Dist", version: "2.1.0", files: 3 },
    );
  });

  test("inspect reads an object version in S3 as it reads the zip, RECORD entries included", async () => {
    const dir = await pythonProject();
    const zip = path.join(path.dirname(dir), "fn.zip");
    assert.equal((await cli(["build", dir, "-r", "python3.12", "-o", zip])).code, 0);
    const bucket = await minio.bucket();
    const put = await minio.admin.send(
      new PutObjectCommand({ Bucket: bucket, Key: "fn/code.zip", Body: await readFile(zip) }),
    );
    const env = { AWS_ENDPOINT_URL_S3: minio.server.endpoint, AWS_REGION: minio.server.region };
    const uri = `s3://${bucket}/fn/code.zip?versionId=${put.VersionId}`;
    const remote = await cli(["inspect", uri], env);
    assert.equal(remote.code, 0, remote.stderr);
    assert.equal(remote.stdout, (await cli(["inspect", zip])).stdout);
    assert.match(remote.stdout, /Tiny_Dist 2\.1\.0 \(Python, 3 files\)/);
  });

  test("diff shows the size change of each group", async () => {
    const dir = await pythonProject();
    const before = path.join(path.dirname(dir), "before.zip");
    const after = path.join(path.dirname(dir), "after.zip");
    assert.equal((await cli(["build", dir, "-r", "python3.12", "-o", before])).code, 0);
    await writeFile(path.join(dir, "tiny", "more.py"), `MORE = "${"y".repeat(20_000)}"\n`);
    assert.equal((await cli(["build", dir, "-r", "python3.12", "-o", after])).code, 0);
    const diff = await cli(["diff", before, after]);
    assert.equal(diff.code, 1, diff.stderr);
    // more.py is not in the RECORD, and lies in the distribution's top-level directory.
    assert.match(diff.stdout, /^\s+\+19\.\d KiB\s+Tiny_Dist 2\.1\.0 \(Python, 4 files\)/m);
  });
});

describe("lambda-package build with a size budget", () => {
  test("a package over --max-zipped fails with its largest contributors and writes no zip", async () => {
    const dir = await bundleProject();
    const zip = path.join(path.dirname(dir), "fn.zip");
    const args = ["build", dir, "-r", "nodejs22.x", "--entry", "src/api.ts", "-o", zip];
    const result = await cli([...args, "--max-zipped", "50KiB"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /over its sizeBudget\.zipped of 50\.0 KiB \(51200 bytes\)/);
    assert.match(result.stderr, /heavy \(npm, inlined in index\.js/);
    assert.match(result.stderr, /To fix: exclude what the function does not need/);
    assert.equal(existsSync(zip), false);
    const roomy = await cli([...args, "--max-zipped", "5MiB", "--max-unzipped", "10MB"]);
    assert.equal(roomy.code, 0, roomy.stderr);
  });

  test("a size that is not one is bad usage naming the flag", async () => {
    const result = await cli(["build", ".", "-r", "copy", "--max-unzipped", "lots"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--max-unzipped must be a number of bytes above 0 or a size/);
  });
});

describe("lambda-package build --handler", () => {
  test("a Python handler the module does not define fails with the names it does", async () => {
    const dir = await pythonProject();
    const result = await cli(["build", dir, "-r", "python3.12", "--handler", "app.handler"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /"app\.handler" .* names "handler" in app\.py, which does not define it at its top level\. It defines: HANDLERS, handle, /,
    );
    const right = await cli(["build", dir, "-r", "python3.12", "--handler", "app.handle"]);
    assert.equal(right.code, 0, right.stderr);
  });

  test("a bundle's handler is checked against esbuild's exports of it", async () => {
    const dir = await bundleProject();
    const args = ["build", dir, "-r", "nodejs22.x", "--entry", "src/api.ts"];
    const wrong = await cli([...args, "--handler", "index.handle"]);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /names "handle" in index\.js \(the bundle of src\/api\.ts; esbuild lists its exports\), which does not export it\. It exports: handler, helper\./,
    );
    const module = await cli([...args, "--handler", "src/api.handler"]);
    assert.equal(module.code, 1);
    assert.match(module.stderr, /the bundle writes index\.js: .* Set handler to "index\.handler"/);
    assert.equal((await cli([...args, "--handler", "index.handler"])).code, 0);
  });

  test("an ES module bundle's exports come from the metafile; a CommonJS entry's from its text, unsettled when opaque", async () => {
    const dir = await bundleProject();
    const esm = ["build", dir, "-r", "nodejs22.x", "--entry", "src/api.ts", "--format", "esm"];
    const wrong = await cli([...esm, "--handler", "index.helpr"]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /names "helpr" in index\.mjs .* It exports: helper, handler\./);
    await writeFile(path.join(dir, "src", "impl.js"), "exports.main = async () => 1;\n");
    await writeFile(
      path.join(dir, "src", "plain.js"),
      "module.exports = { main: async () => 1 };\n",
    );
    await writeFile(path.join(dir, "src", "opaque.js"), 'module.exports = require("./impl");\n');
    const plain = ["build", dir, "-r", "nodejs22.x", "--entry", "src/plain.js"];
    const wrongPlain = await cli([...plain, "--handler", "index.handler"]);
    assert.equal(wrongPlain.code, 1);
    assert.match(wrongPlain.stderr, /It exports: main\./);
    const opaque = ["build", dir, "-r", "nodejs22.x", "--entry", "src/opaque.js", "-v"];
    const unsettled = await cli([...opaque, "--handler", "index.handler"]);
    assert.equal(unsettled.code, 0, unsettled.stderr);
    assert.match(
      unsettled.stderr,
      /index\.js is there; whether it defines "handler" cannot be told/,
    );
  });

  test("a copied Node.js function's handler is checked against the file's exports", async () => {
    const dir = path.join(await tempDir("cli-contents-copy"), "fn");
    await mkdir(path.join(dir, "src"), { recursive: true });
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: "fn" }));
    await writeFile(
      path.join(dir, "src", "api.js"),
      "module.exports = { main: async () => 1, other };\nfunction other() {}\n",
    );
    const args = ["build", dir, "-r", "nodejs22.x"];
    const wrong = await cli([...args, "--handler", "src/api.mian"]);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /names "mian" in src\/api\.js, which does not export it\. It exports: main, other\./,
    );
    const missing = await cli([...args, "--handler", "src/apx.main"]);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /has none of src\/apx, src\/apx\.js, src\/apx\.mjs, src\/apx\.cjs/,
    );
    assert.equal((await cli([...args, "--handler", "src/api.main"])).code, 0);
  });
});
