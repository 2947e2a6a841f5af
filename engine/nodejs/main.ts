/**
 * The nodejsNN.x packagers' work, run by packagers/lib/nodejs.sh with the
 * engine's own Node.js (`$NODE_BINARY`) under the packager contract
 * (packagers/README.md): everything it needs is in the contract variables.
 *
 * - Without `$BUNDLE`: the source goes in as it is (read in place through
 *   `$SOURCE_MANIFEST`, without node_modules), and its production
 *   dependencies are installed into BUILD_DIR by the project's package
 *   manager, or for npm, listed from npm's cache when it holds them all;
 *   `LAYER=1` installs only the dependencies, under nodejs/.
 * - With `$BUNDLE`: esbuild bundles the entry into BUILD_DIR, and only the
 *   packages of `nodeModules` are installed beside it; the source is not
 *   included.
 */
import { appendFile, copyFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { BUNDLE_READS_FILE, type NormalizedBundleOptions } from "../bundle/options";
import { BUNDLE_CONTENTS_FILE } from "../contents/bundled";
import { ARCHITECTURES, LOCAL_ARCHITECTURE, type Architecture } from "../options";
import { installProduction } from "./install";
import { readPackageJson, type PackageJson } from "./manifest";
import { keepOnly } from "./prune";
import { LOCKFILES, readProject } from "./project";

/** What the contract hands the packager, read from its environment. */
export interface NodejsPackagerEnv {
  readonly runtime: string;
  readonly sourcePath: string;
  readonly buildDir: string;
  readonly sourceManifest: string;
  readonly architecture?: Architecture;
  readonly layer: boolean;
  readonly bundle?: NormalizedBundleOptions;
}

/** Where the packager's lines go when it runs as a script: stderr, which the engine relays. */
const toStderr = (line: string) => void process.stderr.write(`${line}\n`);

/** The line a failure ends the packager's output with, as the script prints it. */
export function failureLine(error: unknown): string {
  return `nodejs packager: ${error instanceof Error ? error.message : String(error)}`;
}

/** The contract variables, checked: a script run by hand without them is told what is missing. */
export function readContract(env: NodeJS.ProcessEnv): NodejsPackagerEnv {
  const required = (name: string) => {
    const value = env[name];
    if (!value) {
      throw new Error(
        `${name} is not set: packagers are run by lambda-package, see packagers/README.md`,
      );
    }
    return value;
  };
  // "local" (or unset, run by hand): the package manager's own choice, this machine's.
  const raw = env.ARCHITECTURE || LOCAL_ARCHITECTURE;
  if (raw !== LOCAL_ARCHITECTURE && !(ARCHITECTURES as readonly string[]).includes(raw)) {
    throw new Error(`ARCHITECTURE must be x86_64, arm64 or local, got '${raw}'.`);
  }
  const architecture = raw === LOCAL_ARCHITECTURE ? undefined : raw;
  return {
    runtime: required("RUNTIME"),
    sourcePath: required("SOURCE_PATH"),
    buildDir: required("BUILD_DIR"),
    sourceManifest: required("SOURCE_MANIFEST"),
    architecture: architecture as Architecture | undefined,
    layer: env.LAYER === "1",
    bundle: env.BUNDLE ? (JSON.parse(env.BUNDLE) as NormalizedBundleOptions) : undefined,
  };
}

/** How the packager's work is run: as the script, or in the engine's process. */
export interface NodejsPackagerRun {
  /** Each line of output. @default stderr, which the engine relays */
  readonly log?: (line: string) => void;
  /** Ends the bundling before it writes (see `BundleRequest.signal`). @default never */
  readonly signal?: AbortSignal;
  /** See `BundleRequest.workTreeTop`. @default git run from this process */
  readonly workTreeTop?: (dir: string) => Promise<string | undefined>;
}

/**
 * Runs the packager's work as `env` describes it. Run as the script (below) or, for a
 * bundle that installs nothing, in the engine's own process (engine/packager/in-process.ts),
 * where esbuild's service is left running for the builds beside it.
 */
export async function packageNodejs(
  env: NodejsPackagerEnv,
  run: NodejsPackagerRun = {},
): Promise<void> {
  const log = run.log ?? toStderr;
  const note = (line: string) => log(`nodejs packager: ${line}`);
  const manifest = readPackageJson(env.sourcePath);
  if (env.bundle) return bundleFunction(env, env.bundle, manifest, { ...run, log });
  let dest = env.buildDir;
  if (env.layer) {
    if (!manifest) {
      throw new Error(
        `a Node.js layer is built from package.json, and ${env.sourcePath} has none. ` +
          `Add one listing the layer's dependencies.`,
      );
    }
    dest = path.join(env.buildDir, "nodejs");
    await mkdir(dest, { recursive: true });
    // The layer's own record of what it holds, as the source has it.
    const files = ["package.json", ".npmrc", ...Object.keys(LOCKFILES)];
    for (const file of files.filter((f) => existsSync(path.join(env.sourcePath, f)))) {
      await copyFile(path.join(env.sourcePath, file), path.join(dest, file));
    }
  } else {
    await appendFile(env.sourceManifest, "include .\nexclude node_modules/\nexclude .git\n");
  }
  if (!manifest || Object.keys(manifest.dependencies ?? {}).length === 0) {
    note("no dependencies in package.json; nothing to install.");
    return;
  }
  const project = readProject(env.sourcePath, manifest);
  // Loaded when used, here and for the bundler: a packager process starts per function, and
  // the npm cache's tar reader and esbuild are most of what it would load for nothing.
  const { installFromCache } = await import("./npm-cache");
  const fromCache = await installFromCache({
    project,
    prefix: env.layer ? "nodejs/" : "",
    architecture: env.architecture,
    sourceManifest: env.sourceManifest,
    env: process.env,
    log,
  });
  if (fromCache) return;
  await installProduction({ project, dest, architecture: env.architecture, log });
}

async function bundleFunction(
  env: NodejsPackagerEnv,
  bundle: NormalizedBundleOptions,
  manifest: PackageJson | undefined,
  run: NodejsPackagerRun & { readonly log: (line: string) => void },
): Promise<void> {
  const { log } = run;
  const { bundleHandler } = await import("../bundle");
  await bundleHandler({
    sourcePath: env.sourcePath,
    outDir: env.buildDir,
    runtime: env.runtime,
    options: bundle,
    log,
    signal: run.signal,
    workTreeTop: run.workTreeTop,
    readsFile: path.join(path.dirname(env.sourceManifest), BUNDLE_READS_FILE),
    contentsFile: path.join(path.dirname(env.sourceManifest), BUNDLE_CONTENTS_FILE),
  });
  if (bundle.nodeModules.length === 0) return;
  const manifestFile = path.join(env.sourcePath, "package.json");
  if (!manifest) {
    throw new LambdaPackageError(
      "NODE_MODULE_MISSING",
      `bundle.nodeModules lists ${bundle.nodeModules.join(", ")}, which are installed from the ` +
        `project's dependencies, and ${env.sourcePath} has no package.json. Add one.`,
      { field: "bundle" },
    );
  }
  const project = readProject(env.sourcePath, manifest);
  await installProduction({ project, dest: env.buildDir, architecture: env.architecture, log });
  await keepOnly(path.join(env.buildDir, "node_modules"), bundle.nodeModules, manifestFile);
  log(
    `nodejs packager: installed ${bundle.nodeModules.join(", ")} beside the bundle, with what ` +
      `they need.`,
  );
}

if (require.main === module) {
  void (async () => {
    let env: NodejsPackagerEnv | undefined;
    try {
      env = readContract(process.env);
      await packageNodejs(env);
    } catch (error) {
      toStderr(failureLine(error));
      process.exitCode = 1;
    } finally {
      // esbuild's service would outlive this process, which the engine would then report as
      // a process left running.
      if (env?.bundle) await (await import("../bundle/stop")).stopEsbuild();
    }
  })();
}
