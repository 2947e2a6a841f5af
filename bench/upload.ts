/**
 * Upload benchmark: our `uploadArtifact` against `aws s3 cp`, both to a local
 * MinIO, alternating, medians over `--runs`. Each upload runs as its own
 * process under GNU time, so wall time, CPU and peak RSS are its own.
 *
 *   node dist/bench/upload.js [--runs 5] [--json FILE] [--size-mb 256]
 *                             [--part-size-mb 8] [--concurrency 4]
 */
import { spawn } from "node:child_process";
import { createCipheriv, createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DeleteObjectCommand, ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";
import { createS3Client, uploadArtifact, type UploadRequest } from "../provider/s3";
import { createVersionedBucket, minioClient, startMinio, type MinioServer } from "../scripts/minio";

const MiB = 1024 * 1024;
const BUCKET = "bench";
const RSS_TARGET_MB = 256;
const CLOCK_TICKS = 100; // USER_HZ on Linux

interface Options {
  runs: number;
  json?: string;
  sizeMb: number;
  partSizeMb: number;
  concurrency: number;
}

/** One upload: wall seconds, CPU seconds (user + sys) of the tool and of MinIO meanwhile, peak RSS. */
interface Sample {
  wall: number;
  cpu: number;
  storeCpu: number;
  rssMb: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { runs: 5, sizeMb: 256, partSizeMb: 8, concurrency: 4 };
  const numeric: Record<string, keyof Omit<Options, "json">> = {
    "--runs": "runs",
    "--size-mb": "sizeMb",
    "--part-size-mb": "partSizeMb",
    "--concurrency": "concurrency",
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--json") options.json = value;
    else if (numeric[flag] && /^[1-9]\d*$/.test(value)) options[numeric[flag]] = Number(value);
    else throw new Error(`bad flag ${flag} ${value}; see the header of bench/upload.ts`);
  }
  return options;
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

/** CPU seconds MinIO has used so far, from /proc. */
async function storeCpu(server: MinioServer): Promise<number> {
  const stat = await readFile(`/proc/${server.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
}

/** Runs `args` under GNU time; returns the sample and the command's stdout. */
async function measured(args: string[], env: NodeJS.ProcessEnv, server: MinioServer, dir: string) {
  const timeFile = path.join(dir, "time.txt");
  const before = await storeCpu(server);
  const child = spawn("/usr/bin/time", ["-o", timeFile, "-f", "%e %U %S %M", ...args], { env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`${args.join(" ")} exited ${code}:\n${stderr}`);
  const [wall, user, sys, rssKb] = (await readFile(timeFile, "utf8"))
    .trim()
    .split(/\s+/)
    .map(Number);
  const sample: Sample = {
    wall,
    cpu: user + sys,
    storeCpu: (await storeCpu(server)) - before,
    rssMb: rssKb / 1024,
  };
  return { sample, stdout };
}

/** Deletes every version of `key`, so runs do not fill the disk. */
async function purge(admin: S3Client, key: string): Promise<void> {
  const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: key }));
  for (const { VersionId } of listed.Versions ?? []) {
    await admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, VersionId }));
  }
}

function storeEnv(server: MinioServer, dir: string): NodeJS.ProcessEnv {
  const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...inherited } = process.env;
  return {
    ...inherited,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_DEFAULT_REGION: server.region,
    AWS_ENDPOINT_URL_S3: server.endpoint,
    // Both tools at their defaults: no user config or profile leaks in.
    AWS_CONFIG_FILE: path.join(dir, "aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "aws-credentials"),
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const cell = (n: number) => n.toFixed(2).padStart(7);
const row = (label: string, s: Sample, extra = "") =>
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
    const ours = [process.execPath, __filename, "--child", JSON.stringify(request)];
    const cli = ["aws", "--endpoint-url", server.endpoint, "s3", "cp", file];
    cli.push(`s3://${BUCKET}/awscli.zip`, "--only-show-errors");
    const version = (await measured(["aws", "--version"], env, server, dir)).stdout.trim();
    console.log(
      `${options.sizeMb} MiB to MinIO; ours: parts of ${options.partSizeMb} MiB × ${options.concurrency}; ${version}`,
    );
    console.log(
      `${"".padEnd(12)}${"wall s".padStart(7)}${"cpu s".padStart(7)}${"minio".padStart(7)}${"RSS MB".padStart(7)}`,
    );
    const samples = { ours: [] as Sample[], aws: [] as Sample[], inProcess: [] as number[] };
    for (let run = 1; run <= options.runs; run++) {
      // Alternate who goes first, so neither always meets a warmer store.
      for (const who of run % 2 ? ["ours", "aws"] : ["aws", "ours"]) {
        const { sample, stdout } = await measured(who === "ours" ? ours : cli, env, server, dir);
        if (who === "ours") samples.inProcess.push(Number(stdout.trim()));
        samples[who as "ours" | "aws"].push(sample);
      }
      await purge(admin, "ours.zip");
      await purge(admin, "awscli.zip");
      console.log(
        row(
          `ours #${run}`,
          samples.ours[run - 1],
          `  (upload ${samples.inProcess[run - 1].toFixed(2)} s)`,
        ),
      );
      console.log(row(`awscli #${run}`, samples.aws[run - 1]));
    }
    const med = (list: Sample[]): Sample => ({
      wall: median(list.map((s) => s.wall)),
      cpu: median(list.map((s) => s.cpu)),
      storeCpu: median(list.map((s) => s.storeCpu)),
      rssMb: Math.max(...list.map((s) => s.rssMb)),
    });
    const [o, a] = [med(samples.ours), med(samples.aws)];
    console.log(row("ours median", o, "  (RSS: max)"));
    console.log(row("awscli med.", a));
    const result = { ours_s: o.wall, awscli_s: a.wall, peak_rss_mb: o.rssMb };
    const ratio = o.wall / a.wall;
    console.log(
      `target ours ≤ 1.0× awscli: ${ratio.toFixed(2)}× ${ratio <= 1 ? "MET" : "NOT MET"}`,
    );
    const rssMet = o.rssMb < RSS_TARGET_MB ? "MET" : "NOT MET";
    console.log(`target peak RSS < ${RSS_TARGET_MB} MB: ${o.rssMb.toFixed(1)} MB ${rssMet}`);
    if (options.json) {
      const detail = {
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
      await writeFile(options.json, JSON.stringify({ ...result, ...detail }, null, 2) + "\n");
    }
  } finally {
    admin.destroy();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const done = argv[0] === "--child" ? child(argv[1]) : main(parseArgs(argv));
  done.catch((error: Error) => {
    console.error(`bench:upload: ${error.message}`);
    process.exitCode = 1;
  });
}
