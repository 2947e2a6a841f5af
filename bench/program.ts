/**
 * `npm run bench:program`: what the program spends making the resources, per
 * function: `LambdaCode` (and its `LambdaPackage`) against the floor of
 * bench/stack.ts (bench/floor.ts: a component holding a do-nothing dynamic resource). Each
 * round is a plain JavaScript program in a process of its own, which loads
 * source-map-support first, as Pulumi's Node.js language host does for every
 * program, and registers against Pulumi's mocks: what is measured is the
 * constructors and the SDK's work for them, not the engine. The program does
 * this before the engine can diff or create a resource, on the critical path
 * of every preview. Kinds alternate; medians of `--runs`.
 *
 *   node dist/bench/program.js [--functions N] [--runs N] [--json FILE]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchFlags, median, rotate, wholeFlag } from "./measure";
import { FLOOR_CLASSES } from "./floor";

const ROOT = path.join(__dirname, "..", "..");
const KINDS = ["LambdaCode", "floor"] as const;
type Kind = (typeof KINDS)[number];

/** The program of one round: `count` resources of `kind`; prints the CPU ms spent making them. */
const program = (kind: Kind, count: number) => `
require(${JSON.stringify(path.join(ROOT, "node_modules", "source-map-support", "register"))});
const pulumi = require(${JSON.stringify(path.join(ROOT, "node_modules", "@pulumi", "pulumi"))});
pulumi.runtime.setMocks(
  { newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs },
  "bench", "program", true,
);
// Loaded after setMocks, as Pulumi's mock docs require.
const { LambdaCode } = require(${JSON.stringify(path.join(ROOT, "dist", "index.js"))});
${FLOOR_CLASSES}
const before = process.cpuUsage();
for (let i = 0; i < ${count}; i++) {
  const name = "fn" + i;
  ${
    kind === "floor"
      ? "new Holder(name);"
      : `new LambdaCode(name, { bucket: "bench", key: "program/" + name + ".zip", sourcePath: ".",
    runtime: "python3.12", endpoint: "http://127.0.0.1:9", buildCache: true });`
  }
}
const used = process.cpuUsage(before);
// The process ends once the mocks have answered every registration.
console.log((used.user + used.system) / 1000);
`;

function main(): void {
  const { runs, json, values } = benchFlags("bench/program.ts", { functions: { type: "string" } });
  const count = wholeFlag("functions", values.functions, 50);
  const work = mkdtempSync(path.join(os.tmpdir(), "bench-program-"));
  try {
    const cpu: Record<Kind, number[]> = { LambdaCode: [], floor: [] };
    for (const kind of KINDS) writeFileSync(path.join(work, `${kind}.js`), program(kind, count));
    for (let round = 0; round < runs; round++) {
      for (const kind of rotate(KINDS, round)) {
        const out = execFileSync(process.execPath, [path.join(work, `${kind}.js`)], {
          cwd: work,
          encoding: "utf8",
        });
        cpu[kind].push(Number(out) / count);
      }
    }
    const perFunction = { LambdaCode: median(cpu.LambdaCode), floor: median(cpu.floor) };
    console.log(
      `the program's CPU making ${count} functions' resources, per function, medians of ${runs}: ` +
        `LambdaCode ${perFunction.LambdaCode.toFixed(2)} ms, the floor's ` +
        `${perFunction.floor.toFixed(2)} ms (${(perFunction.LambdaCode / perFunction.floor).toFixed(2)}×)`,
    );
    if (json) writeFileSync(json, JSON.stringify({ count, runs, perFunction }, null, 2));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
