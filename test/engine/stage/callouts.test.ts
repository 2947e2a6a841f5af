/** What the build says about what a package holds, through `build()`. */
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { describe, test } from "node:test";
import { build } from "../../../engine/build";
import { LambdaPackageError } from "../../../shared/errors";
import { git, write } from "../../support/git";
import { tempDir } from "../../support/tmp";

async function source(files: Record<string, string>): Promise<string> {
  const dir = await tempDir("callouts");
  write(dir, files);
  return dir;
}

describe("what a package holds, called out", () => {
  test("a Node.js package of TypeScript with no JavaScript is an error that says to set bundle", async () => {
    const sourcePath = await source({
      "package.json": '{ "name": "fn" }',
      "src/handler.ts": "export const handler = async () => 1;\n",
      "src/types.d.ts": "export {};\n",
    });
    await assert.rejects(build({ sourcePath, runtime: "nodejs22.x" }), (error: unknown) => {
      assert.ok(error instanceof LambdaPackageError, String(error));
      assert.equal(error.code, "TYPESCRIPT_WITHOUT_BUNDLE");
      assert.match(error.message, /holds TypeScript \(src\/handler\.ts\) and no JavaScript/);
      assert.match(error.message, /Set bundle: \{ entry: "src\/handler\.ts" \}/);
      return true;
    });
  });

  test("TypeScript beside the JavaScript it was compiled to packages as it is", async () => {
    const sourcePath = await source({
      "package.json": '{ "name": "fn" }',
      "src/handler.ts": "export const handler = async () => 1;\n",
      "dist/handler.js": "exports.handler = async () => 1;\n",
    });
    const built = await build({ sourcePath, runtime: "nodejs22.x" });
    await rm(built.path);
    assert.equal(built.fileCount, 3);
  });

  test("a Pulumi project and a zip inside the package are warnings that name them", async () => {
    const sourcePath = await source({
      "index.js": "exports.handler = async () => 1;\n",
      "infra/Pulumi.yaml": "name: infra\n",
      "target/lambda.zip": "PK",
    });
    const lines: string[] = [];
    const built = await build({ sourcePath, runtime: "copy", log: (l) => lines.push(l) });
    await rm(built.path);
    assert.ok(
      lines.some((l) => /holds a Pulumi project \(infra\/Pulumi\.yaml\)/.test(l)),
      lines.join("\n"),
    );
    assert.ok(
      lines.some((l) => /holds zip files \(target\/lambda\.zip\)/.test(l)),
      lines.join("\n"),
    );
  });

  test("a large git-ignored directory is a warning with its size and the exclude that leaves it out", async () => {
    const sourcePath = await source({
      ".gitignore": "target/\nnode_modules/\nlocal.json\n",
      "index.js": "exports.handler = async () => 1;\n",
      "local.json": "{}",
    });
    git(sourcePath, "init", "-q");
    const many = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`target/out/${i}.js`, "1\n"]),
    );
    const deps = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`node_modules/dep/${i}.js`, "1\n"]),
    );
    write(sourcePath, { ...many, ...deps });
    const lines: string[] = [];
    const built = await build({ sourcePath, runtime: "copy", log: (l) => lines.push(l) });
    await rm(built.path);
    const warnings = lines.filter((l) => /which git ignores/.test(l));
    assert.equal(warnings.length, 1, lines.join("\n"));
    assert.match(
      warnings[0],
      /holds target\/, which git ignores: 1,000 files, .*exclude: \["target\/"\]/,
    );
  });

  test("a small git-ignored file is packaged without a word", async () => {
    const sourcePath = await source({
      ".gitignore": "config.json\n",
      "index.js": "exports.handler = async () => 1;\n",
      "config.json": '{ "stage": "dev" }',
    });
    git(sourcePath, "init", "-q");
    const lines: string[] = [];
    const built = await build({ sourcePath, runtime: "copy", log: (l) => lines.push(l) });
    await rm(built.path);
    assert.equal(built.fileCount, 3);
    assert.ok(!lines.some((l) => /git ignores/.test(l)), lines.join("\n"));
  });
});
