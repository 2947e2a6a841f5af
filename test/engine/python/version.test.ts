import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  compareVersions,
  formatVersion,
  matchesSpecifier,
  normalizeSpecifiers,
  parseSpecifiers,
  parseVersion,
  satisfies,
} from "../../../engine/python/version";

const v = (text: string) => {
  const version = parseVersion(text);
  assert.ok(version, `${text} parses`);
  return version;
};

describe("PEP 440 versions", () => {
  test("every spelling PEP 440 allows normalizes to one form", () => {
    for (const [given, normal] of [
      ["1.0", "1.0"],
      ["v1.0.0-Alpha1", "1.0.0a1"],
      ["1.0-preview2", "1.0rc2"],
      ["1.0.post", "1.0.post0"],
      ["1.0-3", "1.0.post3"],
      ["2!1.0.dev4", "2!1.0.dev4"],
      ["1.0+Ubuntu-1", "1.0+ubuntu.1"],
    ]) {
      assert.equal(formatVersion(v(given)), normal, given);
    }
    assert.equal(parseVersion("not a version"), undefined);
  });

  test("orders dev, pre, final, post and local releases as PEP 440 does", () => {
    const ordered = [
      "1.0.dev0",
      "1.0a1",
      "1.0b1",
      "1.0rc1",
      "1.0",
      "1.0+local",
      "1.0.post1",
      "1.1",
    ];
    for (let i = 1; i < ordered.length; i++) {
      assert.ok(
        compareVersions(v(ordered[i - 1]), v(ordered[i])) < 0,
        `${ordered[i - 1]} < ${ordered[i]}`,
      );
    }
    assert.equal(compareVersions(v("3.12"), v("3.12.0")), 0, "trailing zeros do not count");
  });
});

describe("PEP 440 specifiers", () => {
  const holds = (version: string, spec: string) => satisfies(v(version), parseSpecifiers(spec)!);

  test("comparison, exclusion, compatible-release and wildcard clauses", () => {
    assert.ok(holds("3.12.0", ">=3.9,<4"));
    assert.ok(!holds("3.8.0", ">=3.9"));
    assert.ok(holds("3.12.0", "!=3.11.*"));
    assert.ok(!holds("3.11.4", "!=3.11.*"));
    assert.ok(holds("3.12.0", "==3.12.*"));
    assert.ok(!holds("3.1.0", "==3.12.*"));
    assert.ok(holds("1.4.5", "~=1.4.2") && !holds("1.5.0", "~=1.4.2"));
    assert.ok(holds("2.0", "===2.0") && !holds("2.0.0", "===2.0"));
  });

  test("<V leaves out V's pre-releases and >V its post-releases, as PEP 440 says", () => {
    assert.ok(!holds("3.13.0rc1", "<3.13"));
    assert.ok(holds("3.12.0", "<3.13"));
    assert.ok(!holds("1.0.post1", ">1.0"));
    assert.ok(holds("1.1", ">1.0"));
  });

  test("a specifier set is spelled the same whatever its order, spacing and version spelling", () => {
    assert.equal(normalizeSpecifiers(" < 3 , >= 2.31.0-alpha1"), "<3,>=2.31.0a1");
    assert.equal(normalizeSpecifiers(""), "");
    assert.equal(parseSpecifiers(">=banana"), undefined);
    assert.equal(parseSpecifiers(">=1.*"), undefined, "wildcards only with == and !=");
  });

  test("a clause compares the version it is given, local labels aside", () => {
    assert.ok(matchesSpecifier(v("1.0+cpu"), { operator: "==", version: "1.0" }));
    assert.ok(!matchesSpecifier(v("1.0+cpu"), { operator: "==", version: "1.0+gpu" }));
  });
});
