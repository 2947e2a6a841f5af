/**
 * Each function's log on its own row of `pulumi up`, through the real CLI:
 * a successful build leaves one line per function in the final diagnostics,
 * under that function's `LambdaPackage`, and nothing under the stack; a
 * failed one keeps every line it wrote, under its own resource.
 */
import assert from "node:assert/strict";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import { createProject, type PulumiProject } from "../support/pulumi";
import { minioFixture } from "../support/minio";
import { tempDir } from "../support/tmp";

const minio = minioFixture();

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { LambdaCode } = require("pulumi-lambda-package");
const config = new pulumi.Config();
for (const name of ["alpha", "beta"]) {
  new LambdaCode(name, {
    bucket: config.require("bucket"),
    key: name + ".zip",
    sourcePath: name,
    packager: config.require("packager"),
    sourceKey: config.require("sourceKey"),
    endpoint: config.require("endpoint"),
  });
}
`;

/** The final "Diagnostics:" section of `pulumi up`, as blocks by the header line of each resource. */
export function diagnostics(output: string): Map<string, string[]> {
  const start = output.indexOf("\nDiagnostics:\n");
  const blocks = new Map<string, string[]>();
  if (start < 0) return blocks;
  let current: string[] | undefined;
  for (const line of output.slice(start + "\nDiagnostics:\n".length).split("\n")) {
    if (/^\S/.test(line)) break; // the next section ("Resources:", "Outputs:")
    const header = /^ {2}(\S.*\)):$/.exec(line);
    if (header) blocks.set(header[1], (current = []));
    else if (current && line.trim() !== "") current.push(line.trim());
  }
  return blocks;
}

describe("pulumi up shows each function's log on its own row", { timeout: 15 * 60_000 }, () => {
  let project: PulumiProject;
  before(async () => {
    const bucket = await minio.bucket();
    const dir = await tempDir("e2e-rows");
    const packager = path.join(dir, "packager");
    // Prints a few lines, as pip or npm would, and fails when the source asks it to.
    await writeFile(
      packager,
      '#!/usr/bin/env bash\nset -euo pipefail\necho "resolving $(basename "$SOURCE_PATH")"\n' +
        'echo "installing 3 packages"\n[[ -f $SOURCE_PATH/FAIL ]] && { echo "no wheel for fastcalc" >&2; exit 3; }\n' +
        'cp -R "$SOURCE_PATH/." "$BUILD_DIR/"\n',
    );
    await chmod(packager, 0o755);
    project = await createProject(
      {
        "Pulumi.yaml":
          "name: rows\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
        "index.js": PROGRAM,
        "alpha/handler.py": "def handler(e, c):\n    return 1\n",
        "beta/handler.py": "def handler(e, c):\n    return 2\n",
      },
      minio.server,
    );
    await project.ok(["stack", "init", "rows"]);
    for (const [key, value] of Object.entries({
      bucket,
      packager,
      sourceKey: "commit-1",
      endpoint: minio.server.endpoint,
    }))
      await project.ok(["config", "set", key, value]);
  });

  test("a successful up leaves one line per function, under its own LambdaPackage", async (t) => {
    const up = await project.ok(["up", "--yes", "--skip-plugin-pre-install"]);
    t.diagnostic(up);
    const blocks = diagnostics(up);
    for (const name of ["alpha", "beta"]) {
      const lines = blocks.get(
        `pulumi-nodejs:dynamic/lambda-package:LambdaPackage (${name}-package)`,
      );
      assert.ok(lines, `a block for ${name}-package in:\n${up}`);
      assert.equal(lines.length, 1, lines.join("\n"));
      assert.match(lines[0], new RegExp(`stored version \\S+ of s3://\\S+/${name}\\.zip: 1 files`));
    }
    const stack = [...blocks].find(([header]) => header.startsWith("pulumi:pulumi:Stack"));
    assert.equal(stack, undefined, `nothing under the stack:\n${up}`);
  });

  test("a failed build keeps its whole report under its own resource", async (t) => {
    await writeFile(path.join(project.dir, "beta", "FAIL"), "");
    await project.ok(["config", "set", "sourceKey", "commit-2"]);
    const up = await project.pulumi(["up", "--yes", "--skip-plugin-pre-install"]);
    const output = up.stdout + up.stderr;
    t.diagnostic(output);
    assert.notEqual(up.code, 0);
    const blocks = diagnostics(up.stdout);
    const beta = blocks.get("pulumi-nodejs:dynamic/lambda-package:LambdaPackage (beta-package)");
    assert.ok(beta, output);
    const text = beta.join("\n");
    for (const line of ["resolving beta", "installing 3 packages", "no wheel for fastcalc"])
      assert.ok(text.includes(line), `${line} in:\n${text}`);
    const stack = [...blocks].find(([header]) => header.startsWith("pulumi:pulumi:Stack"));
    assert.ok(!stack?.[1].some((l) => l.includes("[lambda-package")), output);
  });
});
