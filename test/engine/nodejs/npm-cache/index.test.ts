/**
 * Packages unpacked from npm's cache must give the zip `npm ci` gives. The
 * first packages here are made by the test, with what npm's unpacking treats
 * specially (bins, a nested and a scoped package, .gitignore, links, a second
 * top directory, another platform's optional package), added to a cache of
 * the test's own with `npm cache add`, and installed offline both ways. The
 * last test takes real ones from the registry, as users' lockfiles have them.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { create } from "tar";
import { build } from "../../../../engine/build";
import { FORCE_NPM_CI } from "../../../../engine/nodejs/npm-cache";
import { show } from "../../../../shared/format";
import { FIXTURES } from "../../packager/fixtures";
import { run } from "../../../support/run";
import { tempDir } from "../../../support/tmp";

interface FakePackage {
  readonly name: string;
  readonly version: string;
  readonly manifest?: Record<string, unknown>;
  /** Paths under the tarball's top directory ("package/" unless they say otherwise). */
  readonly files: Record<string, string | { link: string } | { mode: number; text: string }>;
  /** Order of the tarball's entries, when it matters. */
  readonly order?: readonly string[];
  readonly lock?: Record<string, unknown>;
}

const PACKAGES: Record<string, FakePackage> = {
  "node_modules/alpha": {
    name: "alpha",
    version: "1.0.0",
    manifest: { bin: "cli.js", dependencies: { gamma: "2.0.0" } },
    files: {
      "package/cli.js": "#!/usr/bin/env node\nconsole.log('alpha');\n",
      "package/lib/run.sh": { mode: 0o755, text: "#!/bin/sh\necho run\n" },
      "package/.gitignore": "node_modules\n",
      "package/link-to-cli": { link: "cli.js" },
      "package/docs/read me.md": "# alpha\n",
      "other/stray.txt": "a second top directory loses its name too\n",
    },
    lock: { dependencies: { gamma: "2.0.0" }, bin: { alpha: "cli.js" } },
  },
  "node_modules/alpha/node_modules/gamma": {
    name: "gamma",
    version: "2.0.0",
    manifest: { bin: { gamma: "./bin/g.js", missing: "nope.js" } },
    files: {
      "package/index.js": "module.exports = 2;\n",
      "package/bin/g.js": "#!/usr/bin/env node\n",
    },
    lock: { bin: { gamma: "bin/g.js", missing: "nope.js" } },
  },
  "node_modules/gamma": {
    name: "gamma",
    version: "1.0.0",
    files: {
      "package/index.js": "module.exports = 1;\n",
      "package/.npmignore": "npmignore\n",
      "package/.gitignore": "gitignore, dropped: the package has a .npmignore\n",
    },
    order: ["package/package.json", "package/index.js", "package/.npmignore", "package/.gitignore"],
  },
  "node_modules/@scope/beta": {
    name: "@scope/beta",
    version: "1.0.0",
    manifest: { bin: { beta: "bin/beta" } },
    files: { "package/bin/beta": "#!/bin/sh\necho beta\n" },
    lock: { bin: { beta: "bin/beta" } },
  },
  "node_modules/plat-mac": {
    name: "plat-mac",
    version: "1.0.0",
    manifest: { os: ["darwin"] },
    files: { "package/index.js": "" },
    lock: { optional: true, os: ["darwin"] },
  },
  "node_modules/devdep": {
    name: "devdep",
    version: "1.0.0",
    files: { "package/index.js": "" },
    lock: { dev: true },
  },
};

/**
 * Writes each package's tarball, adds them to a new npm cache, and writes a
 * function using them; `extra` packages are more dependencies of it.
 */
