/**
 * keepSources on maps esbuild writes: what stays maps every generated
 * position as before, what is dropped maps nowhere, as Node's own source map
 * reader (the one behind --enable-source-maps) finds them.
 */
import assert from "node:assert/strict";
import { SourceMap as NodeSourceMap, type SourceMapPayload } from "node:module";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import * as esbuild from "esbuild";
import { isOwnSource, keepSources, type SourceMap } from "../../../engine/bundle/source-map";
import { tempDir } from "../../support/tmp";

/** A bundle of two own files and an installed package, minified (so with names), and its map. */
async function bundled(): Promise<{ code: string; map: SourceMap }> {
  const files: Record<string, string> = {
    "src/handler.ts":
      // ./twice first: the package's code then follows an own file's on the same (minified)
      // line, where a dropped segment must end the mapping before it.
      'import { twice } from "./twice";\nimport { pad } from "pkg";\n' +
      "export const handler = async (event: { n: number }) => {\n" +
      "  const doubled: number = twice(event.n);\n  return pad(String(doubled));\n};\n",
    "src/twice.ts": "export function twice(value: number): number {\n  return value * 2;\n}\n",
    "node_modules/pkg/index.js":
      // An ES module: esbuild joins those in import order, where CommonJS ones go first.
      "export function pad(text) {\n  var width = 8;\n  return text.padStart(width);\n}\n",
  };
  const dir = await tempDir("source-map");
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  const result = await esbuild.build({
    entryPoints: ["src/handler.ts"],
    absWorkingDir: dir,
    bundle: true,
    write: false,
    outfile: path.join(dir, "index.js"),
    sourcemap: "external",
    minify: true,
    platform: "node",
  });
  await esbuild.stop();
  const code = result.outputFiles.find((f) => f.path.endsWith(".js"))!.text;
  const map = JSON.parse(
    result.outputFiles.find((f) => f.path.endsWith(".map"))!.text,
  ) as SourceMap;
  return { code, map };
}

/** Every generated position of the code, as Node's reader maps it. */
function lookups(code: string, map: SourceMap) {
  const reader = new NodeSourceMap(map as unknown as SourceMapPayload);
  return code.split("\n").flatMap((line, row) =>
    [...line].map((_, column) => {
      const entry = reader.findEntry(row, column) as Partial<{
        originalSource: string;
        originalLine: number;
        originalColumn: number;
        name: string;
      }>;
      return { row, column, ...entry };
    }),
  );
}

describe("keepSources", () => {
  test("the own sources map as before; a package's code maps nowhere; names are renumbered", async () => {
    const { code, map } = await bundled();
    assert.ok(
      map.sources.some((s) => s.includes("node_modules/pkg")),
      map.sources.join(" "),
    );
    const narrowed = keepSources(map, isOwnSource);
    assert.deepEqual([...narrowed.sources].sort(), ["src/handler.ts", "src/twice.ts"]);
    assert.deepEqual(narrowed.sources, map.sources.filter(isOwnSource), "in the input's order");
    assert.equal(narrowed.sourcesContent?.length, narrowed.sources.length);
    const before = lookups(code, map);
    const after = lookups(code, narrowed);
    let own = 0;
    let dropped = 0;
    before.forEach((entry, i) => {
      if (entry.originalSource === undefined) {
        assert.equal(after[i].originalSource, undefined, `${entry.row}:${entry.column}`);
      } else if (entry.originalSource.includes("node_modules")) {
        dropped++;
        assert.equal(after[i].originalSource, undefined, `${entry.row}:${entry.column} unmapped`);
      } else {
        own++;
        assert.deepEqual(after[i], entry, `${entry.row}:${entry.column} maps as before`);
      }
    });
    assert.ok(own > 0 && dropped > 0, `${own} own and ${dropped} dropped positions`);
    assert.ok(narrowed.mappings.length < map.mappings.length);
    assert.ok(narrowed.names.length <= map.names.length);
  });

  test("keeping every source gives the same mappings and names", async () => {
    const { map } = await bundled();
    const same = keepSources(map, () => true);
    assert.equal(same.mappings, map.mappings);
    assert.deepEqual(same.names, map.names);
    assert.deepEqual(same.sources, map.sources);
  });

  test("a map without sourcesContent gets none", () => {
    const map: SourceMap = { version: 3, sources: ["a.ts"], names: [], mappings: "AAAA" };
    const narrowed = keepSources(map, () => true);
    assert.equal("sourcesContent" in narrowed, false);
    assert.equal(narrowed.mappings, "AAAA");
  });

  test("node_modules anywhere in a source's path makes it a package's", () => {
    assert.equal(isOwnSource("src/handler.ts"), true);
    assert.equal(isOwnSource("../util/index.js"), true);
    assert.equal(isOwnSource("node_modules/zod/lib/index.js"), false);
    assert.equal(isOwnSource("../../node_modules/.pnpm/a@1/node_modules/a/index.js"), false);
  });
});
