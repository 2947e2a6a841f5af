/**
 * `npm run bench:zip`: our zipper against Info-ZIP `zip -9` and Python's
 * zipfile at level 9 on realistic trees, alternating tools in every round.
 *
 *   node dist/bench/zip.js [--runs N] [--json FILE]
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { npmTree, pythonTree } from "./trees";
import { walkTree } from "./tree-walk";
import { entryDataSize } from "./zip-data";

const TARGET_RATIO = 0.6;
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
  size_ours: number;
  size_zip9: number;
  peak_rss_mb: number;
}

function parseArgs(argv: readonly string[]): { runs: number; json?: string } {
  let runs = 5;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runs") runs = Number(argv[++i]);
    else if (argv[i] === "--json") json = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}; use --runs N and --json FILE`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs needs a whole number >= 1");
  return { runs, json };
}

/** Runs one tool once; returns wall seconds and, for ours, the child's own peak RSS. */
async function runTool(tool: Tool, tree: string, out: string) {
  await rm(out, { force: true });
  const start = process.hrtime.bigint();
  let rssMb = 0;
  if (tool === "ours") {
    const child = path.join(__dirname, "zip-child.js");
    const line = execFileSync(process.execPath, [child, tree, out], { encoding: "utf8" });
    rssMb = (JSON.parse(line) as { maxRssMb: number }).maxRssMb;
  } else if (tool === "zip9") {
    execFileSync("zip", ["-9", "-X", "-r", "-q", out, "."], { cwd: tree });
  } else {
    execFileSync("python3", ["-c", PYTHON_ZIP, tree, out]);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, rssMb, size: (await stat(out)).size };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

async function benchDataset(name: string, tree: string, runs: number, work: string) {
  const files = walkTree(tree);
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  console.log(`\n${name}: ${tree}\n  ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB`);
  const min = MINIMUM[name];
  if (min && (files.length < min.files || bytes / 1e6 < min.mb)) {
    throw new Error(`${name} tree is too small (want >= ${min.files} files, >= ${min.mb} MB)`);
  }
  const zipPath = (tool: string) => path.join(work, `${name}-${tool}.zip`);
  const times: Record<Tool, number[]> = { ours: [], zip9: [], python: [] };
  const sizes: Record<Tool, number> = { ours: 0, zip9: 0, python: 0 };
  let peakRss = 0;
  for (let round = 0; round < runs; round++) {
    // Rotate the order each round so no tool always runs on a warmer cache or a quieter CPU.
    const order = TOOLS.map((_, i) => TOOLS[(i + round) % TOOLS.length]);
    for (const tool of order) {
      const r = await runTool(tool, tree, zipPath(tool));
      times[tool].push(r.seconds);
      sizes[tool] = r.size;
      peakRss = Math.max(peakRss, r.rssMb);
    }
    console.log(
      `  round ${round + 1}: ` + TOOLS.map((t) => `${t} ${times[t][round].toFixed(2)}s`).join(", "),
    );
  }
  const figures: Figures = {
    ours_s: median(times.ours),
    zip9_s: median(times.zip9),
    python_s: median(times.python),
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

function report(f: Figures, pythonSize: number): void {
  const ratio = f.ours_s / f.zip9_s;
  const diff = ((f.size_ours - f.size_zip9) / f.size_zip9) * 100;
  const mb = (n: number) => (n / 1e6).toFixed(2);
  console.table({
    ours: {
      "median s": f.ours_s.toFixed(2),
      "size MB": mb(f.size_ours),
      "peak RSS MB": f.peak_rss_mb,
    },
    "zip -9": { "median s": f.zip9_s.toFixed(2), "size MB": mb(f.size_zip9) },
    "python zipfile 9": { "median s": f.python_s.toFixed(2), "size MB": mb(pythonSize) },
  });
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log(
    `  time ours/zip9 = ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}: ${met(ratio <= TARGET_RATIO)})`,
  );
  console.log(
    `  size diff = ${diff >= 0 ? "+" : ""}${diff.toFixed(2)}% (target <= +${TARGET_SIZE_DIFF}%: ${met(diff <= TARGET_SIZE_DIFF)})`,
  );
  console.log(
    `  peak RSS = ${f.peak_rss_mb} MB (target < ${TARGET_RSS_MB}: ${met(f.peak_rss_mb < TARGET_RSS_MB)})`,
  );
}

async function main(): Promise<void> {
  const { runs, json } = parseArgs(process.argv.slice(2));
  const datasets = { npm: await npmTree(), python: await pythonTree() };
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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
