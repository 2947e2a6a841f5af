/**
 * `npm run bench:audit`: what the native-code audit adds to packaging.
 *
 * 1. On the npm tree (about 16,000 files), build() with the `copy` packager
 *    under the name `nodejs22.x`, the audit on and off in alternate order
 *    each round, in this process. The audit's own time (from its log line)
 *    is set against the whole build's; the target is under 5%.
 * 2. The audit alone over a directory of real shared objects (the machine's
 *    `/usr/lib/<triplet>`, read in place), for its cost per native object,
 *    since the npm tree has almost none.
 *
 *   node dist/bench/audit.js [--runs N] [--json FILE] [--libs DIR]
 */
import { existsSync, lstatSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { auditFiles, auditTarget } from "../engine/audit";
import { build } from "../engine/build";
import type { NativeCheck } from "../engine/options";
import { builtinPackagersDir } from "../engine/packager";
import { benchFlags, median, rotate, target } from "./measure";
import { npmTree } from "./trees";

// First builds are what is measured: no zip store (engine/zip/store) reuses an earlier run's work.
process.env.LAMBDA_PACKAGE_ZIP_STORE = "off";

const TARGET_SHARE = 0.05;
const COPY = path.join(builtinPackagersDir, "copy");
const AUDIT_TIME =
  /native-code audit for .*: (\d+) native of (\d+) files \((\d+) opened\).*; ([\d.]+) s$/;

interface Run {
  /** Seconds of the whole build. */
  wall: number;
  /** Seconds of the audit, from its log line (0 when off). */
  audit: number;
  native: number;
  files: number;
  opened: number;
}

async function packageOnce(tree: string, nativeCheck: NativeCheck, out: string): Promise<Run> {
  const lines: string[] = [];
  const started = performance.now();
  await build({
    sourcePath: tree,
    runtime: "nodejs22.x",
    packager: COPY,
    nativeCheck,
    outFile: out,
    log: (line) => lines.push(line),
  });
  const wall = (performance.now() - started) / 1000;
  await rm(out, { force: true });
  const match = lines.map((line) => AUDIT_TIME.exec(line)).find(Boolean);
  if (nativeCheck !== "off" && !match) throw new Error(`no audit line in:\n${lines.join("\n")}`);
  const [, native = 0, files = 0, opened = 0, seconds = 0] = match ?? [];
  return {
    wall,
    audit: Number(seconds),
    native: Number(native),
    files: Number(files),
    opened: Number(opened),
  };
}

/** The regular files named like shared objects directly in `dir`, as the audit's input. */
function sharedObjects(dir: string) {
  return readdirSync(dir)
    .filter((name) => /\.so(\.\d+)*$/.test(name))
    .map((name) => ({ name, sourceFile: path.join(dir, name), executable: false }))
    .map((file) => ({ ...file, info: lstatSync(file.sourceFile) }))
    .filter(({ info }) => info.isFile())
    .map(({ info, ...file }) => ({ ...file, size: info.size }));
}

async function main(): Promise<void> {
  const { runs, json, values } = benchFlags(__filename, { libs: { type: "string" } });
  const tree = await npmTree();
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-audit-"));
  const samples: Record<"on" | "off", Run[]> = { on: [], off: [] };
  try {
    // One build first, untimed: the page cache then holds the tree for every timed run.
    await packageOnce(tree, "off", path.join(work, "warm.zip"));
    for (let round = 0; round < runs; round++) {
      for (const mode of rotate(["on", "off"] as const, round)) {
        const run = await packageOnce(
          tree,
          mode === "on" ? "error" : "off",
          path.join(work, "fn.zip"),
        );
        samples[mode].push(run);
        console.error(
          `round ${round + 1}: audit ${mode}: build ${run.wall.toFixed(2)} s, audit ${(run.audit * 1000).toFixed(1)} ms`,
        );
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const on = samples.on;
  const buildOn = median(on.map((r) => r.wall));
  const buildOff = median(samples.off.map((r) => r.wall));
  const audit = median(on.map((r) => r.audit));
  const share = audit / buildOn;
  const { files, opened, native } = on[0];

  const libs =
    typeof values.libs === "string"
      ? values.libs
      : `/usr/lib/${os.arch() === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`;
  const objects = existsSync(libs) ? sharedObjects(libs) : [];
  const perObject: number[] = [];
  let libsNative = 0;
  for (let round = 0; round < runs && objects.length > 0; round++) {
    const report = await auditFiles(objects, auditTarget("python3.12"));
    libsNative = report.native;
    perObject.push(report.ms / report.native);
  }

  const figures = {
    tree,
    files,
    opened,
    native,
    build_audit_on_s: buildOn,
    build_audit_off_s: buildOff,
    audit_ms: audit * 1000,
    audit_share: share,
    libs,
    libs_native: libsNative,
    libs_us_per_object: perObject.length ? median(perObject) * 1000 : undefined,
  };
  console.log(
    `npm tree: ${files} files, ${opened} opened, ${native} native; build ${buildOn.toFixed(2)} s ` +
      `with the audit, ${buildOff.toFixed(2)} s without (medians of ${runs}); audit ` +
      `${(audit * 1000).toFixed(1)} ms = ${(share * 100).toFixed(2)}% of the build`,
  );
  console.log(
    target(
      `audit < ${TARGET_SHARE * 100}% of packaging`,
      `${(share * 100).toFixed(2)}%`,
      share < TARGET_SHARE,
    ),
  );
  if (figures.libs_us_per_object !== undefined) {
    console.log(
      `shared objects: ${libsNative} in ${libs}, ${figures.libs_us_per_object.toFixed(0)} µs each (median of ${runs})`,
    );
  }
  if (json) await writeFile(json, `${JSON.stringify(figures, null, 2)}\n`);
}

main().catch((error: Error) => {
  console.error(`bench: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
