/**
 * `npm run bench:reuse`: what the zip store saves. Each tree (the npm tree
 * and the Python tree, both packaged with `copy` so the zip is what is
 * measured) is copied into a work dir, then each round runs whole
 * `lambda-package build` processes under GNU time:
 *
 * 1. cold, store off: every byte compressed (the reference);
 * 2. cold, empty store: the same, recording into the store (what a first build costs);
 * 3. identical content again, warm store: a new sourceKey over the same files on a machine
 *    whose build cache missed (the CLI has no build cache: every build is a miss);
 * 4. one file changed (a line added to a ~50 KB .js or .py file), warm store;
 * 5. cold, store off, of the changed tree: the reference for 4.
 *
 * 2 and 3 must give 1's zip byte for byte, and 4 must give 5's; a difference
 * stops the benchmark. Targets: 3 and 4 ≤ 0.2× their cold build (wall),
 * 2 ≤ 1.05× 1's CPU. CPU (user + sys) is printed beside every wall time,
 * since a busy machine moves wall times more than CPU.
 *
 *   node dist/bench/reuse.js [--runs N] [--json FILE] [--only npm,python]
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { benchFlags, measured, medianSample, target, timeAndCpu, type Sample } from "./measure";
import { npmTree, pythonTree } from "./trees";

const CLI = path.join(__dirname, "..", "cli", "main.js");
const ROOT = path.join(__dirname, "..", "..");
const REUSE_TARGET = 0.2;
const RECORD_CPU_TARGET = 1.05;
/** The changed file is the one of this extension whose size is nearest this. */
const CHANGED_SIZE = 50 * 1024;

type Step = "cold" | "recording" | "identical" | "changed" | "changedCold";
const STEPS: readonly Step[] = ["cold", "recording", "identical", "changed", "changedCold"];
const LABELS: Record<Step, string> = {
  cold: "cold, store off",
  recording: "cold, empty store (records)",
  identical: "identical content, new key, warm store",
  changed: "one file changed, warm store",
  changedCold: "one file changed, cold, store off",
};

async function sha256(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

/** The file with extension `ext` whose size is nearest CHANGED_SIZE, first by name on a tie. */
async function fileToChange(root: string, ext: string): Promise<string> {
  let best: { file: string; distance: number } | undefined;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(file);
      else if (entry.isFile() && entry.name.endsWith(ext)) {
        const distance = Math.abs((await stat(file)).size - CHANGED_SIZE);
        if (!best || distance < best.distance) best = { file, distance };
      }
    }
  };
  await walk(root);
  if (!best) throw new Error(`no ${ext} file under ${root}`);
  return best.file;
}

async function build(source: string, out: string, store: string): Promise<Sample> {
  const env = { ...process.env, LAMBDA_PACKAGE_ZIP_STORE: store };
  const args = [process.execPath, CLI, "build", source, "--runtime", "copy", "--out", out];
  // The Python tree is this machine's standard library, whose objects need a newer glibc than
  // Lambda's: the audit reports them without failing the build, as in bench:build.
  if (path.basename(source) === "python") args.push("--native-check", "warn");
  return (await measured(args, { env, cwd: ROOT })).sample;
}

