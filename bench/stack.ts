/**
 * `npm run bench:stack`: one Pulumi stack of many functions, the way a
 * monorepo deploys them, with the real CLI and a MinIO of its own:
 *
 * - a generated git repository of small functions (this build installed from
 *   `npm pack`'s tarball, as users install it), half Python (a handler and
 *   a requirements.txt of one local wheel), half Node.js (a handler, one
 *   dependency, a lockfile), all with `buildCache: true`, keyed as `--keys`
 *   says: `auto` (the default: `LambdaCode`, no `sourceKey`), `git`
 *   (`LambdaCode`, a `gitSourceKey` each) or `batch` (`LambdaPackage`,
 *   one `gitSourceKeys`);
 * - the first `up`: wall time and the peak summed RSS of the whole process
 *   tree (CLI, language host, program, provider, packagers);
 * - no-op `pulumi preview`s, as on a laptop (keys check for uncommitted
 *   changes) and in CI (`CI=true`: they do not), alternating with the same
 *   preview of as many do-nothing dynamic resources (the engine's floor),
 *   `--runs` each;
 * - the state's bytes per function: the whole deployment of `pulumi stack
 *   export` as compact JSON (what the file backend writes) divided by the
 *   functions, and the largest `LambdaPackage` resource;
 * - a second stack of the same commit: its `up` with every package from the cache (wall time
 *   and CPU), beside the floor's `up` (creating as many do-nothing resources).
 *
 * With `--shape bundle`, every function is a TypeScript handler bundled by esbuild (importing
 * a shared module and an npm package), and the first `up` is set beside esbuild's own time for
 * the same entries.
 *
 *   node dist/bench/stack.js [--functions N] [--keys auto|git|batch] [--shape mixed|bundle]
 *     [--runs N] [--json FILE]
 */
import { readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import * as esbuild from "esbuild";
import path from "node:path";
import { createVersionedBucket, startMinio } from "../scripts/minio";
import { offlinePulumiEnv } from "../scripts/pulumi";
import {
  benchFlags,
  median,
  measuredTree,
  reapingAll,
  rotate,
  target,
  wholeFlag,
  type TreeSample,
} from "./measure";
import { FLOOR_CLASSES } from "./floor";
import { offlinePip, smallNodeFunction, wheelhouse } from "./trees";

const TARGETS = { previewRatio: 1.3, peakTreeMb: 1536, cachedRatio: 0.25, stateKb: 4 } as const;
const ROOT = path.join(__dirname, "..", "..");
const BUCKET = "bench-stack";

/**
 * The program a monorepo would write, in each way README shows to key its functions:
 * - `auto`: `LambdaCode` with no `sourceKey` (the key is what the last build read);
 * - `git`: `LambdaCode` with a `gitSourceKey` per function;
 * - `batch`: `LambdaPackage` with one `gitSourceKeys` for all.
 */
const PROGRAMS = {
  auto: `
const pulumi = require("@pulumi/pulumi");
const { LambdaCode } = require("pulumi-lambda-package");
const config = new pulumi.Config();
for (const { name, runtime, bundle } of require("./functions.json")) {
  new LambdaCode(name, {
    bucket: config.require("bucket"),
    key: \`\${pulumi.getStack()}/\${name}.zip\`,
    sourcePath: \`functions/\${name}\`,
    runtime,
    bundle,
    endpoint: config.require("endpoint"),
    buildCache: true,
  });
}
`,
  git: `
const pulumi = require("@pulumi/pulumi");
const { LambdaCode, gitSourceKey } = require("pulumi-lambda-package");
const config = new pulumi.Config();
for (const { name, runtime, bundle } of require("./functions.json")) {
  new LambdaCode(name, {
    bucket: config.require("bucket"),
    key: \`\${pulumi.getStack()}/\${name}.zip\`,
    sourcePath: \`functions/\${name}\`,
    runtime,
    bundle,
    sourceKey: gitSourceKey(\`functions/\${name}\`, { includeUncommitted: !process.env.CI }),
    endpoint: config.require("endpoint"),
    buildCache: true,
  });
}
`,
  batch: `
const pulumi = require("@pulumi/pulumi");
const { LambdaPackage, gitSourceKeys } = require("pulumi-lambda-package");
const config = new pulumi.Config();
const functions = require("./functions.json");
// Every key from two git calls; in CI the checkout is clean, so one.
const keys = gitSourceKeys(
  Object.fromEntries(functions.map(({ name }) => [name, \`functions/\${name}\`])),
  { includeUncommitted: !process.env.CI },
);
for (const { name, runtime, bundle } of functions) {
  new LambdaPackage(name, {
    bucket: config.require("bucket"),
    key: \`\${pulumi.getStack()}/\${name}.zip\`,
    sourcePath: \`functions/\${name}\`,
    runtime,
    bundle,
    sourceKey: keys[name],
    endpoint: config.require("endpoint"),
    buildCache: true,
  });
}
`,
} as const;
type Keys = keyof typeof PROGRAMS;

/**
 * As many dynamic resources whose provider does nothing, in the program's shape (each inside a
 * component, as `LambdaCode` holds its package, unless `--keys batch`): what the engine costs
 * for the resources a function takes, so the ratio is what this library adds.
 */
const floorProgram = (components: boolean) => `
const pulumi = require("@pulumi/pulumi");
${FLOOR_CLASSES}
for (const { name } of require("./functions.json"))
  ${components ? "new Holder(name)" : "new Nothing(name, { name, sourceKey: name })"};
`;

interface Fn {
  name: string;
  runtime: string;
  /** With `--shape bundle`: the handler to bundle. */
  bundle?: { entry: string };
}

/** What the functions are: half Python and half Node.js (`mixed`), or bundled TypeScript. */
const SHAPES = ["mixed", "bundle"] as const;
type Shape = (typeof SHAPES)[number];

/** The entry of each bundled function, and what it imports: shared code and an npm package. */
const BUNDLE_ENTRY = "src/handler.ts";
const SHARED_MODULE = "export const greet = (n: number): string => `hello from ${n}`;\n";

const pulumiYaml = (name: string) =>
  `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`;

/**
 * A project directory. With `tarball`, this build is installed from it as a
 * user installs the package (the state then refers to the provider by name,
 * as theirs does); without, node_modules is this checkout's.
 */
async function project(
  dir: string,
  name: string,
  program: string,
  functions: Fn[],
  tarball?: string,
  extraDependencies: Record<string, string> = {},
) {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "Pulumi.yaml"), pulumiYaml(name));
  await writeFile(path.join(dir, "index.js"), program);
  await writeFile(path.join(dir, "functions.json"), JSON.stringify(functions, null, 1));
  await writeFile(path.join(dir, ".gitignore"), "node_modules\nPulumi.*.yaml\n");
  const manifest = { name, private: true, dependencies: {} as Record<string, string> };
  if (tarball === undefined) {
    await writeFile(path.join(dir, "package.json"), JSON.stringify(manifest));
    await symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    return;
  }
  const sdk = JSON.parse(
    await readFile(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
  ) as { version: string };
  manifest.dependencies = {
    "pulumi-lambda-package": `file:${tarball}`,
    "@pulumi/pulumi": sdk.version,
    ...extraDependencies,
  };
  await writeFile(path.join(dir, "package.json"), JSON.stringify(manifest));
  await measuredTree(
    ["npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd: dir },
  );
}

/**
 * The monorepo, committed: `count` functions alternating Python and Node.js, or with `bundle`,
 * TypeScript handlers that import a shared module and `uuid` from the root's node_modules.
 */
async function monorepo(
  dir: string,
  count: number,
  tarball: string,
  keys: Keys,
  shape: Shape,
): Promise<Fn[]> {
  const node = await smallNodeFunction();
  const functions: Fn[] = [];
  if (shape === "bundle") {
    await mkdir(path.join(dir, "shared"), { recursive: true });
    await writeFile(path.join(dir, "shared", "greet.ts"), SHARED_MODULE);
  }
  for (let i = 0; i < count && shape === "bundle"; i++) {
    const fn: Fn = {
      name: `fn-${String(i).padStart(3, "0")}`,
      runtime: "nodejs22.x",
      bundle: { entry: BUNDLE_ENTRY },
    };
    await mkdir(path.join(dir, "functions", fn.name, "src"), { recursive: true });
    await writeFile(
      path.join(dir, "functions", fn.name, BUNDLE_ENTRY),
      `import { v4 } from "uuid";\nimport { greet } from "../../../shared/greet";\n` +
        `export const handler = async () => [greet(${i}), v4()];\n`,
    );
    functions.push(fn);
  }
  for (let i = 0; i < count && shape === "mixed"; i++) {
    const python = i % 2 === 0;
    const fn = {
      name: `fn-${String(i).padStart(3, "0")}`,
      runtime: python ? "python3.12" : "nodejs22.x",
    };
    const source = path.join(dir, "functions", fn.name);
    await mkdir(source, { recursive: true });
    if (python) {
      await writeFile(path.join(source, "handler.py"), `def handler(e, c):\n    return ${i}\n`);
      await writeFile(path.join(source, "requirements.txt"), "alpha==1.0.0\n");
    } else {
      await cp(node, source, { recursive: true });
      await writeFile(
        path.join(source, "index.js"),
        `const { v4 } = require("uuid");\nexports.handler = async () => [${i}, v4()];\n`,
      );
    }
    functions.push(fn);
  }
  // The bundled handlers' npm package comes from the root's node_modules and lockfile.
  const extra: Record<string, string> = shape === "bundle" ? { uuid: "11.1.0" } : {};
  await project(dir, "monorepo", PROGRAMS[keys], functions, tarball, extra);
  const git = (...args: string[]) => measuredTree(["git", ...args], { cwd: dir });
  await git("init", "-q");
  await git("add", "-A");
  await git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "all");
  return functions;
}

