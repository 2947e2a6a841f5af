import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { checkHandler, type PackageFile } from "../../../engine/handler";
import { tempDir } from "../../support/tmp";

/** Package files with these contents, each a file of its own in a temp dir. */
async function packageOf(files: Record<string, string>): Promise<PackageFile[]> {
  const dir = await tempDir("handler-check");
  return Promise.all(
    Object.entries(files).map(async ([name, text], i) => {
      const sourceFile = path.join(dir, String(i));
      await writeFile(sourceFile, text);
      return { name, sourceFile, size: Buffer.byteLength(text) };
    }),
  );
}

async function check(handler: string, runtime: string, files: PackageFile[]) {
  const lines: string[] = [];
  await checkHandler(handler, runtime, files, [], "/src/fn", (line) => lines.push(line));
  return lines;
}

describe("checkHandler", () => {
  test("a missing module names the modules of its language nearest to it, none under node_modules or a .dist-info", async () => {
    const files = await packageOf({
      "app.py": "def handler(e, c): pass\n",
      "api.py": "x = 1\n",
      "lib/apps.py": "",
      "requests/api.py": "",
      "requests-2.0.dist-info/RECORD": "requests/api.py,,\n",
      "node_modules/app/index.js": "",
    });
    await assert.rejects(check("apx.handler", "python3.12", files), (error: Error) => {
      assert.match(error.message, /Lambda would look for apx\.py, apx\/__init__\.py\./);
      assert.match(
        error.message,
        /Nearest modules in the package: api\.py, app\.py, lib\/apps\.py, requests\/api\.py\./,
      );
      return true;
    });
  });

  test("a runtime that does not say (copy) finds the module in either language", async () => {
    const files = await packageOf({ "index.mjs": "export const handler = 1;\n" });
    assert.deepEqual(await check("index.handler", "copy", files), []);
    await assert.rejects(
      check("index.main", "copy", files),
      /does not export it\. It exports: handler\./,
    );
  });

  test("a compiled Python module or a Node.js module in node_modules is there, its names unchecked and logged", async () => {
    const files = await packageOf({
      "fast.cpython-312-x86_64-linux-gnu.so": "\x7fELF",
      "node_modules/lambda-kit/package.json": "{}",
      "node_modules/lambda-kit/index.js": "",
    });
    const compiled = await check("fast.handler", "python3.12", files);
    assert.match(
      compiled[0],
      /fast\.cpython-312-x86_64-linux-gnu\.so is compiled; its names are not checked/,
    );
    const installed = await check("lambda-kit.handler", "nodejs22.x", files);
    assert.match(installed[0], /the module is the installed package lambda-kit/);
  });
});
