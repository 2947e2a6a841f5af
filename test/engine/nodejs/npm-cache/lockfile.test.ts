import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { lockedPackages, type Platform } from "../../../../engine/nodejs/npm-cache/lockfile";

const LINUX_X64: Platform = { os: "linux", cpu: "x64", libc: () => "glibc" };
const INTEGRITY =
  "sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==";
const HEX = Buffer.from(INTEGRITY.slice(7), "base64").toString("hex");

/** A lockfile of `packages` whose root asks for `dependencies`, and the package.json that matches it. */
function project(
  packages: Record<string, object>,
  dependencies: Record<string, string> = { a: "1.0.0" },
  manifest: Record<string, unknown> = {},
) {
  const lock = {
    lockfileVersion: 3,
    packages: { "": { name: "fn", dependencies }, ...packages },
  };
  return { lock, manifest: { name: "fn", dependencies, ...manifest } };
}

function plan(
  packages: Record<string, object>,
  options: { manifest?: Record<string, unknown>; platform?: Platform } = {},
) {
  const { lock, manifest } = project(packages, undefined, options.manifest);
  return lockedPackages(lock, manifest, options.platform ?? LINUX_X64);
}

describe("the packages npm ci --omit=dev installs, from the lockfile", () => {
  test("production packages at their places, nested ones too; dev ones are left out, devOptional ones kept", () => {
    const result = plan({
      "node_modules/a": { version: "1.0.0", integrity: INTEGRITY },
      "node_modules/a/node_modules/@s/b": { version: "2.0.0", integrity: INTEGRITY },
      "node_modules/test-only": { version: "1.0.0", integrity: INTEGRITY, dev: true },
      "node_modules/both": { version: "1.0.0", integrity: INTEGRITY, devOptional: true },
    });
    assert.deepEqual(result, {
      packages: [
        { location: "node_modules/a", sha512: HEX, label: "a@1.0.0" },
        { location: "node_modules/a/node_modules/@s/b", sha512: HEX, label: "@s/b@2.0.0" },
        { location: "node_modules/both", sha512: HEX, label: "both@1.0.0" },
      ],
    });
  });

  test("an optional package for another platform is left out, as npm does; a required one is a reason", () => {
    const packages = {
      "node_modules/a": { version: "1.0.0", integrity: INTEGRITY },
      "node_modules/mac": {
        version: "1.0.0",
        integrity: INTEGRITY,
        optional: true,
        os: ["darwin"],
      },
      "node_modules/arm": { version: "1.0.0", integrity: INTEGRITY, optional: true, cpu: "arm64" },
      "node_modules/not-musl": {
        version: "1.0.0",
        integrity: INTEGRITY,
        optional: true,
        libc: ["!musl"],
      },
    };
    const result = plan(packages);
    assert.ok("packages" in result);
    assert.deepEqual(
      result.packages.map((p) => p.location),
      ["node_modules/a", "node_modules/not-musl"],
    );
    const arm = plan(packages, { platform: { os: "linux", cpu: "arm64", libc: () => "glibc" } });
    assert.ok("packages" in arm);
    assert.deepEqual(
      arm.packages.map((p) => p.location),
      ["node_modules/a", "node_modules/arm", "node_modules/not-musl"],
    );
    assert.deepEqual(
      plan({ "node_modules/a": { version: "1.0.0", integrity: INTEGRITY, os: "win32" } }),
      {
        reason: "a@1.0.0 is not for linux/x64 (npm ci would refuse)",
      },
    );
  });

  test("what npm ci would do beyond unpacking tarballs is a reason naming the package or the field", () => {
    const a = { version: "1.0.0", integrity: INTEGRITY };
    const cases: [Record<string, object>, Record<string, unknown> | undefined, RegExp][] = [
      [
        { "node_modules/a": { ...a, hasInstallScript: true } },
        undefined,
        /a@1\.0\.0 has install scripts/,
      ],
      [{ "node_modules/a": { ...a, link: true } }, undefined, /node_modules\/a is a link/],
      [
        { "node_modules/a": { ...a, hasShrinkwrap: true } },
        undefined,
        /a@1\.0\.0 has an npm-shrinkwrap\.json/,
      ],
      [{ "node_modules/a": { ...a, inBundle: true } }, undefined, /bundled/],
      [{ "node_modules/a": { ...a, extraneous: true } }, undefined, /extraneous/],
      [
        { "node_modules/a": { version: "1.0.0", resolved: "git+ssh://git@host/a.git" } },
        undefined,
        /comes from git\+ssh/,
      ],
      [
        { "node_modules/a": { version: "1.0.0", integrity: "sha1-AAAA" } },
        undefined,
        /no sha512 integrity/,
      ],
      [{ "packages/a": a }, undefined, /lists packages\/a/],
      [{ "node_modules/a": a }, { scripts: { postinstall: "node x.js" } }, /"postinstall" script/],
      [{ "node_modules/a": a }, { overrides: { a: "1.0.1" } }, /package\.json has "overrides"/],
      [
        { "node_modules/a": a },
        { dependencies: { a: "^1.0.0" } },
        /dependencies differ from the lockfile's/,
      ],
      [
        { "node_modules/p": { ...a, optional: true, os: ["darwin"], dependencies: { q: "1" } } },
        undefined,
        /p@1\.0\.0 is left out on linux\/x64 with what it needs/,
      ],
    ];
    for (const [packages, manifest, expected] of cases) {
      const result = plan(packages, { manifest });
      assert.ok("reason" in result, JSON.stringify(packages));
      assert.match(result.reason, expected);
    }
    assert.match(
      (
        lockedPackages({ lockfileVersion: 1, dependencies: {} }, {}, LINUX_X64) as {
          reason: string;
        }
      ).reason,
      /version 1, before npm 7's/,
    );
  });

  test("a key, name, version or integrity npm would not write is a reason naming it and the lockfile", () => {
    const a = { version: "1.0.0", integrity: INTEGRITY };
    const cases: [Record<string, object>, string][] = [
      [
        { "node_modules/one\nfrom /abs/file\nentry 0 5 644 stolen": a },
        'package-lock.json lists "node_modules/one\\nfrom /abs/file\\nentry 0 5 644 stolen", which is not where npm installs a package',
      ],
      [{ "node_modules/../escaped": a }, 'package-lock.json lists "node_modules/../escaped"'],
      [{ "node_modules/a\\b": a }, 'package-lock.json lists "node_modules/a\\\\b"'],
      [{ "node_modules/a/node_modules/": a }, 'lists "node_modules/a/node_modules/"'],
      [{ "node_modules/@s/../x": a }, 'lists "node_modules/@s/../x"'],
      [{ "node_modules/.bin": a }, 'lists "node_modules/.bin"'],
      [
        { "node_modules/a": { ...a, name: "b\ninclude ." } },
        'names node_modules/a "b\\ninclude ."',
      ],
      [
        { "node_modules/a": { ...a, version: "1.0.0\nexclude index.js" } },
        'package-lock.json gives a at node_modules/a the version "1.0.0\\nexclude index.js", which is not semver',
      ],
      [{ "node_modules/a": { ...a, integrity: "sha512-AAAA" } }, "a@1.0.0 has no sha512 integrity"],
    ];
    for (const [packages, expected] of cases) {
      const { lock, manifest } = project(packages);
      const result = lockedPackages(lock, manifest, LINUX_X64, "package-lock.json");
      assert.ok("reason" in result, JSON.stringify(packages));
      assert.ok(result.reason.includes(expected), `${expected} in ${result.reason}`);
      assert.doesNotMatch(result.reason, /\n/, "a reason is one log line");
    }
    // Scoped, capitalised (old packages) and aliased names are npm's own.
    const fine = plan({
      "node_modules/a": { ...a, name: "JSONStream" },
      "node_modules/@s/b": { version: "2.0.0-rc.1+build.5", integrity: INTEGRITY },
    });
    assert.ok("packages" in fine, JSON.stringify(fine));
    assert.deepEqual(
      fine.packages.map((p) => p.label),
      ["JSONStream@1.0.0", "@s/b@2.0.0-rc.1+build.5"],
    );
  });

  test("a package that names a libc fits Linux only, and asks the libc only then", () => {
    let asked = 0;
    const libc = () => (asked++, "glibc");
    const packages = {
      "node_modules/a": { version: "1.0.0", integrity: INTEGRITY, optional: true, libc: "glibc" },
    };
    assert.equal(
      (plan(packages, { platform: { os: "linux", cpu: "x64", libc } }) as { packages: unknown[] })
        .packages.length,
      1,
    );
    assert.equal(asked, 1);
    assert.equal(
      (plan(packages, { platform: { os: "darwin", cpu: "x64", libc } }) as { packages: unknown[] })
        .packages.length,
      0,
    );
    assert.equal(asked, 1);
  });
});
