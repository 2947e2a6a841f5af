import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  normalizeName,
  parseRequirement,
  requirementKey,
} from "../../../engine/python/requirement";

describe("PEP 508 requirements", () => {
  test("split into name, extras, specifier, URL and marker", () => {
    assert.deepEqual(
      parseRequirement('Requests[socks, Security] >=2.31, <3 ; python_version < "3.13"'),
      {
        name: "Requests",
        extras: ["security", "socks"],
        specifier: ">=2.31, <3",
        marker: 'python_version < "3.13"',
      },
    );
    assert.deepEqual(parseRequirement("greeting (==1.0.0)"), {
      name: "greeting",
      extras: [],
      specifier: "==1.0.0",
    });
    assert.deepEqual(parseRequirement("lib @ file:///src/lib"), {
      name: "lib",
      extras: [],
      specifier: "",
      url: "file:///src/lib",
    });
    assert.equal(parseRequirement("-e ."), undefined);
  });

  test("names compare in their PEP 503 form", () => {
    assert.equal(normalizeName("Foo.Bar__baz"), "foo-bar-baz");
  });

  test("the key of a requirement ignores spacing, clause order, name case and the marker", () => {
    const a = requirementKey(
      parseRequirement("Requests[socks]>=2.31,<3; sys_platform == 'linux'")!,
    );
    const b = requirementKey(parseRequirement("requests [socks] < 3, >= 2.31.0")!);
    assert.equal(a, "requests[socks]<3,>=2.31");
    assert.equal(b, "requests[socks]<3,>=2.31.0");
    assert.equal(
      requirementKey(parseRequirement("requests>=2.31.0")!),
      requirementKey({ name: "requests", extras: [], specifier: ">= 2.31.0" }),
    );
  });
});
