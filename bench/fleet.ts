/**
 * `node dist/bench/fleet.js`: the build's own share of a fleet of bundles,
 * without Pulumi: `--functions` TypeScript handlers (each importing a module
 * shared by all and a package from the root's node_modules, as in
 * `bench:stack --shape bundle`) built at once through `build()` in this
 * process, as the provider builds them, one per core at a time. Reports the
 * wall time, this process's CPU, its children's (esbuild's service, the git
 * helper: the ones still running are read from /proc), and the sum per
 * function; each round's zips must be identical to the first's. Run it under
 * `node --cpu-prof` to see where this process's part goes.
 *
 *   node dist/bench/fleet.js [--functions N] [--runs N]
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { build } from "../engine/build";
import { benchFlags, median, wholeFlag } from "./measure";

// First builds are what is measured: no zip store (engine/zip/store) reuses an earlier run's work.
process.env.LAMBDA_PACKAGE_ZIP_STORE = "off";

/** Clock ticks of /proc's CPU times. */
const TICKS = 100;

/** CPU seconds of a /proc stat line's fields from `at` (utime, stime or cutime, cstime). */
function statCpu(stat: string, at: number): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[at]) + Number(fields[at + 1])) / TICKS;
}

/** CPU seconds of this process's children: those waited for, and those still running. */
function childrenCpu(): number {
  let total = statCpu(readFileSync("/proc/self/stat", "utf8"), 13);
  for (const task of readdirSync("/proc/self/task")) {
    let listed: string;
    try {
      listed = readFileSync(`/proc/self/task/${task}/children`, "utf8");
    } catch {
      continue; // a thread that ended
    }
    for (const pid of listed.split(" ").filter((p) => p !== "")) {
      try {
        total += statCpu(readFileSync(`/proc/${pid}/stat`, "utf8"), 11);
      } catch {
        // ended meanwhile, and counted among those waited for
      }
    }
  }
  return total;
}

async function fleet(dir: string, count: number): Promise<string> {
  await mkdir(path.join(dir, "shared"), { recursive: true });
  await writeFile(
    path.join(dir, "shared", "greet.ts"),
    "export const greet = (n: number): string => `hello from ${n}`;\n",
  );
  const tiny = path.join(dir, "node_modules", "tiny");
  await mkdir(tiny, { recursive: true });
  await writeFile(path.join(tiny, "package.json"), '{"name":"tiny","version":"1.0.0"}\n');
  await writeFile(path.join(tiny, "index.js"), "exports.id = (n) => `id-${n}`;\n");
  await writeFile(path.join(dir, "package.json"), '{"dependencies":{"tiny":"1.0.0"}}\n');
  for (let i = 0; i < count; i++) {
    const src = path.join(dir, "functions", `fn-${i}`, "src");
    await mkdir(src, { recursive: true });
    await writeFile(
      path.join(src, "handler.ts"),
      `import { id } from "tiny";\nimport { greet } from "../../../shared/greet";\n` +
        `export const handler = async () => [greet(${i}), id(${i})];\n`,
    );
  }
  execFileSync("git", ["init", "-q", dir]);
  return dir;
}

async function main(): Promise<void> {
  const { runs, values } = benchFlags("bench/fleet.ts", { functions: { type: "string" } });
  const count = wholeFlag("functions", values.functions, 50);
  const rounds = process.argv.includes("--runs") ? runs : 3;
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-fleet-"));
  try {
    const repo = await fleet(path.join(work, "repo"), count);
    const samples: { wall: number; self: number; children: number }[] = [];
    let first: string[] | undefined;
    for (let round = 0; round < rounds; round++) {
      const out = path.join(work, `out-${round}`);
      const cpu = process.cpuUsage();
      const children = childrenCpu();
      const started = performance.now();
      const shas = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          build({
            sourcePath: path.join(repo, "functions", `fn-${i}`),
            runtime: "nodejs22.x",
            bundle: { entry: "src/handler.ts" },
            outFile: path.join(out, `fn-${i}.zip`),
          }).then((r) => r.sha256),
        ),
      );
      const wall = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      samples.push({
        wall,
        self: (used.user + used.system) / 1e6,
        children: childrenCpu() - children,
      });
      first ??= shas;
      if (shas.join() !== first.join()) throw new Error(`round ${round + 1} gave other zips`);
      await rm(out, { recursive: true, force: true });
      const s = samples[samples.length - 1];
      console.log(
        `round ${round + 1}: ${s.wall.toFixed(2)} s wall, CPU ${s.self.toFixed(2)} s here + ` +
          `${s.children.toFixed(2)} s in child processes`,
      );
    }
    const self = median(samples.map((s) => s.self));
    const children = median(samples.map((s) => s.children));
    console.log(
      `${count} bundled functions built at once in one process, medians of ${rounds}: ` +
        `${median(samples.map((s) => s.wall)).toFixed(2)} s wall, CPU ${self.toFixed(2)} s here + ` +
        `${children.toFixed(2)} s in child processes = ` +
        `${(((self + children) / count) * 1000).toFixed(0)} ms a function`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
