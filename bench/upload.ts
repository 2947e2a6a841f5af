/**
 * Upload benchmark: our `uploadArtifact` against `aws s3 cp`, both to a local
 * MinIO, alternating, medians over `--runs`. Each upload runs as its own
 * process under GNU time, so wall time, CPU and peak RSS are its own.
 *
 *   node dist/bench/upload.js [--runs 5] [--json FILE] [--size-mb 256]
 *                             [--part-size-mb 8] [--concurrency 4]
 */
import { createCipheriv, createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DeleteObjectCommand, ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";
import { createS3Client, uploadArtifact, type UploadRequest } from "../provider/s3";
import { createVersionedBucket, minioClient, startMinio, type MinioServer } from "../scripts/minio";
import {
  benchFlags,
  measured,
  medianSample,
  rotate,
  target,
  wholeFlag,
  type Sample,
} from "./measure";

const MiB = 1024 * 1024;
const BUCKET = "bench";
const RSS_TARGET_MB = 256;
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** An upload sample with the CPU MinIO spent meanwhile. */
type UploadSample = Sample & { storeCpu: number };

interface Options {
  runs: number;
  json?: string;
  sizeMb: number;
  partSizeMb: number;
  concurrency: number;
}

function options(): Options {
  const { runs, json, values } = benchFlags("bench/upload.ts", {
    "size-mb": { type: "string" },
    "part-size-mb": { type: "string" },
    concurrency: { type: "string" },
  });
  return {
    runs,
    json,
    sizeMb: wholeFlag("size-mb", values["size-mb"], 256),
    partSizeMb: wholeFlag("part-size-mb", values["part-size-mb"], 8),
    concurrency: wholeFlag("concurrency", values.concurrency, 4),
  };
}

/** Child mode: one upload, then its in-process seconds on stdout. */
async function child(requestJson: string): Promise<void> {
  const client = createS3Client({});
  const started = performance.now();
  await uploadArtifact(client, JSON.parse(requestJson) as UploadRequest);
  client.destroy();
  process.stdout.write(`${(performance.now() - started) / 1000}\n`);
}

/** Writes `size` deterministic pseudo-random bytes (AES-256-CTR of zeros); returns their SHA-256. */
async function makeArtifact(file: string, size: number): Promise<Buffer> {
  const key = createHash("sha256").update("bench-upload").digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const hash = createHash("sha256");
  const out = createWriteStream(file);
  const zeros = Buffer.alloc(MiB);
  for (let written = 0; written < size; written += MiB) {
    const chunk = cipher.update(zeros.subarray(0, Math.min(MiB, size - written)));
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return hash.digest();
}

/** Deletes every version of `key`, so runs do not fill the disk. */
async function purge(admin: S3Client, key: string): Promise<void> {
  const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: key }));
  for (const { VersionId } of listed.Versions ?? []) {
    await admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, VersionId }));
  }
}

/** Both tools at their defaults, pointed at the server: no user config or profile leaks in. */
function storeEnv(server: MinioServer, dir: string): NodeJS.ProcessEnv {
  const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...inherited } = process.env;
  return {
    ...inherited,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_DEFAULT_REGION: server.region,
    AWS_ENDPOINT_URL_S3: server.endpoint,
    AWS_CONFIG_FILE: path.join(dir, "aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "aws-credentials"),
  };
}

/** CPU seconds MinIO has used so far, from /proc. */
async function storeCpu(server: MinioServer): Promise<number> {
  const stat = await readFile(`/proc/${server.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
}

async function upload(args: string[], env: NodeJS.ProcessEnv, server: MinioServer) {
  const before = await storeCpu(server);
  const { sample, stdout } = await measured(args, { env });
  return { sample: { ...sample, storeCpu: (await storeCpu(server)) - before }, stdout };
}

const cell = (n: number) => n.toFixed(2).padStart(7);
const row = (label: string, s: UploadSample, extra = "") =>
  `${label.padEnd(12)}${cell(s.wall)}${cell(s.cpu)}${cell(s.storeCpu)}${cell(s.rssMb)}${extra}`;

async function main(options: Options): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-upload-"));
  const server = await startMinio();
  const admin = minioClient(server);
  try {
    await createVersionedBucket(server, BUCKET);
    await writeFile(path.join(dir, "aws-config"), "");
    await writeFile(path.join(dir, "aws-credentials"), "");
    const file = path.join(dir, "artifact.zip");
    const size = options.sizeMb * MiB;
    const digest = await makeArtifact(file, size);
    const env = storeEnv(server, dir);
    const request: UploadRequest = {
      bucket: BUCKET,
      key: "ours.zip",
      file,
      size,
      sha256: digest.toString("hex"),
      sourceCodeHash: digest.toString("base64"),
      sourceKey: "bench",
      partSize: options.partSizeMb * MiB,
      concurrency: options.concurrency,
    };
    const commands = {
      ours: [process.execPath, __filename, "--child", JSON.stringify(request)],
      aws: ["aws", "--endpoint-url", server.endpoint, "s3", "cp", file],
    };
    commands.aws.push(`s3://${BUCKET}/awscli.zip`, "--only-show-errors");
    const version = (await measured(["aws", "--version"], { env })).stdout.trim();
    console.log(
      `${options.sizeMb} MiB to MinIO; ours: parts of ${options.partSizeMb} MiB × ${options.concurrency}; ${version}`,
    );
    console.log(
      `${"".padEnd(12)}${["wall s", "cpu s", "minio", "RSS MB"].map((h) => h.padStart(7)).join("")}`,
    );
    const samples = { ours: [] as UploadSample[], aws: [] as UploadSample[] };
    for (let run = 1; run <= options.runs; run++) {
      for (const who of rotate(["ours", "aws"] as const, run)) {
        const { sample, stdout } = await upload(commands[who], env, server);
        samples[who].push(sample);
        if (who === "ours")
          console.log(row(`ours #${run}`, sample, `  (upload ${Number(stdout).toFixed(2)} s)`));
        else console.log(row(`awscli #${run}`, sample));
      }
      await purge(admin, "ours.zip");
      await purge(admin, "awscli.zip");
    }
    const o = { ...medianSample(samples.ours), storeCpu: 0 };
    const a = { ...medianSample(samples.aws), storeCpu: 0 };
    const ratio = o.wall / a.wall;
    console.log(`ours median: ${o.wall.toFixed(2)} s, awscli median: ${a.wall.toFixed(2)} s`);
    console.log(target("ours ≤ 1.0× awscli", `${ratio.toFixed(2)}×`, ratio <= 1));
    console.log(
      target(`peak RSS < ${RSS_TARGET_MB} MB`, `${o.rssMb.toFixed(1)} MB`, o.rssMb < RSS_TARGET_MB),
    );
    if (options.json) {
      const result = {
        ours_s: o.wall,
        awscli_s: a.wall,
        peak_rss_mb: o.rssMb,
        ratio,
        runs: options.runs,
        size_mb: options.sizeMb,
        part_size_mb: options.partSizeMb,
        concurrency: options.concurrency,
        ours_cpu_s: o.cpu,
        awscli_cpu_s: a.cpu,
        awscli_rss_mb: a.rssMb,
        awscli_version: version,
      };
      await writeFile(options.json, JSON.stringify(result, null, 2) + "\n");
    }
  } finally {
    admin.destroy();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const done =
    argv[0] === "--child" ? child(argv[1]) : Promise.resolve().then(() => main(options()));
  done.catch((error: Error) => {
    console.error(`bench:upload: ${error.message}`);
    process.exitCode = 1;
  });
}