/**
 * esbuild's own time for the functions' entries: each bundled as the engine bundles it (its
 * default options), one after another from one esbuild service, output kept in memory. What a
 * first `up` of bundles would take if packaging cost nothing but esbuild.
 */
async function esbuildAlone(repo: string, functions: Fn[]): Promise<number> {
  const started = process.hrtime.bigint();
  for (const fn of functions) {
    const sourcePath = path.join(repo, "functions", fn.name);
    await esbuild.build({
      entryPoints: [path.join(sourcePath, fn.bundle!.entry)],
      absWorkingDir: sourcePath,
      outfile: path.join(sourcePath, "index.js"),
      write: false,
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      external: ["@aws-sdk/*"],
      sourcemap: "linked",
      sourcesContent: true,
      metafile: true,
      logLevel: "silent",
    });
  }
  await esbuild.stop();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * CPU seconds (user + system) of this process's children that have ended and been waited
 * for, from Linux's /proc (`cutime` + `cstime`, in clock ticks of 1/100 s): around an `up`,
 * what the CLI and every process under it spent that was waited for (the packagers are; a
 * service left to end with its parent, such as esbuild's in the provider, is not). What wall
 * time cannot say on a shared machine.
 */
function waitedChildrenCpu(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function main(): Promise<void> {
  const { runs, json, values } = benchFlags("bench/stack.ts", {
    functions: { type: "string" },
    keys: { type: "string" },
    shape: { type: "string" },
  });
  const shape = (values.shape ?? "mixed") as Shape;
  if (!SHAPES.includes(shape))
    throw new Error(`--shape is one of ${SHAPES.join(", ")}; got "${String(values.shape)}"`);
  const count = wholeFlag("functions", values.functions, 50);
  const keys = (values.keys ?? "auto") as Keys;
  if (!(keys in PROGRAMS))
    throw new Error(`--keys is one of ${Object.keys(PROGRAMS).join(", ")}; got "${keys}"`);
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-stack-"));
  const server = await startMinio();
  try {
    await createVersionedBucket(server, BUCKET);
    const repo = path.join(work, "monorepo");
    const floorDir = path.join(work, "floor");
    const packed = await measuredTree(["npm", "pack", "--silent", "--pack-destination", work], {
      cwd: ROOT,
    });
    const tarball = path.join(work, packed.stdout.trim());
    const functions = await monorepo(repo, count, tarball, keys, shape);
    await project(floorDir, "floor", floorProgram(keys !== "batch"), functions);
    await mkdir(path.join(work, "state"));
    const env: NodeJS.ProcessEnv = {
      ...offlinePulumiEnv(work, server),
      ...offlinePip(await wheelhouse()),
      // npm's cache serves the installs once warm: the registry is not what is measured.
      npm_config_prefer_offline: "true",
      // A zip store of this run's own, empty at the first `up`, as on a fresh CI runner: the
      // machine's store would hold these functions' files from an earlier run.
      LAMBDA_PACKAGE_ZIP_STORE: path.join(work, "zip-store"),
    };
    const pulumi = (cwd: string, ...args: string[]) =>
      measuredTree(["pulumi", ...args, "--color", "never"], { cwd, env });
    // CI unset for the local runs, so the program checks for uncommitted changes as on a laptop.
    delete env.CI;
    const up = (cwd: string, stack: string) =>
      pulumi(cwd, "up", "--yes", "--skip-plugin-pre-install", "--stack", stack);
    const stack = async (cwd: string, name: string) => {
      await pulumi(cwd, "stack", "init", name);
      await pulumi(cwd, "config", "set", "--stack", name, "bucket", BUCKET);
      await pulumi(cwd, "config", "set", "--stack", name, "endpoint", server.endpoint);
    };

    console.log(
      shape === "bundle"
        ? `${count} bundled TypeScript functions, keys: ${keys}`
        : `${count} functions (${Math.ceil(count / 2)} Python, ${Math.floor(count / 2)} ` +
            `Node.js), keys: ${keys}`,
    );
    await stack(repo, "first");
    const cpuBefore = waitedChildrenCpu();
    const first = await up(repo, "first");
    const firstCpu = waitedChildrenCpu() - cpuBefore;
    console.log(
      `first up: ${first.wall.toFixed(1)} s, CPU ${firstCpu.toFixed(1)} s, ` +
        `process tree peak RSS ${first.peakTreeMb.toFixed(0)} MB`,
    );
    const esbuildSeconds = shape === "bundle" ? await esbuildAlone(repo, functions) : undefined;
    if (esbuildSeconds !== undefined)
      console.log(
        `esbuild alone, the same entries one after another in one process: ` +
          `${esbuildSeconds.toFixed(1)} s (${((esbuildSeconds / count) * 1000).toFixed(0)} ms each)`,
      );
    const exported = await pulumi(repo, "stack", "export", "--stack", "first");
    const { deployment } = JSON.parse(exported.stdout) as {
      deployment: { resources?: { type: string }[] };
    };
    const ours = (deployment.resources ?? []).filter((r) => r.type.endsWith(":LambdaPackage"));
    // The target holds the whole state shared out (the stack, the provider, the manifest and each
    // function's component included), as the backend stores it: compact JSON.
    const resourceKb = Math.max(...ours.map((r) => JSON.stringify(r).length)) / 1024;
    const stateKb = JSON.stringify(deployment).length / 1024 / count;
    console.log(
      `state: ${stateKb.toFixed(2)} KB per function of the whole deployment; ` +
        `${resourceKb.toFixed(2)} KB for the largest LambdaPackage resource`,
    );

    await stack(floorDir, "floor");
    // Creating as many do-nothing resources: what any second stack costs the engine, so the
    // cache's own cost per function is what the second stack takes beyond it.
    const floorCpuBefore = waitedChildrenCpu();
    const floorUp = await up(floorDir, "floor");
    const floorCpu = waitedChildrenCpu() - floorCpuBefore;
    console.log(`the floor's up: ${floorUp.wall.toFixed(1)} s, CPU ${floorCpu.toFixed(1)} s`);
    // The program as run on a laptop (keys check for uncommitted changes) and in CI (CI=true:
    // they do not), against the floor.
    const kinds = ["laptop", "ci", "floor"] as const;
    const previews = { laptop: [] as number[], ci: [] as number[], floor: [] as number[] };
    // CPU of every process under the CLI, those that outlive their parent included: what a
    // machine busy with other work cannot blur as it blurs wall times.
    const cpu = { laptop: [] as number[], ci: [] as number[], floor: [] as number[] };
    for (let round = 0; round < runs; round++) {
      for (const kind of rotate(kinds, round)) {
        const dir = kind === "floor" ? floorDir : repo;
        const args = ["preview", "--expect-no-changes", "--color", "never"];
        const cpuBefore = waitedChildrenCpu();
        const run = await measuredTree(
          reapingAll(["pulumi", ...args, "--stack", kind === "floor" ? "floor" : "first"]),
          {
            cwd: dir,
            env: kind === "ci" ? { ...env, CI: "true" } : env,
          },
        );
        previews[kind].push(run.wall);
        cpu[kind].push(waitedChildrenCpu() - cpuBefore);
      }
      console.log(
        `  no-op preview round ${round + 1}: ` +
          kinds
            .map(
              (kind) =>
                `${kind} ${previews[kind][round].toFixed(2)} s (CPU ${cpu[kind][round].toFixed(2)} s)`,
            )
            .join(", "),
      );
    }
    const preview = {
      laptop: median(previews.laptop),
      ci: median(previews.ci),
      floor: median(previews.floor),
    };
    const previewRatio = { laptop: preview.laptop / preview.floor, ci: preview.ci / preview.floor };
    const previewCpu = { laptop: median(cpu.laptop), ci: median(cpu.ci), floor: median(cpu.floor) };
    console.log(
      `no-op preview CPU, medians: laptop ${previewCpu.laptop.toFixed(2)} s ` +
        `(${(previewCpu.laptop / previewCpu.floor).toFixed(2)}×), ci ${previewCpu.ci.toFixed(2)} s ` +
        `(${(previewCpu.ci / previewCpu.floor).toFixed(2)}×), floor ${previewCpu.floor.toFixed(2)} s`,
    );

    await stack(repo, "second");
    const secondCpuBefore = waitedChildrenCpu();
    const second: TreeSample = await up(repo, "second");
    const secondCpu = waitedChildrenCpu() - secondCpuBefore;
    // Each function's kept result line says where its package came from.
    const hits = second.stdout
      .match(/Diagnostics:[\s\S]*/)?.[0]
      .match(/from the build cache/g)?.length;
    if (hits !== count)
      throw new Error(`the second stack hit the cache ${hits ?? 0} times, not ${count}`);
    const cachedRatio = second.wall / first.wall;
    const perFunction = ((second.wall - floorUp.wall) / count) * 1000;
    console.log(
      `second stack, all ${count} from the cache: ${second.wall.toFixed(1)} s, CPU ` +
        `${secondCpu.toFixed(1)} s; the floor's up ${floorUp.wall.toFixed(1)} s, so ` +
        `${perFunction.toFixed(0)} ms a function beyond it`,
    );

    for (const kind of ["laptop", "ci"] as const) {
      console.log(
        target(
          `no-op preview (${kind}) ≤ ${TARGETS.previewRatio}× floor`,
          `${preview[kind].toFixed(2)} s vs ${preview.floor.toFixed(2)} s = ${previewRatio[kind].toFixed(2)}×`,
          previewRatio[kind] <= TARGETS.previewRatio,
        ),
      );
    }
    console.log(
      target(
        `first up peak RSS < ${TARGETS.peakTreeMb} MB`,
        `${first.peakTreeMb.toFixed(0)} MB`,
        first.peakTreeMb < TARGETS.peakTreeMb,
      ),
    );
    console.log(
      target(
        `cached second stack ≤ ${TARGETS.cachedRatio}× first up`,
        `${cachedRatio.toFixed(2)}×`,
        cachedRatio <= TARGETS.cachedRatio,
      ),
    );
    console.log(
      target(
        `state < ${TARGETS.stateKb} KB per function`,
        `${stateKb.toFixed(2)} KB`,
        stateKb < TARGETS.stateKb,
      ),
    );
    if (json) {
      const result = {
        functions: count,
        keys,
        runs,
        first_up_s: first.wall,
        first_up_peak_tree_rss_mb: first.peakTreeMb,
        first_up_cpu_s: firstCpu,
        floor_up_cpu_s: floorCpu,
        noop_preview_laptop_s: preview.laptop,
        noop_preview_ci_s: preview.ci,
        floor_preview_s: preview.floor,
        preview_ratio_laptop: previewRatio.laptop,
        preview_ratio_ci: previewRatio.ci,
        noop_preview_cpu_laptop_s: previewCpu.laptop,
        noop_preview_cpu_ci_s: previewCpu.ci,
        floor_preview_cpu_s: previewCpu.floor,
        state_kb_per_function: stateKb,
        largest_resource_kb: resourceKb,
        cached_second_up_s: second.wall,
        cached_second_up_cpu_s: secondCpu,
        cached_ratio: cachedRatio,
        shape,
        esbuild_alone_s: esbuildSeconds,
        floor_up_s: floorUp.wall,
        cached_ms_per_function_beyond_floor: perFunction,
        cpus: os.cpus().length,
      };
      await writeFile(json, JSON.stringify(result, null, 2) + "\n");
    }
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
