import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "smol-toml";
import { poetryContentHash, pythonJson } from "../../../../engine/python/lockfile/poetry-hash";

const toml = (text: string) => parse(text, { integersAsBigInt: true });

describe("Poetry's content-hash", () => {
  test("matches the hash Poetry 1 wrote for terraform-aws-lambda's python3.9-app-poetry fixture", () => {
    const pyproject = toml(`[tool.poetry]
name = "python3.9-app-poetry"
version = "0.1.0"
description = ""
authors = ["Your Name <you@example.com>"]

[tool.poetry.dependencies]
python = "^3.7"
colorful = "^0.5.4"

[tool.poetry.dev-dependencies]

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
`);
    assert.equal(
      poetryContentHash(pyproject),
      "31bbdf3fc3c5e491c372a8ac467cee0ca3dc43d344b42059cab09342e5c715c1",
    );
  });

  test("matches the hash Poetry 2.1.4 wrote for terraform-aws-lambda's python-app-poetry fixture", () => {
    const pyproject = toml(`[project]
name = "python-app-poetry"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.12"
colorful = "^0.5.4"

[tool.poetry.group.dev.dependencies]

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
`);
    assert.equal(
      poetryContentHash(pyproject),
      "5d4a58dce067ed27141f99a15967e8d7e02e000d6039fe087938d466af47fb25",
    );
  });

  test("counts [project] dependencies and, since Poetry 2.3, [dependency-groups] (values from Poetry's Locker)", () => {
    const pyproject = toml(`[project]
name = "x"
dependencies = ["a>=1", "ünïcode"]
[dependency-groups]
dev = ["b", {include-group = "test"}]
test = ["c==1.0"]
[tool.poetry]
x = 1.0
`);
    assert.equal(
      poetryContentHash(pyproject),
      "cfbdbbcde17b059c133c92d4cd60bf14bfb3782b7c4dfe82fc35caf52f11ac3e",
    );
    assert.equal(
      poetryContentHash(pyproject, false),
      "62b12820fa2ffa16c8e51714233e7283d4c34c41b25c9a91e853b32220a775c8",
    );
  });

  test("serializes as Python's json.dumps(sort_keys=True): separators, ASCII escapes, ints and floats", () => {
    assert.equal(
      pythonJson({ b: [1n, 1.0, 2.5, true, null], a: 'q"\\\n\té\u{1f600}' }),
      '{"a": "q\\"\\\\\\n\\t\\u00e9\\ud83d\\ude00", "b": [1, 1.0, 2.5, true, null]}',
    );
  });
});
