import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { cacheWriteDenied, minioFixture } from "../support/minio";
import { countingPackager } from "../support/provider";
import { createProject, type PulumiProject } from "../support/pulumi";
import { corruptCacheEntry, download, sha256, versionsOf } from "../support/s3";
import { tempDir } from "../support/tmp";

const minio = minioFixture();

/** The stack outputs PROGRAM exports. */
interface StackOutputs {
  key: string;
  versionId: string;
  sha256: string;
  buildKey: string;
}

/**
 * The CLI shows a resource's log twice, while it runs and again under
 * "Diagnostics:"; that summary holds each line once.
 */
const diagnostics = (output: string) => output.slice(output.lastIndexOf("Diagnostics:"));

/** One function per stack, each stack with its own key in one bucket, as staging and prod would. */
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const { LambdaPackage } = require("pulumi-lambda-package");
const config = new pulumi.Config();
const code = new LambdaPackage("code", {
  bucket: config.require("bucket"),
  key: \`\${pulumi.getStack()}/code.zip\`,
  sourcePath: "src",
  packager: config.require("packager"),
  packagerEnv: { COUNT_FILE: config.require("countFile") },
  sourceKey: config.require("sourceKey"),
  endpoint: config.require("endpoint"),
  buildCache: true,
  buildCachePrefix: config.get("cachePrefix"),
});
exports.key = code.key;
exports.versionId = code.versionId;
exports.sha256 = code.sha256;
exports.buildKey = code.buildKey;
`;

describe("the build cache across stacks with the real CLI", { timeout: 15 * 60_000 }, () => {
  let project: PulumiProject;
  let runs: () => Promise<number>;
  let bucket: string;
  let shared: Record<string, string>;

  /** A new stack on the same commit's config, with `extra` on top. */
  const stack = async (name: string, extra: Record<string, string> = {}) => {
    await project.ok(["stack", "init", name]);
    for (const [key, value] of Object.entries({ ...shared, ...extra }))
      await project.ok(["config", "set", "--stack", name, key, value]);
  };
  const up = (name: string, env?: NodeJS.ProcessEnv) =>
    project.ok(["up", "--yes", "--skip-plugin-pre-install", "--stack", name], env);
  const outputs = async (name: string) =>
    JSON.parse(await project.ok(["stack", "output", "--json", "--stack", name])) as StackOutputs;
  /** The object the stack's function would run, hashed. */
  const deployed = async (out: StackOutputs) =>
    sha256(await download(minio.admin, bucket, out.key, out.versionId));

  before(async () => {
    bucket = await minio.bucket();
    const counter = await countingPackager(await tempDir("e2e-cache-packager"));
    runs = counter.runs;
    project = await createProject(
      {
        "Pulumi.yaml":
          "name: cache\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
        "index.js": PROGRAM,
        "src/handler.py": "def handler(e, c):\n    return 1\n",
        "src/lib/util.py": "VALUE = 1\n",
      },
      minio.server,
    );
    shared = {
      bucket,
      packager: counter.script,
      countFile: counter.env.COUNT_FILE,
      endpoint: minio.server.endpoint,
      sourceKey: "commit-1",
    };
  });

  let staging: StackOutputs;
  test("a second stack on the same commit copies the first's package and runs no packager", async () => {
    await stack("staging");
    await stack("prod");
    const first = await up("staging");
    // The first build of a configuration has nothing to look up by: no record of what it reads.
    assert.match(first, /build cache: no record of what this configuration reads yet; building/);
    assert.match(first, /build cache: stored s3:\/\/\S+\/lambda-package-cache\/[0-9a-f]{64}\.zip/);
    assert.equal(await runs(), 1);
    const second = await up("prod");
    assert.equal(await runs(), 1, "prod ran no packager");
    assert.match(second, /build cache hit [0-9a-f]{64}: .* saving a \d+\.\d s build/);
    staging = await outputs("staging");
    const prod = await outputs("prod");
    assert.notEqual(prod.key, staging.key);
    assert.equal(prod.sha256, staging.sha256);
    assert.equal(prod.buildKey, staging.buildKey);
    assert.equal(await deployed(prod), staging.sha256);
  });

  test("a corrupted cache entry is detected, reported, and built instead", async () => {
    await corruptCacheEntry(minio.admin, bucket, staging.buildKey);
    await stack("qa");
    const log = await up("qa");
    assert.match(
      log,
      /build cache entry \S+ \(version \S+\) is corrupt: it holds bytes with sha256/,
    );
    assert.equal(await runs(), 2, "qa built its package");
    const qa = await outputs("qa");
    assert.equal(qa.sha256, staging.sha256);
    assert.equal(await deployed(qa), staging.sha256);
  });

  test("two ups racing on one entry both succeed with identical packages", async () => {
    const race = { sourceKey: "commit-2" };
    await stack("race-a", race);
    await stack("race-b", race);
    await Promise.all([up("race-a"), up("race-b")]);
    const [a, b] = [await outputs("race-a"), await outputs("race-b")];
    assert.equal(a.sha256, b.sha256);
    assert.equal(a.buildKey, b.buildKey);
    assert.equal(await deployed(a), a.sha256);
    assert.equal(await deployed(b), a.sha256);
    // Whoever wrote the entry last, it holds the same bytes.
    const entry = `lambda-package-cache/${a.buildKey}.zip`;
    const { versions } = await versionsOf(minio.admin, bucket, entry);
    assert.ok(versions.length >= 1);
    for (const version of versions)
      assert.equal(sha256(await download(minio.admin, bucket, entry, version.VersionId)), a.sha256);
  });

  test("a cache in a bucket without versioning degrades to a normal build with one warning", async () => {
    const plain = await minio.bucket(false);
    const config = { sourceKey: "commit-3", cachePrefix: `s3://${plain}/cache` };
    await stack("plain-a", config);
    await stack("plain-b", config);
    await up("plain-a");
    const before = await runs();
    const log = await up("plain-b");
    assert.equal(await runs(), before + 1, "plain-b built its package");
    assert.equal(
      diagnostics(log).match(/warning: the build cache bucket .* has no versioning/g)?.length,
      1,
      log,
    );
    const [a, b] = [await outputs("plain-a"), await outputs("plain-b")];
    assert.equal(b.sha256, a.sha256);
    assert.equal(await deployed(b), a.sha256);
  });

  test("credentials that cannot write the cache prefix degrade to a normal build with one warning", async () => {
    const credentials = await cacheWriteDenied(minio.server, bucket);
    await stack("denied", { sourceKey: "commit-4" });
    const log = await up("denied", credentials);
    assert.equal(
      diagnostics(log).match(/warning: the build cache at .* cannot be written/g)?.length,
      1,
      log,
    );
    const denied = await outputs("denied");
    assert.equal(await deployed(denied), denied.sha256);
    const entry = `lambda-package-cache/${denied.buildKey}.zip`;
    assert.deepEqual((await versionsOf(minio.admin, bucket, entry)).versions, []);
  });
});
