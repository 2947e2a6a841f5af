import execa from "execa";
import { once } from "node:events";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { LambdaPackageError } from "../../shared/errors";
import { onInterrupt } from "../../shared/interrupt";
import type { NormalizedBundleOptions } from "../bundle/options";
import { PACKAGE_OPTIONS, type PackageOptions } from "../options";
import { SOURCE_MANIFEST_FILE } from "./manifest";
import { packagerEnvironment, type PackagerDirs } from "./env";
import { inProcessWork, runInProcess } from "./in-process";
import { packagerOutput, packagerTimeout, stderrTail, type PackagerOutput } from "./output";

export { STDERR_TAIL_LINES } from "./output";

/** An empty zip: just the end-of-central-directory record, as the seed hands packagers. */
export const EMPTY_ZIP = Buffer.from("504b0506" + "00".repeat(18), "hex");

/** Between SIGTERM and SIGKILL of a packager's process group. */
const GRACE_MS = 2_000;
/** How long output still in a pipe may take to arrive once the group is gone. */
const DRAIN_MS = 2_000;

export interface RunPackagerOptions extends Pick<
  PackageOptions,
  | "architecture"
  | "layer"
  | "pythonMode"
  | "pythonGroups"
  | "pythonExtras"
  | "packagerEnv"
  | "inheritCredentials"
  | "packagerTimeout"
> {
  /** `bundle` with its defaults filled in, passed as `$BUNDLE`. */
  readonly bundle?: NormalizedBundleOptions;
  /** Absolute path of the packager script (from `resolvePackager`). */
  readonly script: string;
  /** The packager's name, passed as `RUNTIME`, e.g. `python3.12`. */
  readonly runtime: string;
  /** Absolute source directory: the packager's cwd and `SOURCE_PATH`. */
  readonly sourcePath: string;
  /** An empty directory of this build's; `BUILD_DIR` and `PACKAGE_ZIP` are made in it. */
  readonly workDir: string;
  /** Receives each line the packager prints, stdout and stderr, as it comes, secrets masked. */
  readonly log?: (line: string) => void;
  /** Values to mask as `***` in what is relayed; see `BuildOptions.secrets`. */
  readonly secrets?: readonly string[];
}

/**
 * Runs the packager as the contract says (packagers/README.md): in `workDir`
 * it makes an empty `BUILD_DIR` and an empty-zip `PACKAGE_ZIP` and names the
 * `SOURCE_MANIFEST` file, then runs the script with cwd = `sourcePath` and
 * the contract environment.
 *
 * The packager runs in a process group of its own, which is how it is
 * stopped, children included: when it exits (whatever it left running in the
 * background is stopped, with a note), when it runs past `packagerTimeout`,
 * and when this process is interrupted. Output is streamed line by line to
 * `log`, never held whole (npm and pip can print a lot); only the last lines
 * are kept for the error message, from both streams in the order they came:
 * tools print their errors on either (pnpm on stdout).
 *
 * The built-in nodejs packagers' work for a bundle that installs nothing is
 * run in this process instead, on the same environment (in-process.ts): the
 * same files in BUILD_DIR, the same lines, without a bash and a Node.js
 * started per build.
 */
export async function runPackager(options: RunPackagerOptions): Promise<PackagerDirs> {
  const dirs: PackagerDirs = {
    buildDir: path.join(options.workDir, "build"),
    packageZip: path.join(options.workDir, "package.zip"),
    sourceManifest: path.join(options.workDir, SOURCE_MANIFEST_FILE),
  };
  await mkdir(dirs.buildDir);
  await writeFile(dirs.packageZip, EMPTY_ZIP);
  const env = packagerEnvironment(options, dirs);
  const output = packagerOutput(env, options.secrets, options.log);
  const work = inProcessWork(options);
  if (work.inProcess) await runInProcess(options, env, output);
  else {
    if (work.why) output.note(`lambda-package: ${work.why}`);
    await runScript(options, env, output);
  }
  return dirs;
}

/** The packager's script in a process group of its own; see `runPackager`. */
async function runScript(
  options: RunPackagerOptions,
  env: Record<string, string>,
  output: PackagerOutput,
): Promise<void> {
  const { tail } = output;
  // execa for its error reporting (exit code, signal, spawn errors); the
  // process group (detached) and its end are ours.
  const child = execa(options.script, [], {
    cwd: options.sourcePath,
    env,
    extendEnv: false,
    stdin: "ignore",
    buffer: false,
    detached: true,
    cleanup: false,
  });
  const outcome = child.then(
    () => undefined,
    (error: unknown) => error,
  );
  const lines = Promise.all([
    forEachLine(child.stdout, output.line),
    forEachLine(child.stderr, output.line),
  ]);
  const group = child.pid;
  if (group === undefined) throw failure(options, await outcome, tail);

  const stopOnInterrupt = onInterrupt(() => stopGroup(group));
  const seconds = options.packagerTimeout ?? PACKAGE_OPTIONS.packagerTimeout.default;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopGroup(group);
  }, seconds * 1000);
  try {
    await once(child, "exit");
    clearTimeout(timer);
    // The packager is done; anything of its group still running is not ours to wait for.
    if (groupAlive(group)) {
      output.note(
        `lambda-package: the packager exited but left processes running in the background ` +
          `(e.g. "cmd &"); they were stopped. Wait for them in the script if their work is needed.`,
      );
      await stopGroup(group);
    }
    // Unreferenced: once the output is in, this timer must not keep a CLI process alive.
    await Promise.race([lines, sleep(DRAIN_MS, undefined, { ref: false })]);
    child.stdout?.destroy();
    child.stderr?.destroy();
  } finally {
    clearTimeout(timer);
    stopOnInterrupt();
  }
  const error = await outcome;
  if (timedOut) throw packagerTimeout(options, seconds, tail);
  if (error) throw failure(options, error, tail);
}

/** Whether any process of the group is still there. */
function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole group, SIGKILL to what is left after a grace period. */
async function stopGroup(group: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-group, name);
    } catch {
      // Gone already.
    }
  };
  signal("SIGTERM");
  for (let waited = 0; waited < GRACE_MS && groupAlive(group); waited += 50) await sleep(50);
  if (groupAlive(group)) signal("SIGKILL");
}

function forEachLine(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on("line", onLine);
  // readline closes on "end" (after the last partial line); a pipe destroyed
  // without ending, as when the script cannot be spawned, only emits "close".
  return new Promise((resolve) => {
    lines.once("close", resolve);
    stream.once("close", resolve);
  });
}

interface ExecaFailure {
  exitCode?: number;
  signal?: string;
  code?: string;
  originalMessage?: string;
  message?: string;
}

function failure(
  options: RunPackagerOptions,
  reason: unknown,
  tail: readonly string[],
): LambdaPackageError {
  const error = (reason ?? {}) as ExecaFailure;
  const where = `Packager ${options.script} (cwd ${options.sourcePath})`;
  let what: string;
  if (error.signal) what = `was killed by signal ${error.signal}`;
  else if (typeof error.exitCode === "number") what = `exited with code ${error.exitCode}`;
  else
    what = `could not be started: ${error.originalMessage ?? error.message}${spawnHint(error.code)}`;
  return new LambdaPackageError("PACKAGER_FAILED", `${where} ${what}. ${stderrTail(tail)}`, {
    cause: reason,
  });
}

function spawnHint(code: string | undefined): string {
  switch (code) {
    case "EACCES":
      return ". Make it executable with chmod +x";
    case "ENOENT":
      return ". The script or the interpreter named on its #! line is missing";
    default:
      return "";
  }
}
