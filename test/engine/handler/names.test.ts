import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { javascriptExports } from "../../../engine/handler/javascript";
import { nearestNames } from "../../../engine/handler/nearest";
import { pythonNames } from "../../../engine/handler/python";
import { handlerRule, parseHandler } from "../../../engine/handler/spec";

const sorted = (names: ReadonlySet<string>) => [...names].sort();

describe("pythonNames", () => {
  test("top-level defs, classes, assignments and imports are defined; names inside functions and strings are not", () => {
    const { names, complete } = pythonNames(
      [
        "import os, json as j",
        "from a.b import (c,",
        "    d as e)",
        '"""',
        "def fake(): pass",
        '"""',
        "async def handler(event, context):",
        "    inner = 1",
        "class Api: pass",
        "CONFIG: dict = {}",
        "x, y = 1, 2",
        "try:",
        "    import ujson as fast",
        "except ImportError:",
        "    fast = None",
      ].join("\n"),
    );
    assert.deepEqual(sorted(names), [
      "Api",
      "CONFIG",
      "c",
      "e",
      "fast",
      "handler",
      "j",
      "os",
      "x",
      "y",
    ]);
    assert.equal(complete, true);
  });

  test("a star import or a module __getattr__ leaves the names incomplete", () => {
    assert.equal(pythonNames("from lib import *\n").complete, false);
    assert.equal(pythonNames("def __getattr__(name):\n    return 1\n").complete, false);
    assert.equal(pythonNames("globals()['handler'] = make()\n").complete, false);
  });
});

describe("javascriptExports", () => {
  test("ES exports, CommonJS assignments, tsc's and esbuild's forms are read", () => {
    const esm = javascriptExports(
      "export async function handler() {}\nexport const a = 1, b = 2;\nexport { x as y, z };\nexport default 1;\n",
    );
    assert.deepEqual(sorted(esm.names), ["a", "default", "handler", "y", "z"]);
    assert.equal(esm.complete, true);
    const cjs = javascriptExports(
      'exports.one = 1;\nmodule.exports.two = 2;\nexports["three"] = 3;\nObject.defineProperty(exports, "four", { get });\n',
    );
    assert.deepEqual(sorted(cjs.names), ["four", "one", "three", "two"]);
    const literal = javascriptExports(
      "module.exports = { main: async (e) => { return { a: 1 }; }, other, 'quoted': 1, run() {} };\n",
    );
    assert.deepEqual(sorted(literal.names), ["main", "other", "quoted", "run"]);
    assert.equal(literal.complete, true);
    const esbuild = javascriptExports(
      "__export(src_exports, {\n  handler: () => handler\n});\nmodule.exports = __toCommonJS(src_exports);\n",
    );
    assert.deepEqual(sorted(esbuild.names), ["handler"]);
    assert.equal(esbuild.complete, true);
  });

  test("what only running the module would show leaves the exports incomplete", () => {
    for (const text of [
      "module.exports = require('./impl');\n",
      "module.exports = { ...base, handler };\n",
      "export * from './impl';\n",
      "exports[name] = fn;\n",
      "Object.assign(module.exports, impl);\n",
    ]) {
      assert.equal(javascriptExports(text).complete, false, text);
    }
  });
});

describe("handler", () => {
  test("Node.js and Python read the module path and name as their runtimes do", () => {
    assert.deepEqual(parseHandler("src/api.main", "nodejs"), { module: "src/api", name: "main" });
    assert.deepEqual(parseHandler("index.handlers.api", "nodejs"), {
      module: "index",
      name: "handlers",
    });
    assert.deepEqual(parseHandler("pkg.mod.func", "python"), { module: "pkg/mod", name: "func" });
    assert.deepEqual(parseHandler("src/api.main", "python"), { module: "src/api", name: "main" });
  });

  test("the rule takes a module path, a dot and a name, and refuses what is not one", () => {
    for (const good of ["app.handler", "index.handler", "src/api.main", "pkg.mod.func"])
      assert.equal(handlerRule(good), undefined, good);
    for (const bad of ["app", "/abs.handler", "../up.handler", "app.", "a b.c", 3])
      assert.match(String(handlerRule(bad)), /must be Lambda's handler/, String(bad));
  });

  test("the nearest names come first, case ignored", () => {
    assert.deepEqual(nearestNames("hander", ["main", "Handler", "handlers", "x"]), [
      "Handler",
      "handlers",
      "main",
      "x",
    ]);
  });
});