async function benchTree(
  name: string,
  tree: string,
  ext: string,
  runs: number,
  work: string,
): Promise<Record<Step, Sample>> {
  const source = path.join(work, name);
  // cp -a keeps the tree's relative symlinks relative, so they still point inside the copy.
  execFileSync("cp", ["-a", tree, source]);
  const changed = await fileToChange(source, ext);
  const original = await readFile(changed);
  console.log(`\n${name}: a copy of ${tree}; the file changed: ${path.relative(source, changed)}`);
  const samples = Object.fromEntries(STEPS.map((s) => [s, [] as Sample[]])) as Record<
    Step,
    Sample[]
  >;
  try {
    // Warm-up: the page cache holds the tree, as it does for a second build of the day.
    await build(source, path.join(work, "warm-up.zip"), "off");
    for (let round = 0; round < runs; round++) {
      const store = path.join(work, `store-${round}`);
      const zips = Object.fromEntries(
        STEPS.map((s) => [s, path.join(work, `${s}-${round}.zip`)]),
      ) as Record<Step, string>;
      await writeFile(changed, original);
      samples.cold.push(await build(source, zips.cold, "off"));
      samples.recording.push(await build(source, zips.recording, store));
      samples.identical.push(await build(source, zips.identical, store));
      const line =
        name === "python" ? `# changed in round ${round}\n` : `// changed in round ${round}\n`;
      await writeFile(changed, Buffer.concat([Buffer.from(line), original]));
      samples.changed.push(await build(source, zips.changed, store));
      samples.changedCold.push(await build(source, zips.changedCold, "off"));
      const digests = Object.fromEntries(
        await Promise.all(STEPS.map(async (s) => [s, await sha256(zips[s])] as const)),
      ) as Record<Step, string>;
      for (const [step, reference] of [
        ["recording", "cold"],
        ["identical", "cold"],
        ["changed", "changedCold"],
      ] as const) {
        if (digests[step] !== digests[reference]) {
          throw new Error(`round ${round}: ${LABELS[step]} differs from ${LABELS[reference]}`);
        }
      }
      console.log(
        `  round ${round + 1}: ` +
          STEPS.map((s) => `${s} ${timeAndCpu(samples[s][round])}`).join("; ") +
          ` (load ${os.loadavg()[0].toFixed(1)}); zips identical`,
      );
      for (const s of STEPS) await rm(zips[s], { force: true });
      await rm(store, { recursive: true, force: true });
    }
  } finally {
    await writeFile(changed, original);
  }
  const medians = Object.fromEntries(STEPS.map((s) => [s, medianSample(samples[s])])) as Record<
    Step,
    Sample
  >;
  for (const s of STEPS) console.log(`  median ${LABELS[s]}: ${timeAndCpu(medians[s])}`);
  const ratio = (a: Step, b: Step) => {
    const wall = medians[a].wall / medians[b].wall;
    const cpu = medians[a].cpu / medians[b].cpu;
    return { wall, cpu, text: `${wall.toFixed(2)}× (CPU ${cpu.toFixed(2)}×)` };
  };
  const identical = ratio("identical", "cold");
  const change = ratio("changed", "changedCold");
  const recording = ratio("recording", "cold");
  console.log(
    `  ${target(`identical content ≤ ${REUSE_TARGET}× cold`, identical.text, identical.wall <= REUSE_TARGET)}`,
  );
  console.log(
    `  ${target(`one-file change ≤ ${REUSE_TARGET}× cold`, change.text, change.wall <= REUSE_TARGET)}`,
  );
  const recordingCpu = `${recording.cpu.toFixed(2)}× (wall ${recording.wall.toFixed(2)}×)`;
  console.log(
    `  ${target(`recording: CPU ≤ ${RECORD_CPU_TARGET}× cold`, recordingCpu, recording.cpu <= RECORD_CPU_TARGET)}`,
  );
  return medians;
}

async function main(): Promise<void> {
  const { runs, json, values } = benchFlags("bench/reuse.ts", { only: { type: "string" } });
  const only = typeof values.only === "string" ? values.only.split(",") : undefined;
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-reuse-"));
  const results: Record<string, Record<Step, Sample>> = {};
  try {
    const trees = [
      { name: "npm", tree: await npmTree(), ext: ".js" },
      { name: "python", tree: await pythonTree(), ext: ".py" },
    ];
    for (const { name, tree, ext } of trees) {
      if (only && !only.includes(name)) continue;
      results[name] = await benchTree(name, tree, ext, runs, work);
      await rm(path.join(work, name), { recursive: true, force: true });
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
