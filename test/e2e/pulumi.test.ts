import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { before, describe, test } from "node:test";
import type { BuildResult } from "../../engine/build";
import { countingPackager } from "../support/provider";
import { createProject, type PulumiProject } from "../support/pulumi";
import { minioFixture } from "../support/minio";
import { download, sha256, versionsOf } from "../support/s3";
import { run } from "../support/run";
import { tempDir } from "../support/tmp";

/** The stack outputs PROGRAM exports. */
interface StackOutputs {
  versionId: string;
  sha256: string;
  key: string;
}

/** The part of `pulumi stack export` these tests read. */
interface StackExport {
  deployment: {
    resources?: { type: string; urn: string; inputs?: Record<string, unknown> }[];
  };
}

const minio = minioFixture();
const KEY = "e2e/code.zip";
const SECRET = "https://deploy:e2e-hunter2@pypi.example/simple";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { LambdaPackage } = require("pulumi-lambda-package");
const config = new pulumi.Config();
const code = new LambdaPackage("code", {
  bucket: config.require("bucket"),
  key: "${KEY}",
  sourcePath: "src",
  packager: config.require("packager"),
  packagerEnv: { COUNT_FILE: config.require("countFile"), INDEX_URL: config.requireSecret("indexUrl") },
  sourceKey: config.require("sourceKey"),
  endpoint: config.require("endpoint"),
});
exports.versionId = code.versionId;
exports.sha256 = code.sha256;
exports.key = code.key;
`;

describe("pulumi CLI end to end against MinIO", { timeout: 15 * 60_000 }, () => {
  let project: PulumiProject;
  let runs: () => Promise<number>;
  let firstVersion: string;
  let BUCKET: string;
  const outputs = async () =>
    JSON.parse(await project.ok(["stack", "output", "--json"])) as StackOutputs;
  const urn = async () => {
    const state = JSON.parse(await project.ok(["stack", "export"])) as StackExport;
    return (state.deployment.resources ?? []).find((r) => r.type.endsWith(":LambdaPackage"))?.urn;
  };

  before(async () => {
    BUCKET = await minio.bucket();
    const counter = await countingPackager(await tempDir("e2e-packager"));
    runs = counter.runs;
    project = await createProject(
      {
        "Pulumi.yaml":
          "name: e2e\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
        "index.js": PROGRAM,
        "src/handler.py": "def handler(e, c):\n    return 1\n",
      },
      minio.server,
    );
    await project.ok(["stack", "init", "e2e"]);
    for (const [key, value] of Object.entries({
      bucket: BUCKET,
      packager: counter.script,
      countFile: counter.env.COUNT_FILE,
      sourceKey: "commit-1",
      endpoint: minio.server.endpoint,
    })) {
      await project.ok(["config", "set", key, value]);
    }
    await project.ok(["config", "set", "--secret", "indexUrl", SECRET]);
  });

  test("pulumi up uploads the package and exports its version", async () => {
    const up = await project.ok(["up", "--yes", "--skip-plugin-pre-install"]);
    // The packager printed the secret index URL; the log shows it masked.
    assert.match(up, /index: \*\*\*/);
    assert.ok(!up.includes(SECRET), up);
    const out = await outputs();
    assert.equal(out.key, KEY);
    firstVersion = out.versionId;
    assert.equal(sha256(await download(minio.admin, BUCKET, KEY, out.versionId)), out.sha256);
    assert.equal(await runs(), 1);
  });

  test("the state refers to the installed provider by name instead of storing its code", async () => {
    const state = JSON.parse(await project.ok(["stack", "export"])) as StackExport;
    const resource = state.deployment.resources?.find((r) => r.type.endsWith(":LambdaPackage"));
    const provider = resource?.inputs?.__provider;
    const text = typeof provider === "string" ? provider : "";
    assert.match(text, /require\("pulumi-lambda-package\/dynamic-provider"\)/);
    assert.ok(text.length < 600, `__provider is ${text.length} characters`);
    // The whole resource, inputs and outputs, within the few KB a stack of many functions can afford.
    assert.ok(JSON.stringify(resource).length < 4096, `${JSON.stringify(resource).length} bytes`);
  });

  test("preview and up with the same sourceKey change nothing and run no packager", async () => {
    const before = await outputs();
    await project.ok(["preview", "--expect-no-changes"]);
    await project.ok(["up", "--yes", "--expect-no-changes", "--skip-plugin-pre-install"]);
    assert.equal(await runs(), 1);
    assert.deepEqual(await outputs(), before);
  });

  test("a new sourceKey: preview runs no packager, up uploads one new version and keeps the old", async () => {
    const old = await outputs();
    await writeFile(
      path.join(project.dir, "src", "handler.py"),
      "def handler(e, c):\n    return 2\n",
    );
    await project.ok(["config", "set", "sourceKey", "commit-2"]);
    const preview = await project.ok(["preview", "--diff"]);
    assert.match(preview, /~ 1 to update|1 to update/);
    assert.equal(await runs(), 1);
    const up = await project.ok(["up", "--yes", "--skip-plugin-pre-install"]);
    assert.match(up, /1 updated/);
    const now = await outputs();
    assert.notEqual(now.versionId, old.versionId);
    assert.equal(await runs(), 2);
    assert.equal(sha256(await download(minio.admin, BUCKET, KEY, old.versionId)), old.sha256);
  });

  test("refresh notices a version deleted out of band and the next up restores it", async () => {
    const old = await outputs();
    await minio.admin.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY, VersionId: old.versionId }),
    );
    await project.ok(["refresh", "--yes", "--skip-plugin-pre-install"]);
    assert.equal(await urn(), undefined);
    await project.ok(["up", "--yes", "--skip-plugin-pre-install"]);
    const now = await outputs();
    assert.notEqual(now.versionId, old.versionId);
    assert.equal(sha256(await download(minio.admin, BUCKET, KEY)), now.sha256);
    assert.equal(await runs(), 3);
  });

  test("up --replace repackages, and the new version stays visible after the old is deleted", async () => {
    const old = await outputs();
    await project.ok(["up", "--yes", "--skip-plugin-pre-install", "--replace", (await urn())!]);
    const now = await outputs();
    assert.equal(await runs(), 4);
    assert.notEqual(now.versionId, old.versionId);
    assert.equal(sha256(await download(minio.admin, BUCKET, KEY)), now.sha256);
    const { versions, deleteMarkers } = await versionsOf(minio.admin, BUCKET, KEY);
    assert.ok(
      !versions.some((v) => v.VersionId === old.versionId),
      "the replaced version was deleted",
    );
    assert.equal(deleteMarkers.length, 0);
  });

  test("the installed package's lambda-package command builds the same source", async () => {
    const bin = path.join(project.dir, "node_modules", ".bin", "lambda-package");
    const out = await run(bin, ["build", "src", "--runtime", "copy", "--json"], {
      cwd: project.dir,
    });
    const result = JSON.parse(out) as BuildResult;
    assert.equal(result.fileCount, 1);
    assert.match(result.sha256, /^[0-9a-f]{64}$/);
  });

  test("destroy removes only our version", async () => {
    const ours = await outputs();
    const foreign = await minio.admin.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "e2e/someone-else.zip", Body: "not ours" }),
    );
    await project.ok(["destroy", "--yes", "--skip-plugin-pre-install"]);
    const { versions } = await versionsOf(minio.admin, BUCKET, KEY);
    assert.ok(!versions.some((v) => v.VersionId === ours.versionId));
    const kept = await versionsOf(minio.admin, BUCKET, "e2e/someone-else.zip");
    assert.deepEqual(
      kept.versions.map((v) => v.VersionId),
      [foreign.VersionId],
    );
    // Versions from earlier sourceKeys are history that functions may still be
    // pinned to; an update never deletes them, so destroy leaves them too.
    assert.deepEqual(
      versions.map((v) => v.VersionId),
      [firstVersion],
    );
  });
});
