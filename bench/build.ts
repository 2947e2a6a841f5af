/**
 * `npm run bench:build`: the whole `lambda-package build` (process start to
 * zip written) against what a user would otherwise run on the same input, in
 * the same run, alternating, each a process of its own under GNU time:
 *
 * - the npm tree with `copy`, against `zip -9 -X -r` of the directory, on
 *   every core and again with both sides on one (`taskset -c 0`);
 * - the Python tree with `python3.12` and a requirements.txt of local wheels,
 *   against `pip install --target` + `zip -9 -r` of the result and the source;
 * - a Node.js function with `nodejs22.x` and a lockfile, against
 *   `npm ci --omit=dev` in a copy of it + `zip -9 -r`.
 *
 * Each side's wall time comes with its CPU, user and sys: the `copy` build
 * must also spend no more CPU than `zip -9` (≤ 1.0×) and no more than twice
 * its kernel time, so that it wins by doing less, not only by using a
 * second core.
 *
 *   node dist/bench/build.js [--runs N] [--json FILE] [--only copy,copy-1core,python,node]
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
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
import { cached, nodeFunction, npmTree, offlinePip, pythonTree, wheelhouse } from "./trees";

/** Wall time, ours against the reference's. */
const TARGETS = { copy: 0.55, "copy-1core": 1.0, python: 0.8, node: 0.8 } as const;
/** For the `copy` cases: CPU (user + sys) and sys alone, ours against the reference's. */
const CPU_TARGET = 1.0;
const SYS_TARGET = 2.0;
const RSS_TARGET_MB = 256;
const CLI = path.join(__dirname, "..", "cli", "main.js");
const ROOT = path.join(__dirname, "..", "..");

interface Case {
  readonly name: keyof typeof TARGETS;
  readonly label: string;
  readonly source: string;
  readonly runtime: string;
  /** The reference, as a shell script of $SRC, $OUT and $WORK. */
  readonly reference: string;
  readonly env?: NodeJS.ProcessEnv;
  /** More flags of ours. */
  readonly flags?: readonly string[];
  /** Both sides pinned to one CPU. */
  readonly oneCore?: boolean;
  /** Whether the CPU targets apply. */
  readonly cpuTargets?: boolean;
}

/** The Python tree plus a requirements.txt of the local wheels, as a function's source. */
function pythonFunction(): Promise<string> {
  return cached("python-function", async (dir) => {
    execFileSync("cp", ["-a", `${await pythonTree()}/.`, dir]);
    await writeFile(
      path.join(dir, "requirements.txt"),
      "alpha==1.0.0\nbeta==1.0.0\ngamma==1.0.0\n",
    );
  });
}

async function cases(): Promise<Case[]> {
  const pip = offlinePip(await wheelhouse());
  return [
    {
      name: "copy",
      label: "npm tree, copy",
      source: await npmTree(),
      runtime: "copy",
      reference: 'cd "$SRC" && zip -9 -X -r -q "$OUT" .',
      cpuTargets: true,
    },
    {
      name: "copy-1core",
      label: "npm tree, copy, both on one core (taskset -c 0)",
      source: await npmTree(),
      runtime: "copy",
      reference: 'cd "$SRC" && zip -9 -X -r -q "$OUT" .',
      oneCore: true,
      cpuTargets: true,
    },
    {
      name: "python",
      label: "Python tree + 3 wheels, python3.12",
      source: await pythonFunction(),
      runtime: "python3.12",
      reference:
        'python3 -m pip install -q --no-compile --target "$WORK/deps" -r "$SRC/requirements.txt" && ' +
        '(cd "$WORK/deps" && zip -9 -r -q "$OUT" .) && (cd "$SRC" && zip -9 -r -q "$OUT" .)',
      env: pip,
      // The tree is this machine's standard library, built for a newer glibc than Lambda's: the
      // audit runs (its cost is measured) and reports, without failing the build.
      flags: ["--native-check", "warn"],
    },
    {
      name: "node",
      label: "Node.js function, nodejs22.x",
      source: await nodeFunction(),
      runtime: "nodejs22.x",
      reference:
        'cp -a "$SRC/." "$WORK/fn" && cd "$WORK/fn" && npm ci --omit=dev --no-audit --no-fund -q && ' +
        'zip -9 -r -q "$OUT" .',
      // Both installs come from npm's cache once it is warm: the registry is not what is measured.
      env: { npm_config_prefer_offline: "true" },
    },
  ];
}

async function runOnce(tool: "ours" | "reference", item: Case, work: string): Promise<Sample> {
  const dir = await mkdtemp(path.join(work, `${tool}-`));
  const out = path.join(dir, "out.zip");
  const env = {
    ...process.env,
    ...item.env,
    // Every build a first one: an empty zip store, which it fills (bench:reuse measures reuse).
    LAMBDA_PACKAGE_ZIP_STORE: path.join(dir, "zip-store"),
    SRC: item.source,
    OUT: out,
    WORK: dir,
  };
  const command =
    tool === "ours"
      ? [
          process.execPath,
          CLI,
          "build",
          item.source,
          "--runtime",
          item.runtime,
          "--out",
          out,
          ...(item.flags ?? []),
        ]
      : ["bash", "-c", item.reference];
  try {
    return (await measured(item.oneCore ? oneCore(command) : command, { env, cwd: ROOT })).sample;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { runs, json, values } = benchFlags("bench/build.ts", { only: { type: "string" } });
  const only = typeof values.only === "string" ? values.only.split(",") : undefined;
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-build-"));
  const results: Record<string, { ours: Sample; reference: Sample; ratio: number }> = {};
  try {
    for (const item of await cases()) {
      if (only && !only.includes(item.name)) continue;
      console.log(`\n${item.label}: ${item.source}`);
      const samples = { ours: [] as Sample[], reference: [] as Sample[] };
      // One warm-up of each: caches (page cache, npm's) as a second run of the day has them.
      await runOnce("ours", item, work);
      await runOnce("reference", item, work);
      for (let round = 0; round < runs; round++) {
        for (const tool of rotate(["ours", "reference"] as const, round)) {
          samples[tool].push(await runOnce(tool, item, work));
        }
        const [o, r] = [samples.ours[round], samples.reference[round]];
        console.log(`  round ${round + 1}: ours ${timeAndCpu(o)}, reference ${timeAndCpu(r)}`);
      }
      const ours = medianSample(samples.ours);
      const reference = medianSample(samples.reference);
      const ratio = ours.wall / reference.wall;
      results[item.name] = { ours, reference, ratio };
      console.log(
        `  median: ours ${timeAndCpu(ours)}, peak RSS ${ours.rssMb.toFixed(0)} MB; ` +
          `reference ${timeAndCpu(reference)}`,
      );
      const limit = TARGETS[item.name];
      console.log(
        `  ${target(`ours ≤ ${limit}× reference`, `${ratio.toFixed(2)}×`, ratio <= limit)}`,
      );
      if (item.cpuTargets) {
        const cpu = ours.cpu / reference.cpu;
        const sys = ours.sys / reference.sys;
        console.log(
          `  ${target(`CPU (user + sys) ≤ ${CPU_TARGET}× reference`, `${cpu.toFixed(2)}×`, cpu <= CPU_TARGET)}`,
        );
        console.log(
          `  ${target(`sys ≤ ${SYS_TARGET}× reference`, `${sys.toFixed(2)}×`, sys <= SYS_TARGET)}`,
        );
      }
      console.log(
        `  ${target(`peak RSS < ${RSS_TARGET_MB} MB`, `${ours.rssMb.toFixed(0)} MB`, ours.rssMb < RSS_TARGET_MB)}`,
      );
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
