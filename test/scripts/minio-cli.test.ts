import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { GetBucketVersioningCommand, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { isLive, minioClient, type S3Endpoint } from "../../scripts/minio";

const CLI = path.resolve(__dirname, "..", "..", "scripts", "minio.js");
const LIMIT = { timeout: 60_000 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let env: NodeJS.ProcessEnv;

/** Runs `command` in bash with the CLI as `$MINIO`, like a user's shell; never throws. */
function shell(command: string): Promise<Run> {
  return new Promise((resolve) => {
    const options = { env: { ...env, MINIO: `${process.execPath} ${CLI}` } };
    execFile("bash", ["-c", command], options, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const cli = (...args: string[]) => shell(`$MINIO ${args.join(" ")}`);

function ok(run: Run): string {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}`);
  return run.stdout;
}

/** The variables `export` lines set, by name. */
function exported(stdout: string): Record<string, string> {
  const lines = stdout.trim().split("\n");
  for (const line of lines) assert.match(line, /^export [A-Z0-9_]+=\S+$/);
  return Object.fromEntries(
    lines.map((line) => {
      const [name, value] = line.slice("export ".length).split("=", 2);
      return [name, value];
    }),
  );
}

function endpointFrom(vars: Record<string, string>): S3Endpoint {
  return {
    endpoint: vars.AWS_ENDPOINT_URL_S3,
    region: vars.AWS_REGION,
    accessKeyId: vars.AWS_ACCESS_KEY_ID,
    secretAccessKey: vars.AWS_SECRET_ACCESS_KEY,
  };
}

async function versioningOf(server: S3Endpoint, bucket: string): Promise<string | undefined> {
  const client = minioClient(server);
  try {
    return (await client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
  } finally {
    client.destroy();
  }
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "minio-cli-"));
  env = { ...process.env, LAMBDA_PACKAGE_MINIO_DIR: dir };
});

// Stops the server even when a test failed midway; SIGKILL if `stop` could not.
after(async () => {
  await cli("stop");
  const state = await readFile(path.join(dir, "state.json"), "utf8").catch(() => undefined);
  if (state) {
    try {
      process.kill((JSON.parse(state) as { pid: number }).pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

describe("scripts/minio.js, the background MinIO CLI", () => {
  let server: S3Endpoint;

  test(
    "start prints export lines that, eval'd, point the AWS variables at a live server",
    LIMIT,
    async () => {
      const run = await shell(
        'eval "$($MINIO start)" && echo "$AWS_ENDPOINT_URL_S3 $AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_REGION"',
      );
      const [endpoint, id, secret, region] = ok(run).trim().split(" ");
      assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(region, "us-east-1");
      assert.ok(id && secret);
      assert.match(run.stderr, /started pid \d+/);
      assert.ok(run.stderr.includes(dir), "data and log live in LAMBDA_PACKAGE_MINIO_DIR");
      assert.ok(await isLive(endpoint));
      server = { endpoint, region, accessKeyId: id, secretAccessKey: secret };
    },
  );

  test("a second start reuses the running server and prints the same exports", async () => {
    const run = await cli("start");
    assert.deepEqual(endpointFrom(exported(ok(run))), server);
    assert.doesNotMatch(run.stderr, /started/);
  });

  test("env prints the running server's exports", async () => {
    assert.deepEqual(endpointFrom(exported(ok(await cli("env")))), server);
  });

  test("bucket creates a bucket with versioning Enabled", async () => {
    assert.match(ok(await cli("bucket", "artifacts")), /created bucket artifacts/);
    assert.equal(await versioningOf(server, "artifacts"), "Enabled");
  });

  test("bucket on an existing bucket says it exists and re-enables suspended versioning", async () => {
    const admin = minioClient(server);
    await admin.send(
      new PutBucketVersioningCommand({
        Bucket: "artifacts",
        VersioningConfiguration: { Status: "Suspended" },
      }),
    );
    admin.destroy();
    assert.match(ok(await cli("bucket", "artifacts")), /bucket artifacts exists/);
    assert.equal(await versioningOf(server, "artifacts"), "Enabled");
  });

  test("bucket refuses a missing or invalid name, saying what a valid one is", async () => {
    const missing = await cli("bucket");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /a bucket name is required/);
    const invalid = await cli("bucket", "Not_Valid");
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /"Not_Valid" is not a valid S3 bucket name; use 3 to 63/);
  });

  test("stop stops the server: its health endpoint no longer answers", LIMIT, async () => {
    const run = await cli("stop");
    assert.match(ok(run) + run.stderr, /stopped pid \d+/);
    assert.equal(await isLive(server.endpoint), false);
  });

  test("after stop, env and bucket fail and say to run start first", async () => {
    for (const args of [["env"], ["bucket", "artifacts"]]) {
      const run = await cli(...args);
      assert.equal(run.code, 1, args.join(" "));
      assert.equal(run.stdout, "");
      assert.match(run.stderr, /MinIO is not running; run `npm run minio -- start` first/);
    }
    assert.match((await cli("stop")).stderr, /not running/);
  });

  test("an unknown command exits non-zero with the usage", async () => {
    const run = await cli("frobnicate");
    assert.equal(run.code, 1);
    assert.match(run.stderr, /usage: npm run minio -- start \| stop \| env \| bucket <name>/);
  });
});
