/**
 * The CycloneDX document of a build: valid for the CycloneDX library's
 * strict JSON validator, listing exactly the third-party packages the zip
 * holds for an npm install, a bundle and a Python lockfile install, and
 * byte-identical across two builds. These reach the npm registry (the
 * fixtures' packages); the Python ones install offline from a wheelhouse.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { build, type BuildResult } from "../../../engine/build";
import type { BuildOptions } from "../../../engine/options";
import { RECORD_PROPERTY, serialNumberOf } from "../../../engine/sbom";
import { unzipNames } from "../zip/zip-tools";
import { copyFixture, run, suiteCleanup, tempDir, type Cleanup } from "../packager/fixtures";
import { buildWheelhouse, offlineBuildEnv, renderTemplates } from "../packager/python-dists";

interface Component {
  purl: string;
  hashes?: { alg: string; content: string }[];
  properties?: { name: string; value: string }[];
}
interface Document {
  serialNumber: string;
  metadata: { component: { hashes: { content: string }[] } };
  components?: Component[];
}

/** Builds twice into two zips; both results. */
async function buildTwice(t: Cleanup, options: BuildOptions): Promise<[BuildResult, BuildResult]> {
  const out = await tempDir(t, "sbom-out-");
  const first = await build({ ...options, outFile: path.join(out, "a.zip") });
  const second = await build({ ...options, outFile: path.join(out, "b.zip") });
  return [first, second];
}

/** The document, after the CycloneDX library's strict validator has accepted it. */
async function validated(sbom: string): Promise<Document> {
  const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
  assert.equal(await validator.validate(sbom), null, "the CycloneDX validator finds no error");
  return JSON.parse(sbom) as Document;
}

const purls = (doc: Document) => (doc.components ?? []).map((c) => c.purl).sort();
const component = (doc: Document, purl: string) => doc.components!.find((c) => c.purl === purl)!;

/** `pkg:npm/…` of every `node_modules/…/package.json` in the zip, read from the zip itself. */
async function npmPackagesInZip(zip: string, t: Cleanup): Promise<string[]> {
  const dir = await tempDir(t, "sbom-unzip-");
  await run("unzip", ["-q", zip, "-d", dir]);
  const manifests = (await unzipNames(zip)).filter((n) =>
    /(^|\/)node_modules\/(@[^/]+\/)?[^/@.][^/]*\/package\.json$/.test(n),
  );
  const found = new Set<string>();
  for (const name of manifests) {
    const pkg = JSON.parse(await readFile(path.join(dir, name), "utf8")) as Record<string, string>;
    if (pkg.name && pkg.version)
      found.add(`pkg:npm/${pkg.name.replace(/^@/, "%40")}@${pkg.version}`);
  }
  return [...found].sort();
}

