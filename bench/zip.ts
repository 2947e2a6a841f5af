/**
 * `npm run bench:zip`: our zipper against Info-ZIP `zip -9` and Python's
 * zipfile at level 9 on realistic trees, alternating tools in every round,
 * each tool a process of its own (wall time, CPU and peak RSS its own).
 * Each tool's CPU, user and sys, is reported beside its wall time; ours and
 * `zip -9` run again pinned to one CPU (`taskset -c 0`), where only doing
 * less work, not a second core, can win.
 *
 *   node dist/bench/zip.js [--runs N] [--json FILE] [--only npm,python]
 */
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openFileSource, readCentralDirectory } from "../engine/listing";
import { ZIP_EPOCH } from "../engine/options";
import { writeZip } from "../engine/zip";
import {
  benchFlags,
  measured,
  medianSample,
  oneCore,
  rotate,
  target,
  timeAndCpu,
  type Sample,
} from "./measure";
import { npmTree, pythonTree, walkTree } from "./trees";

const TARGET_RATIO = 0.6;
/** One core each: ours must not be slower than `zip -9`. */
const TARGET_ONE_CORE_RATIO = 1.0;
const TARGET_SIZE_DIFF = 0.5; // percent larger than zip -9 at most
const TARGET_RSS_MB = 256;
/** What each tree must hold to count as realistic. */
const MINIMUM: Record<string, { files: number; mb: number }> = {
  npm: { files: 5000, mb: 50 },
  python: { files: 3000, mb: 0 },
};

const PYTHON_ZIP = `
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(d, f)
            z.write(p, os.path.relpath(p, root))
`;

type Tool = "ours" | "zip9" | "python";
const TOOLS: readonly Tool[] = ["ours", "zip9", "python"];

interface Figures {
  ours_s: number;
  zip9_s: number;
  python_s: number;
  ours: Sample;
  zip9: Sample;
  python: Sample;
  ours_1core: Sample;
  zip9_1core: Sample;
  size_ours: number;
  size_zip9: number;
  peak_rss_mb: number;
}

/**
 * Child mode: our zipper on one tree, the walk included, as a user's build
 * would run it the first time: with an empty zip store, which it fills.
 */
async function child(tree: string, out: string): Promise<void> {
  const store = `${out}.store`;
  await writeZip(walkTree(tree), out, { level: 9, mtime: ZIP_EPOCH, store: { dir: store } });
  await rm(store, { recursive: true, force: true });
}

function command(tool: Tool, tree: string, out: string): string[] {
  if (tool === "ours") return [process.execPath, __filename, "--child", tree, out];
  if (tool === "zip9") return ["zip", "-9", "-X", "-r", "-q", out, "."];
  return ["python3", "-c", PYTHON_ZIP, tree, out];
}

async function benchDataset(name: string, tree: string, runs: number, work: string) {
  const files = walkTree(tree);
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  console.log(`\n${name}: ${tree}\n  ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB`);
  const min = MINIMUM[name];
  if (min && (files.length < min.files || bytes / 1e6 < min.mb)) {
    throw new Error(`${name} tree is too small (want >= ${min.files} files, >= ${min.mb} MB)`);
  }
  const zipPath = (tool: string) => path.join(work, `${name}-${tool}.zip`);
  const samples: Record<Tool | "ours_1core" | "zip9_1core", Sample[]> = {
    ours: [],
    zip9: [],
    python: [],
    ours_1core: [],
    zip9_1core: [],
  };
  const sizes: Record<Tool, number> = { ours: 0, zip9: 0, python: 0 };
  let peakRss = 0;
  for (let round = 0; round < runs; round++) {
    for (const tool of rotate(TOOLS, round)) {
      await rm(zipPath(tool), { force: true });
      const { sample } = await measured(command(tool, tree, zipPath(tool)), { cwd: tree });
      samples[tool].push(sample);
      sizes[tool] = (await stat(zipPath(tool))).size;
      if (tool === "ours") peakRss = Math.max(peakRss, sample.rssMb);
    }
    for (const tool of rotate(["ours", "zip9"] as const, round)) {
      await rm(zipPath(tool), { force: true });
      const pinned = oneCore(command(tool, tree, zipPath(tool)));
      samples[`${tool}_1core`].push((await measured(pinned, { cwd: tree })).sample);
    }
    console.log(
      `  round ${round + 1}: ` +
        TOOLS.map((t) => `${t} ${timeAndCpu(samples[t][round])}`).join(", ") +
        `; one core: ours ${samples.ours_1core[round].wall.toFixed(2)} s, ` +
        `zip9 ${samples.zip9_1core[round].wall.toFixed(2)} s`,
    );
  }
  const figures: Figures = {
    ours_s: medianSample(samples.ours).wall,
    zip9_s: medianSample(samples.zip9).wall,
    python_s: medianSample(samples.python).wall,
    ours: medianSample(samples.ours),
    zip9: medianSample(samples.zip9),
    python: medianSample(samples.python),
    ours_1core: medianSample(samples.ours_1core),
    zip9_1core: medianSample(samples.zip9_1core),
    size_ours: sizes.ours,
    size_zip9: sizes.zip9,
    peak_rss_mb: Math.round(peakRss),
  };
  report(figures, sizes.python);
  const data = await Promise.all(["ours", "zip9"].map((t) => entryDataSize(zipPath(t))));
  const dataDiff = ((data[0] - data[1]) / data[1]) * 100;
  console.log(
    `  entry data alone (no headers, no directory entries): ours ${data[0]}, zip -9 ${data[1]} ` +
      `(${dataDiff >= 0 ? "+" : ""}${dataDiff.toFixed(2)}%)`,
  );
  return figures;
}