async function fixture(
  extra: Record<string, FakePackage> = {},
): Promise<{ source: string; cache: string }> {
  const dir = await tempDir("npm-cache-fixture");
  const cache = path.join(dir, "cache");
  const lockPackages: Record<string, object> = {};
  const tarballs: string[] = [];
  for (const [location, pkg] of Object.entries({ ...PACKAGES, ...extra })) {
    const stage = path.join(dir, "tarballs", pkg.name.replace("/", "-") + pkg.version);
    const files: FakePackage["files"] = {
      "package/package.json": JSON.stringify({
        name: pkg.name,
        version: pkg.version,
        ...pkg.manifest,
      }),
      ...pkg.files,
    };
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(stage, name);
      await mkdir(path.dirname(file), { recursive: true });
      if (typeof content === "string") await writeFile(file, content, { mode: 0o644 });
      else if ("link" in content) await symlink(content.link, file);
      else await writeFile(file, content.text, { mode: content.mode });
    }
    await mkdir(path.join(stage, "package", "empty-dir"));
    const tgz = `${stage}.tgz`;
    await create({ gzip: true, file: tgz, cwd: stage, portable: true }, [
      ...(pkg.order ?? Object.keys(files)),
      "package/empty-dir",
    ]);
    tarballs.push(tgz);
    const integrity = `sha512-${createHash("sha512")
      .update(await readFile(tgz))
      .digest("base64")}`;
    const resolved = `https://registry.npmjs.org/${pkg.name}/-/${pkg.name.split("/").pop()}-${pkg.version}.tgz`;
    lockPackages[location] = { version: pkg.version, resolved, integrity, ...pkg.lock };
  }
  await run("npm", ["cache", "add", ...tarballs, "--cache", cache]);
  const source = path.join(dir, "fn");
  await mkdir(source);
  const manifest = {
    name: "fn",
    version: "1.0.0",
    dependencies: {
      alpha: "1.0.0",
      gamma: "1.0.0",
      "@scope/beta": "1.0.0",
      ...Object.fromEntries(Object.values(extra).map((pkg) => [pkg.name, pkg.version])),
    },
    optionalDependencies: { "plat-mac": "1.0.0" },
    devDependencies: { devdep: "1.0.0" },
  };
  await writeFile(path.join(source, "package.json"), JSON.stringify(manifest, null, 2));
  await writeFile(
    path.join(source, "index.js"),
    'exports.handler = async () => require("alpha/package.json").name;\n',
  );
  const lock = {
    name: "fn",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: { "": manifest, ...lockPackages },
  };
  await writeFile(path.join(source, "package-lock.json"), JSON.stringify(lock, null, 2));
  return { source, cache };
}

async function packaged(
  source: string,
  env: Record<string, string>,
  architecture?: "x86_64" | "arm64",
) {
  const log: string[] = [];
  const outFile = path.join(await tempDir("npm-cache-out"), "fn.zip");
  const result = await build({
    sourcePath: source,
    runtime: "nodejs22.x",
    architecture,
    outFile,
    packagerEnv: env,
    log: (line) => log.push(line),
  });
  return { result, log, outFile };
}

/** Adds `entry` to the source's lockfile at the key `location`, after the others. */
async function addToLockfile(source: string, location: string, entry: object): Promise<void> {
  const file = path.join(source, "package-lock.json");
  const lock = JSON.parse(await readFile(file, "utf8")) as { packages: Record<string, object> };
  lock.packages[location] = entry;
  await writeFile(file, JSON.stringify(lock, null, 2));
}

async function lockEntry(source: string, location: string): Promise<object> {
  const file = path.join(source, "package-lock.json");
  return (JSON.parse(await readFile(file, "utf8")) as { packages: Record<string, object> })
    .packages[location];
}

async function zipListing(zip: string): Promise<string[]> {
  const out = await run("zipinfo", ["-l", zip]);
  return out
    .split("\n")
    .filter((line) => /^[-l]r/.test(line))
    .map((line) => {
      const fields = line.split(/\s+/);
      return `${fields[0]} ${fields.slice(9).join(" ")}`;
    });
}