describe("the CycloneDX document of a build", { timeout: 600_000 }, () => {
  const cleanup = suiteCleanup();
  after(() => cleanup.run());

  test("an npm lockfile install: every installed package, its lockfile integrity, two builds identical", async (t) => {
    const src = await copyFixture(t, "nodejs-registry-app");
    const options = { sourcePath: src, runtime: "nodejs22.x", architecture: "x86_64" } as const;
    const [first, second] = await buildTwice(t, options);
    assert.equal(first.sha256, second.sha256);
    assert.equal(first.sbom, second.sbom, "the same zip has the same document, byte for byte");
    const doc = await validated(first.sbom);
    assert.deepEqual(purls(doc), await npmPackagesInZip(first.path, t));
    for (const expected of [
      "pkg:npm/make-dir@4.0.0",
      "pkg:npm/semver@6.3.1",
      "pkg:npm/rollup@4.30.1",
      "pkg:npm/%40types/aws-lambda@8.10.147",
    ])
      assert.ok(purls(doc).includes(expected), `${expected} in ${purls(doc).join(" ")}`);
    assert.ok(!purls(doc).some((p) => p.includes("is-number")), "no dev dependency");
    const lock = JSON.parse(await readFile(path.join(src, "package-lock.json"), "utf8")) as {
      packages: Record<string, { integrity: string }>;
    };
    const integrity = lock.packages["node_modules/make-dir"].integrity.replace(/^sha512-/, "");
    assert.deepEqual(component(doc, "pkg:npm/make-dir@4.0.0").hashes, [
      { alg: "SHA-512", content: Buffer.from(integrity, "base64").toString("hex") },
    ]);
    assert.equal(doc.serialNumber, serialNumberOf(first.sha256));
    assert.equal(doc.metadata.component.hashes[0].content, first.sha256);
    assert.ok(!("timestamp" in (doc.metadata as object)), "no timestamp");
  });

  test("a bundle lists the packages it inlined, not dev dependencies; manifests adds only their stubs", async (t) => {
    const src = await copyFixture(t, "nodejs-ts");
    await run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: src });
    const bundle = { entry: "src/handler.ts" };
    const [plain, again] = await buildTwice(t, { sourcePath: src, runtime: "nodejs22.x", bundle });
    assert.equal(plain.sbom, again.sbom);
    const doc = await validated(plain.sbom);
    assert.deepEqual(purls(doc), ["pkg:npm/is-number@7.0.0"]);
    assert.deepEqual(component(doc, "pkg:npm/is-number@7.0.0").properties, [
      { name: "lambda-package:inlined-from", value: "node_modules/is-number" },
    ]);
    assert.deepEqual(await unzipNames(plain.path), ["index.js"]);

    const out = await tempDir(t, "sbom-stubs-");
    const stubbed = await build({
      sourcePath: src,
      runtime: "nodejs22.x",
      bundle: { ...bundle, manifests: true },
      outFile: path.join(out, "stubbed.zip"),
    });
    assert.deepEqual(await unzipNames(stubbed.path), [
      "index.js",
      "node_modules/is-number/package.json",
    ]);
    const stub = await run("unzip", ["-p", stubbed.path, "node_modules/is-number/package.json"]);
    assert.deepEqual(JSON.parse(stub), { name: "is-number", version: "7.0.0" });
    assert.deepEqual(purls(await validated(stubbed.sbom)), ["pkg:npm/is-number@7.0.0"]);
    // The handler still runs: Node passes a manifest without a main by.
    const dir = await tempDir(t, "sbom-run-");
    await run("unzip", ["-q", stubbed.path, "-d", dir]);
    const call = `require("./index.js").handler({ value: "4" }).then((r) => console.log(JSON.stringify(r)))`;
    assert.deepEqual(JSON.parse(await run(process.execPath, ["-e", call], { cwd: dir })), {
      isNumber: true,
    });
    t.diagnostic(`stub cost: ${stubbed.size - plain.size} bytes of zip for 1 package`);
  });

  describe("a Python lockfile install", () => {
    let offline: Record<string, string>;
    let wheelhouse: Awaited<ReturnType<typeof buildWheelhouse>>;
    before(async () => {
      wheelhouse = await buildWheelhouse(cleanup);
      offline = await offlineBuildEnv(wheelhouse);
    });

    test("lists each installed distribution with the wheel hash the lock pins and its RECORD's hash", async (t) => {
      const src = await copyFixture(t, "python-uv-app");
      await renderTemplates(src, wheelhouse);
      const options = { sourcePath: src, runtime: "python3.12", packagerEnv: offline };
      const [first, second] = await buildTwice(t, options);
      assert.equal(first.sbom, second.sbom);
      const doc = await validated(first.sbom);
      const distInfos = (await unzipNames(first.path)).flatMap((n) => {
        const m = /^(.+)-([^-]+)\.dist-info\/METADATA$/.exec(n);
        return m ? [`pkg:pypi/${m[1].toLowerCase().replace(/_/g, "-")}@${m[2]}`] : [];
      });
      assert.deepEqual(purls(doc), distInfos.sort());
      assert.deepEqual(purls(doc), ["pkg:pypi/fastcalc@0.3.0", "pkg:pypi/greeting@1.0.0"]);
      const wheel = "fastcalc-0.3.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
      const fastcalc = component(doc, "pkg:pypi/fastcalc@0.3.0");
      assert.deepEqual(fastcalc.hashes, [
        { alg: "SHA-256", content: await wheelhouse.sha256(wheel) },
      ]);
      const dir = await tempDir(t, "sbom-unzip-");
      await run("unzip", ["-q", first.path, "-d", dir]);
      const record = await readFile(path.join(dir, "fastcalc-0.3.0.dist-info", "RECORD"));
      assert.ok(
        fastcalc.properties!.some(
          (p) =>
            p.name === RECORD_PROPERTY &&
            p.value === createHash("sha256").update(record).digest("hex"),
        ),
        JSON.stringify(fastcalc.properties),
      );
    });
  });
});
