/**
 * The SBOM beside each package version, against MinIO: uploaded as its own
 * version at `<key>.cdx.json` and recorded as `sbom`, the CycloneDX library's
 * strict validator accepts it, it lists what the zip holds, two builds give
 * the same document, a build cache hit carries it, and a delete removes
 * exactly its recorded version with the zip's. The bundled fixture's
 * dependencies come from the npm registry.
 */
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import assert from "node:assert/strict";
import { appendFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { serialNumberOf } from "../../engine/sbom";
import * as lambdaPackageProvider from "../../provider/provider";
import type { LambdaPackageOutputs } from "../../provider/outputs";
import { copyFixture, run, suiteCleanup } from "../engine/packager/fixtures";
import { minioFixture } from "../support/minio";
import { createChecked } from "../support/provider";
import { download, versionsOf } from "../support/s3";

const minio = minioFixture();
const cleanup = suiteCleanup();

describe("the SBOM of a LambdaPackage against MinIO", { timeout: 300_000 }, () => {
  let base: Record<string, unknown>;
  let bucket: string;
  before(async () => {
    const sourcePath = await copyFixture(cleanup, "nodejs-ts");
    await run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: sourcePath });
    bucket = await minio.bucket();
    base = {
      bucket,
      sourcePath,
      runtime: "nodejs22.x",
      bundle: { entry: "src/handler.ts" },
      sourceKey: "commit-1",
      endpoint: minio.server.endpoint,
      forcePathStyle: true,
    };
  });
  after(() => cleanup.run());

  const create = async (news: Record<string, unknown>) =>
    (await createChecked(lambdaPackageProvider, news)).outs;

  /** The recorded document, after the CycloneDX library's strict validator accepted it. */
  async function storedDocument(outs: LambdaPackageOutputs) {
    assert.ok(outs.sbom, "an SBOM is recorded");
    const text = (
      await download(minio.admin, bucket, outs.sbom.key, outs.sbom.versionId)
    ).toString();
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    assert.equal(await validator.validate(text), null);
    return {
      text,
      doc: JSON.parse(text) as { serialNumber: string; components: { purl: string }[] },
    };
  }

  test("create stores the document beside the zip as its own version, describing that zip", async () => {
    const outs = await create({ ...base, key: "fn/a.zip" });
    assert.equal(outs.sbom?.key, "fn/a.zip.cdx.json");
    const { doc } = await storedDocument(outs);
    assert.deepEqual(
      doc.components.map((c) => c.purl),
      ["pkg:npm/is-number@7.0.0"],
    );
    assert.equal(doc.serialNumber, serialNumberOf(outs.sha256));
    const head = await minio.admin.send(
      new HeadObjectCommand({
        Bucket: bucket,
        Key: outs.sbom.key,
        VersionId: outs.sbom.versionId,
      }),
    );
    assert.equal(head.ContentType, "application/vnd.cyclonedx+json");
    assert.equal(head.Metadata?.["source-key"], "commit-1");
    assert.ok(JSON.stringify(outs.sbom).length < 200, "the state keeps two strings");
  });

  test("two builds of one source store the same document, byte for byte", async () => {
    const first = await storedDocument(await create({ ...base, key: "fn/b1.zip" }));
    const second = await storedDocument(await create({ ...base, key: "fn/b2.zip" }));
    assert.equal(second.text, first.text);
  });

  test("an update that keeps the bytes keeps the recorded document version", async () => {
    const outs = await create({ ...base, key: "fn/c.zip" });
    const news = { ...base, key: "fn/c.zip", forceRepackage: "again" };
    const checked = await lambdaPackageProvider.check(outs, news);
    const updated = (await lambdaPackageProvider.update("id", outs, checked.inputs)).outs;
    assert.equal(updated.versionId, outs.versionId);
    assert.deepEqual(updated.sbom, outs.sbom);
    assert.equal((await versionsOf(minio.admin, bucket, "fn/c.zip.cdx.json")).versions.length, 1);
  });

  test("a build cache hit stores the document the build kept beside the entry", async () => {
    const cached = { ...base, buildCache: true, sourceKey: "commit-cache" };
    const built = await storedDocument(await create({ ...cached, key: "fn/d1.zip" }));
    const hit = await create({ ...cached, key: "fn/d2.zip" });
    const copied = await storedDocument(hit);
    assert.equal(copied.text, built.text);
  });

  test("an immutable key that refuses the zip gets no document beside it either", async () => {
    const other = Buffer.from("another tool's zip");
    await minio.admin.send(
      new PutObjectCommand({ Bucket: bucket, Key: "fn/taken.zip", Body: other }),
    );
    await assert.rejects(create({ ...base, key: "fn/taken.zip", immutable: true }), (error) => {
      assert.equal((error as { code?: string }).code, "IMMUTABLE_KEY_TAKEN");
      return true;
    });
    assert.deepEqual((await versionsOf(minio.admin, bucket, "fn/taken.zip.cdx.json")).versions, []);
    const outs = await create({ ...base, key: "fn/free.zip", immutable: true });
    await storedDocument(outs);
  });

  test("an update that moves a content-addressed object deletes the old document with the old zip", async () => {
    const sourcePath = await copyFixture(cleanup, "nodejs-ts");
    await run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: sourcePath });
    const args = { ...base, sourcePath, keyPrefix: "moving" };
    const outs = await create(args);
    await appendFile(path.join(sourcePath, "src", "handler.ts"), "\nexport const moved = 1;\n");
    const news = { ...args, sourceKey: "commit-moved" };
    const checked = await lambdaPackageProvider.check(outs, news);
    const updated = (await lambdaPackageProvider.update("id", outs, checked.inputs)).outs;
    assert.notEqual(updated.key, outs.key);
    assert.equal(updated.sbom?.key, `${updated.key}.cdx.json`);
    assert.deepEqual((await versionsOf(minio.admin, bucket, outs.key)).versions, []);
    assert.deepEqual((await versionsOf(minio.admin, bucket, outs.sbom!.key)).versions, []);
    assert.equal((await versionsOf(minio.admin, bucket, updated.sbom.key)).versions.length, 1);
  });

  test("delete removes exactly the recorded zip and document versions", async () => {
    const outs = await create({ ...base, key: "fn/e.zip" });
    const later = await create({ ...base, key: "fn/e.zip", sourceKey: "commit-2" });
    assert.notEqual(later.sbom!.versionId, outs.sbom!.versionId);
    await lambdaPackageProvider.delete("id", outs);
    const zips = await versionsOf(minio.admin, bucket, "fn/e.zip");
    const docs = await versionsOf(minio.admin, bucket, "fn/e.zip.cdx.json");
    assert.deepEqual(
      zips.versions.map((v) => v.VersionId),
      [later.versionId],
    );
    assert.deepEqual(
      docs.versions.map((v) => v.VersionId),
      [later.sbom!.versionId],
    );
    assert.equal(docs.deleteMarkers.length, 0, "no delete marker hides the newer document");
  });
});
