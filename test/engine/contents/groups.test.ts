import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { groupContents, type SizedFile } from "../../../engine/contents";

const file = (name: string, size: number, compressedSize = Math.ceil(size / 2)): SizedFile => ({
  name,
  size,
  compressedSize,
});

const summary = (contents: ReturnType<typeof groupContents>) =>
  contents.groups.map(
    (g) => `${g.kind}:${g.name}${g.version ? `@${g.version}` : ""}=${g.size}/${g.files}`,
  );

describe("groupContents", () => {
  test("files under node_modules count to the innermost package, scoped names whole, pnpm's store included", () => {
    const contents = groupContents(
      [
        file("index.js", 10),
        file("node_modules/aws-sdk/lib/core.js", 500),
        file("node_modules/aws-sdk/node_modules/uuid/index.js", 40),
        file("node_modules/@smithy/types/dist/index.js", 60),
        file("node_modules/.pnpm/left-pad@1.3.0/node_modules/left-pad/index.js", 7),
      ],
      new Map(),
      [],
    );
    assert.deepEqual(summary(contents), [
      "npm:aws-sdk=500/1",
      "npm:@smithy/types=60/1",
      "npm:uuid=40/1",
      "own:=10/1",
      "npm:left-pad=7/1",
    ]);
    assert.equal(contents.size, 617);
  });

  test("Python files count to the distribution whose RECORD lists them or their top-level directory", () => {
    const record = [
      "yaml/__init__.py,sha256=x,10",
      '"_yaml/odd,name.py",sha256=x,10',
      "PyYAML-6.0.1.dist-info/RECORD,,",
      "../../bin/yaml-tool,sha256=x,3",
    ].join("\n");
    const contents = groupContents(
      [
        file("python/yaml/__init__.py", 100),
        file("python/yaml/__pycache__/__init__.cpython-312.pyc", 50),
        file("python/_yaml/odd,name.py", 20),
        file("python/PyYAML-6.0.1.dist-info/RECORD", 5),
        file("python/app.py", 1),
      ],
      new Map([["python/PyYAML-6.0.1.dist-info/RECORD", record]]),
      [],
    );
    assert.deepEqual(summary(contents), ["python:PyYAML@6.0.1=175/4", "own:=1/1"]);
  });

  test("a bundle's bytes are split by the packages esbuild inlined, their zipped share estimated", () => {
    const contents = groupContents(
      [file("index.js", 1000, 200), file("index.js.map", 300, 100)],
      new Map(),
      [
        {
          file: "index.js",
          entry: "src/api.ts",
          packages: { "aws-sdk": { bytes: 900, files: 12 } },
          exports: ["handler"],
        },
      ],
    );
    const [sdk, own] = contents.groups;
    assert.deepEqual(
      {
        kind: sdk.kind,
        name: sdk.name,
        size: sdk.size,
        zipped: sdk.compressedSize,
        files: sdk.files,
      },
      { kind: "bundled", name: "aws-sdk", size: 900, zipped: 180, files: 12 },
    );
    assert.deepEqual(sdk.bundles, ["index.js"]);
    assert.equal(sdk.estimated, true);
    assert.deepEqual({ size: own.size, zipped: own.compressedSize }, { size: 400, zipped: 120 });
    assert.deepEqual(contents.notes, []);
  });

  test("from a zip alone, a large script or one with a map is said to be one file whose insides are unknown", () => {
    const contents = groupContents(
      [
        file("index.js", 2 * 1024 * 1024),
        file("small.js", 10),
        file("other.mjs", 10),
        file("other.mjs.map", 5),
      ],
      new Map(),
      [],
    );
    assert.equal(contents.notes.length, 2);
    assert.match(contents.notes[0], /^index\.js is one file here; if it is a bundle/);
    assert.match(contents.notes[1], /^other\.mjs is one file here/);
  });
});
