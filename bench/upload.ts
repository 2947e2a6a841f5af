/**
 * Upload benchmark: our `uploadArtifact` against `aws s3 cp`, both to a local
 * MinIO, alternating, medians over `--runs`. Each upload runs as its own
 * process under GNU time, so wall time, CPU and peak RSS are its own.
 *
 *   node dist/bench/upload.js [--runs 5] [--json FILE] [--size-mb 256]
 *                             [--part-size-mb 8] [--concurrency 4]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createS3Client, uploadArtifact, type UploadRequest } from "../provider/s3";
import { minioClient, startMinio } from "../scripts/minio";
import { parseArgs, type Options } from "./upload-args";
import { header, measured, medianSample, row, type Sample } from "./upload-measure";
import { prepare, purge } from "./upload-setup";

const RSS_TARGET_MB = 256;

/** Child mode: one upload, then its in-process seconds on stdout. */
async function child(requestJson: string): Promise<void> {
  const client = createS3Client({});
  const started = performance.now();
  await uploadArtifact(client, JSON.parse(requestJson) as UploadRequest);
  client.destroy();
  process.stdout.write(`${(performance.now() - started) / 1000}\n`);
}

async function main(options: Options): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-upload-"));
  const server = await startMinio();
  const admin = minioClient(server);
  try {
    const { env, ours, cli } = await prepare(options, server, dir, __filename);
    const version = (await measured(["aws", "--version"], env, server, dir)).stdout.trim();
    console.log(
      `${options.sizeMb} MiB to MinIO; ours: parts of ${options.partSizeMb} MiB × ${options.concurrency}; ${version}`,
    );
    console.log(header());
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
    await summarize(options, samples, version);
  } finally {
    admin.destroy();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Prints the medians and the targets; writes `--json` when given. */
async function summarize(
  options: Options,
  samples: { ours: Sample[]; aws: Sample[] },
  version: string,
): Promise<void> {
  const [o, a] = [medianSample(samples.ours), medianSample(samples.aws)];
  console.log(row("ours median", o, "  (RSS: max)"));
  console.log(row("awscli med.", a));
  const result = { ours_s: o.wall, awscli_s: a.wall, peak_rss_mb: o.rssMb };
  const ratio = o.wall / a.wall;
  console.log(`target ours ≤ 1.0× awscli: ${ratio.toFixed(2)}× ${ratio <= 1 ? "MET" : "NOT MET"}`);
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
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const done = argv[0] === "--child" ? child(argv[1]) : main(parseArgs(argv));
  done.catch((error: Error) => {
    console.error(`bench:upload: ${error.message}`);
    process.exitCode = 1;
  });
}