/**
 * Sum of the compressed sizes of a zip's file entries: the deflate output
 * alone, without headers or the directory entries `zip -r` adds, so two
 * compressors can be compared on compression alone.
 */
async function entryDataSize(zipFile: string): Promise<number> {
  const source = await openFileSource(zipFile);
  try {
    const { entries } = await readCentralDirectory(source);
    return entries.reduce((sum, e) => sum + (e.directory ? 0 : e.compressedSize), 0);
  } finally {
    await source.close();
  }
}

function report(f: Figures, pythonSize: number): void {
  const ratio = f.ours_s / f.zip9_s;
  const diff = ((f.size_ours - f.size_zip9) / f.size_zip9) * 100;
  const mb = (n: number) => (n / 1e6).toFixed(2);
  const cpu = (s: Sample) => ({
    "median s": s.wall.toFixed(2),
    "user s": s.user.toFixed(2),
    "sys s": s.sys.toFixed(2),
  });
  console.table({
    ours: { ...cpu(f.ours), "size MB": mb(f.size_ours), "peak RSS MB": f.peak_rss_mb },
    "zip -9": { ...cpu(f.zip9), "size MB": mb(f.size_zip9) },
    "python zipfile 9": { ...cpu(f.python), "size MB": mb(pythonSize) },
    "ours, one core": cpu(f.ours_1core),
    "zip -9, one core": cpu(f.zip9_1core),
  });
  const oneCoreRatio = f.ours_1core.wall / f.zip9_1core.wall;
  const cpuRatio = f.ours.cpu / f.zip9.cpu;
  const sign = diff >= 0 ? "+" : "";
  console.log(
    `  ${target(`ours ≤ ${TARGET_RATIO}× zip -9`, `${ratio.toFixed(2)}×`, ratio <= TARGET_RATIO)}`,
  );
  console.log(
    `  ${target(`one core: ours ≤ ${TARGET_ONE_CORE_RATIO}× zip -9`, `${oneCoreRatio.toFixed(2)}×`, oneCoreRatio <= TARGET_ONE_CORE_RATIO)}`,
  );
  console.log(`  CPU (user + sys), ours / zip -9: ${cpuRatio.toFixed(2)}×`);
  console.log(
    `  ${target(`size ≤ +${TARGET_SIZE_DIFF}% of zip -9`, `${sign}${diff.toFixed(2)}%`, diff <= TARGET_SIZE_DIFF)}`,
  );
  console.log(
    `  ${target(`peak RSS < ${TARGET_RSS_MB} MB`, `${f.peak_rss_mb} MB`, f.peak_rss_mb < TARGET_RSS_MB)}`,
  );
}

async function main(): Promise<void> {
  const { runs, json, values } = benchFlags("bench/zip.ts", { only: { type: "string" } });
  const only = typeof values.only === "string" ? values.only.split(",") : ["npm", "python"];
  const datasets: Record<string, string> = {};
  if (only.includes("npm")) datasets.npm = await npmTree();
  if (only.includes("python")) datasets.python = await pythonTree();
  console.log(
    `node ${process.version} (zlib ${process.versions.zlib}), ${os.availableParallelism()} CPUs, ${runs} runs`,
  );
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-zip-"));
  const results: Record<string, Figures> = {};
  try {
    for (const [name, tree] of Object.entries(datasets)) {
      results[name] = await benchDataset(name, tree, runs, work);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (json) await writeFile(json, JSON.stringify(results, null, 2) + "\n");
}

const argv = process.argv.slice(2);
(argv[0] === "--child" ? child(argv[1], argv[2]) : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