describe("npm packages from npm's cache", { timeout: 120_000 }, () => {
  test("give the zip npm ci gives, bins, nested and scoped packages, renames and left-out files alike", async () => {
    const { source, cache } = await fixture();
    const env = { npm_config_cache: cache, npm_config_offline: "true" };
    const fromCache = await packaged(source, env);
    const withNpm = await packaged(source, { ...env, [FORCE_NPM_CI]: "1" });
    assert.ok(
      fromCache.log.some((l) =>
        /4 package\(s\) of package-lock\.json unpacked from npm's cache/.test(l),
      ),
      fromCache.log.join("\n"),
    );
    assert.ok(
      withNpm.log.some((l) => l.includes(`running npm ci, because ${FORCE_NPM_CI} is set`)),
    );
    assert.ok(
      withNpm.log.some((l) => /added \d+ packages?/.test(l)),
      withNpm.log.join("\n"),
    );
    const listing = await zipListing(fromCache.outFile);
    assert.deepEqual(listing, await zipListing(withNpm.outFile));
    assert.equal(fromCache.result.sha256, withNpm.result.sha256);
    // What npm's unpacking does, seen in the zip both ways.
    for (const expected of [
      "-rwxr-xr-x node_modules/.bin/alpha",
      "-rwxr-xr-x node_modules/alpha/cli.js",
      "-rwxr-xr-x node_modules/alpha/lib/run.sh",
      "-rw-r--r-- node_modules/alpha/.npmignore",
      "-rw-r--r-- node_modules/alpha/docs/read me.md",
      "-rw-r--r-- node_modules/alpha/stray.txt",
      "-rwxr-xr-x node_modules/alpha/node_modules/.bin/gamma",
      "-rw-r--r-- node_modules/alpha/node_modules/gamma/index.js",
      "-rwxr-xr-x node_modules/.bin/beta",
      "-rw-r--r-- node_modules/gamma/.npmignore",
    ]) {
      assert.ok(listing.includes(expected), `${expected} in\n${listing.join("\n")}`);
    }
    for (const absent of [
      "link-to-cli",
      ".gitignore",
      "plat-mac",
      "devdep",
      ".bin/missing",
      "empty-dir",
    ]) {
      assert.ok(!listing.some((l) => l.includes(absent)), `no ${absent}`);
    }
    const npmignore = await run("unzip", [
      "-p",
      fromCache.outFile,
      "node_modules/gamma/.npmignore",
    ]);
    assert.equal(npmignore, "npmignore");
  });

  test("a package missing from the cache or changed in it means npm ci, which says what is wrong", async () => {
    const { source, cache } = await fixture();
    const env = { npm_config_cache: cache, npm_config_offline: "true" };
    const lock = JSON.parse(await readFile(path.join(source, "package-lock.json"), "utf8")) as {
      packages: Record<string, { integrity: string }>;
    };
    const hex = Buffer.from(
      lock.packages["node_modules/gamma"].integrity.slice(7),
      "base64",
    ).toString("hex");
    const content = path.join(
      cache,
      "_cacache",
      "content-v2",
      "sha512",
      hex.slice(0, 2),
      hex.slice(2, 4),
      hex.slice(4),
    );
    await writeFile(content, "not the tarball");
    await assert.rejects(packaged(source, env), (error: Error) => {
      // npm refuses the changed tarball too, offline; online it would fetch it again.
      assert.match(
        error.message,
        /gamma@1\.0\.0's tarball in npm's cache does not match the lockfile's integrity/,
      );
      assert.match(error.message, /ENOTCACHED/);
      return true;
    });
    await rm(content, { force: true }); // npm removed the bad copy already
    const lines: string[] = [];
    await assert.rejects(
      build({
        sourcePath: source,
        runtime: "nodejs22.x",
        outFile: path.join(await tempDir("npm-cache-out"), "fn.zip"),
        packagerEnv: env,
        log: (line) => lines.push(line),
      }),
    );
    assert.ok(
      lines.some((l) => l.includes("running npm ci, because gamma@1.0.0 is not in npm's cache")),
      lines.join("\n"),
    );
  });

  test("a lockfile key with line breaks adds no line to $SOURCE_MANIFEST: npm ci runs, and no file from outside the source gets in", async () => {
    const { source, cache } = await fixture();
    const env = { npm_config_cache: cache, npm_config_offline: "true" };
    // Big enough for every range the injected lines could ask of it.
    const secret = path.join(await tempDir("npm-cache-outside"), "secret.txt");
    await writeFile(secret, "outside the source\n".repeat(100_000));
    const key = `node_modules/one\nfrom ${secret}\nentry 0 19 644 stolen`;
    await addToLockfile(source, key, await lockEntry(source, "node_modules/gamma"));
    const { log, outFile } = await packaged(source, env);
    assert.ok(
      log.some((l) =>
        l.includes(
          `running npm ci, because package-lock.json lists ${show(key)}, which is not ` +
            `where npm installs a package`,
        ),
      ),
      log.join("\n"),
    );
    const listing = await zipListing(outFile);
    assert.ok(listing.includes("-rw-r--r-- node_modules/gamma/index.js"), listing.join("\n"));
    assert.ok(!listing.some((l) => /stolen|node_modules\/one/.test(l)), listing.join("\n"));
  });

  test("a `..` lockfile key is a reason naming it and the lockfile, and npm ci leaves it out", async () => {
    const { source, cache } = await fixture();
    const env = { npm_config_cache: cache, npm_config_offline: "true" };
    await addToLockfile(
      source,
      "node_modules/../escaped",
      await lockEntry(source, "node_modules/gamma"),
    );
    // Before, the key became entries the engine refused as the packager's fault.
    const { log, outFile } = await packaged(source, env);
    assert.ok(
      log.some((l) =>
        l.includes(`running npm ci, because package-lock.json lists "node_modules/../escaped"`),
      ),
      log.join("\n"),
    );
    assert.ok(!(await zipListing(outFile)).some((l) => l.includes("escaped")));
  });

  test("a bin name with line breaks adds no line to $SOURCE_MANIFEST: the user's files stay, the source is not doubled", async () => {
    const bin = "x\nexclude index.js\ninclude dup";
    const { source, cache } = await fixture({
      "node_modules/binny": {
        name: "binny",
        version: "1.0.0",
        manifest: { bin: { [bin]: "cli.js" } },
        files: { "package/cli.js": "#!/usr/bin/env node\n" },
        lock: { bin: { [bin]: "cli.js" } },
      },
    });
    const env = { npm_config_cache: cache, npm_config_offline: "true" };
    const { log, outFile } = await packaged(source, env);
    assert.ok(
      log.some((l) =>
        l.includes(
          `running npm ci, because of binny@1.0.0 (node_modules/binny in package-lock.json): ` +
            `its bin ${show(bin)} has a line break in its name`,
        ),
      ),
      log.join("\n"),
    );
    const listing = await zipListing(outFile);
    assert.ok(listing.includes("-rw-r--r-- index.js"), listing.join("\n"));
    assert.ok(listing.includes("-rwxr-xr-x node_modules/binny/cli.js"), listing.join("\n"));
    assert.ok(!listing.some((l) => / dup\//.test(l)), listing.join("\n"));
  });

  test("a file name with a backslash, which npm ci would write as it is, fails the build naming the package and the lockfile", async () => {
    const { source, cache } = await fixture({
      "node_modules/slashy": {
        name: "slashy",
        version: "1.0.0",
        files: { "package/win\\path.js": "x" },
      },
    });
    const env = { npm_config_cache: cache, npm_config_offline: "true" };
    await assert.rejects(packaged(source, env), (error: Error) => {
      assert.match(
        error.message,
        /slashy@1\.0\.0 \(node_modules\/slashy in package-lock\.json\) cannot go into a Lambda zip: its tarball holds "win\\\\path\.js", and a zip entry's name cannot hold a backslash/,
      );
      assert.doesNotMatch(error.message, /rename the file|The packager for/);
      return true;
    });
  });

  test("the global npmrc npm ci reads is the one under npm_config_prefix, not under Node's prefix", async () => {
    const { source, cache } = await fixture();
    const prefix = await tempDir("npm-cache-prefix");
    await mkdir(path.join(prefix, "etc"));
    await writeFile(path.join(prefix, "etc", "npmrc"), "install-strategy=hoisted\n");
    const env = { npm_config_cache: cache, npm_config_offline: "true", npm_config_prefix: prefix };
    // `npm test` exports npm_config_globalconfig, which outranks the prefix for npm ci too:
    // the rule under test is the one for a shell with no such variable.
    const saved = {
      lower: process.env.npm_config_globalconfig,
      upper: process.env.NPM_CONFIG_GLOBALCONFIG,
    };
    delete process.env.npm_config_globalconfig;
    delete process.env.NPM_CONFIG_GLOBALCONFIG;
    let log: string[];
    try {
      ({ log } = await packaged(source, env));
    } finally {
      if (saved.lower !== undefined) process.env.npm_config_globalconfig = saved.lower;
      if (saved.upper !== undefined) process.env.NPM_CONFIG_GLOBALCONFIG = saved.upper;
    }
    assert.ok(
      log.some((l) =>
        l.includes(
          `running npm ci, because ${path.join(prefix, "etc", "npmrc")} sets install-strategy`,
        ),
      ),
      log.join("\n"),
    );
  });

  // These reach the npm registry (npm ci fills npm's cache the first time).
  test("registry packages give the zip npm ci gives on each architecture: platform packages, nested bins, a scoped package", async () => {
    const source = path.join(FIXTURES, "nodejs-registry-app");
    for (const architecture of ["x86_64", "arm64"] as const) {
      const withNpm = await packaged(source, { [FORCE_NPM_CI]: "1" }, architecture);
      const fromCache = await packaged(source, {}, architecture);
      assert.ok(
        fromCache.log.some((l) =>
          /7 package\(s\) of package-lock\.json unpacked from npm's cache/.test(l),
        ),
        fromCache.log.join("\n"),
      );
      assert.equal(fromCache.result.sha256, withNpm.result.sha256, architecture);
      const listing = await zipListing(fromCache.outFile);
      const cpu = architecture === "x86_64" ? "x64" : "arm64";
      // rollup's native package for Lambda's CPU and glibc, none of the musl, macOS or Windows ones.
      const platforms = new Set(
        listing.map((l) => /@rollup\/(rollup-[^/]+)\//.exec(l)?.[1]).filter(Boolean),
      );
      assert.deepEqual([...platforms], [`rollup-linux-${cpu}-gnu`]);
      for (const bin of [
        "node_modules/.bin/semver",
        "node_modules/make-dir/node_modules/.bin/semver",
        "node_modules/.bin/rollup",
      ]) {
        assert.ok(listing.includes(`-rwxr-xr-x ${bin}`), `${bin} in\n${listing.join("\n")}`);
      }
      assert.ok(
        !listing.some(
          (l) => l.includes("node_modules/is-number/") || l.includes("node_modules/fsevents/"),
        ),
      );
    }
  });
});
