import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { markerHolds, MarkerSyntaxError, parseMarker } from "../../../engine/python/markers";
import { markerEnvironment, pythonTarget } from "../../../engine/python/target";

const lambda312 = markerEnvironment(pythonTarget("python3.12", "x86_64"));
const arm311 = markerEnvironment(pythonTarget("python3.11", "arm64"));

describe("environment markers on a Lambda target", () => {
  test("compare versions as versions: python_version 3.12 is not < 3.9", () => {
    assert.ok(markerHolds('python_version >= "3.9"', lambda312));
    assert.ok(!markerHolds("python_version < '3.9'", lambda312), "not a string comparison");
    assert.ok(
      markerHolds("python_full_version >= '3.12.0' and python_full_version < '3.13'", lambda312),
    );
    assert.ok(markerHolds("'3.10' < python_version", lambda312), "a variable on the right");
  });

  test("name Lambda's platform: Linux, CPython, the architecture's machine", () => {
    assert.ok(!markerHolds("sys_platform == 'win32'", lambda312));
    assert.ok(markerHolds("sys_platform == 'linux' and os_name == 'posix'", lambda312));
    assert.ok(
      markerHolds("platform_system == 'Linux' and implementation_name == 'cpython'", lambda312),
    );
    assert.ok(markerHolds("platform_machine == 'x86_64'", lambda312));
    assert.ok(markerHolds("platform_machine == 'aarch64'", arm311));
    assert.ok(markerHolds("platform_python_implementation != 'PyPy'", lambda312));
    assert.ok(markerHolds("sys.platform == 'linux'", lambda312), "the old dotted spelling");
  });

  test("and binds tighter than or, and parentheses group", () => {
    assert.ok(
      markerHolds(
        "sys_platform == 'win32' and python_version < '3.9' or platform_machine == 'x86_64'",
        lambda312,
      ),
    );
    assert.ok(
      !markerHolds(
        "sys_platform == 'win32' and (python_version < '3.9' or platform_machine == 'x86_64')",
        lambda312,
      ),
    );
  });

  test("extras and PEP 751 groups hold when asked for, by normalized name", () => {
    const env = markerEnvironment(pythonTarget("python3.12"), ["Loud_Mode"], ["dev"]);
    assert.ok(markerHolds('extra == "loud-mode"', env));
    assert.ok(!markerHolds('extra == "quiet"', env));
    assert.ok(markerHolds("'loud.mode' in extras and 'dev' in dependency_groups", env));
    assert.ok(markerHolds("'docs' not in dependency_groups", env));
    assert.ok(!markerHolds('extra == "loud-mode"', lambda312), "no extras asked for");
  });

  test("strings that are not versions compare as strings; in tests for a substring", () => {
    assert.ok(markerHolds("'linux' in sys_platform", lambda312));
    assert.ok(markerHolds("platform_release == ''", lambda312), "unknown on a target, so empty");
  });

  test("an empty marker always holds; a malformed one is a syntax error saying where", () => {
    assert.ok(markerHolds(undefined, lambda312) && markerHolds(" ", lambda312));
    assert.throws(() => parseMarker("python_version >"), MarkerSyntaxError);
    assert.throws(
      () => parseMarker("color == 'red'"),
      /expected a marker variable or a quoted string, got "color"/,
    );
    assert.throws(() => parseMarker("os_name == 'posix' junk"), /unexpected text/);
  });

  test("a marker of 20,000 clauses or nested 20,000 deep is a syntax error, not a stack overflow", () => {
    const clauses = Array(20_000).fill("python_version >= '3.0'");
    assert.throws(() => markerHolds(clauses.join(" and "), lambda312), MarkerSyntaxError);
    assert.throws(() => markerHolds(clauses.join(" or "), lambda312), MarkerSyntaxError);
    const deep = `${"(".repeat(20_000)}os_name == 'posix'${")".repeat(20_000)}`;
    assert.throws(() => markerHolds(deep, lambda312), MarkerSyntaxError);
    // Within the bounds, long markers as tools write them still evaluate.
    assert.ok(markerHolds(clauses.slice(0, 500).join(" and "), lambda312));
    assert.ok(markerHolds(`${"(".repeat(20)}os_name == 'posix'${")".repeat(20)}`, lambda312));
  });
});
