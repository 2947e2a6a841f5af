/**
 * The built-in nodejs packagers' bundling, run in the engine's own process.
 * As a script, each build of a bundled function starts a bash, a Node.js that
 * loads the engine's nodejs code, and an esbuild service: most of what a
 * fleet of small bundles costs beyond esbuild's own work. Here the same code
 * (engine/nodejs/main.ts, `packageNodejs`) reads the same contract variables,
 * computed as for the script, writes the same files into BUILD_DIR and prints
 * the same lines, and the builds running at once share one esbuild service.
 *
 * Only where that provably changes nothing: the script must be a built-in
 * nodejs packager (a user's packager, or one of the same name in
 * packagersDir, is always run as a script: that is the contract), `bundle`
 * must be set, and the work must start no process but esbuild's, so that
 * stopping it is stopping esbuild: no `bundle.nodeModules` (installed by a
 * package manager), no `packagerEnv` (variables the packager's processes
 * would see and this one does not have).
 */
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { onInterrupt } from "../../shared/interrupt";
import { workTreeTopAside } from "../git/work-tree";
import { PACKAGE_OPTIONS } from "../options";
import { stderrTail, packagerTimeout, type PackagerOutput } from "./output";
import { builtinPackagersDir } from "./root";
import type { RunPackagerOptions } from "./run";

/** Whether the packager's work runs in this process, and if not, why not when it could have. */
export type InProcessWork =
  { readonly inProcess: true } | { readonly inProcess: false; readonly why?: string };

/** Decides as the module's doc says; `why` is said only of a built-in nodejs packager's bundle. */
export function inProcessWork(
  options: Pick<RunPackagerOptions, "script" | "bundle" | "packagerEnv">,
): InProcessWork {
  const { script, bundle } = options;
  const builtinNodejs =
    path.dirname(script) === builtinPackagersDir && /^nodejs\d+\.x$/.test(path.basename(script));
  if (!builtinNodejs || bundle === undefined) return { inProcess: false };
  const asScript = `the ${path.basename(script)} packager runs as a script of its own`;
  if (bundle.nodeModules.length > 0) {
    return {
      inProcess: false,
      why: `${asScript}: bundle.nodeModules are installed by the project's package manager.`,
    };
  }
  if (Object.keys(options.packagerEnv ?? {}).length > 0) {
    return {
      inProcess: false,
      why: `${asScript}: packagerEnv sets variables for its processes only.`,
    };
  }
  return { inProcess: true };
}

/**
 * Runs the nodejs packager's work on `env` (the script's environment) in this
 * process. A failure is the script's failure: PACKAGER_FAILED, the error's
 * message as the script's last line; past `packagerTimeout` it is
 * PACKAGER_TIMEOUT. On a timeout or an interrupt the work is aborted before
 * it writes anything more.
 */
export async function runInProcess(
  options: RunPackagerOptions,
  env: Record<string, string>,
  output: PackagerOutput,
): Promise<void> {
  // Loaded at the first build, as the script loads it: a preview never pays for it.
  const { failureLine, packageNodejs, readContract } = await import("../nodejs/main");
  const abort = new AbortController();
  const stopOnInterrupt = onInterrupt(() => abort.abort());
  const seconds = options.packagerTimeout ?? PACKAGE_OPTIONS.packagerTimeout.default;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), seconds * 1000);
  });
  // Split as the script's output is read (run.ts, readline): a message of several lines is
  // several lines of the tail.
  const lines = (text: string) => {
    for (const line of text.split(/\r\n|\n|\r/)) output.line(line);
  };
  const run = { log: lines, signal: abort.signal, workTreeTop: workTreeTopAside };
  const work = (async () => packageNodejs(readContract(env), run))().then(
    () => ({ error: undefined }),
    (error: unknown) => ({ error: error ?? new Error("failed") }),
  );
  try {
    const outcome = await Promise.race([work, timedOut]);
    if (outcome === "timed out") {
      abort.abort();
      throw packagerTimeout(options, seconds, output.tail);
    }
    if (outcome.error !== undefined) {
      lines(failureLine(outcome.error));
      throw new LambdaPackageError(
        "PACKAGER_FAILED",
        `Packager ${options.script} (cwd ${options.sourcePath}) failed (its work ran in this ` +
          `process). ${stderrTail(output.tail)}`,
        { cause: outcome.error },
      );
    }
  } finally {
    clearTimeout(timer);
    stopOnInterrupt();
  }
}
