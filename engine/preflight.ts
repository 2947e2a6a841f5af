import { opendirSync, statSync } from "node:fs";
import path from "node:path";
import { LambdaPackageError } from "../shared/errors";
import type { PackageOptions } from "./options";
import { BUNDLE_RULE, missingEntries } from "./bundle/options";
import { handlerRule, modulePathProblem } from "./handler";
// The modules, not the index: `check` runs this for every resource of a preview, and the
// index would load execa, which only running a packager needs.
import { resolvePackager } from "./packager/resolve";
import { builtinPackagersDir } from "./packager/root";

/** What the file system says about a package's inputs before any work. */
export interface Preflight {
  /** Absolute source directory. */
  readonly sourcePath: string;
  /** Absolute path of the packager to run. */
  readonly script: string;
  /** `RUNTIME` for the packager: `runtime`, else the script's file name. */
  readonly runtime: string;
}

/**
 * The cheap checks of a build's inputs (a few stats and one directory read,
 * never a walk): the source directory exists and has something in it, and the
 * packager can be found and run. `build()` runs them first; the provider's
 * `check` runs them in preview, so these mistakes never wait for `up`.
 */
export function preflight(options: PackageOptions): Preflight {
  const problems = preflightProblems(options);
  if (problems.length > 0) throw problems[0];
  const script = resolvePackager(options);
  return {
    sourcePath: path.resolve(options.sourcePath),
    script,
    runtime: options.runtime ?? path.basename(script),
  };
}

/** Every problem `preflight` would throw, one per field, for callers that report them all. */
export function preflightProblems(
  options: Pick<
    PackageOptions,
    "sourcePath" | "runtime" | "packager" | "packagersDir" | "bundle" | "layer" | "handler"
  >,
): LambdaPackageError[] {
  const problems: LambdaPackageError[] = [];
  for (const check of [
    () => checkSourceDirectory(options.sourcePath),
    () => checkBundle(options, resolvePackager(options)),
    () => checkBundleEntry(options),
    () => checkHandlerModule(options),
  ]) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof LambdaPackageError)) throw error;
      problems.push(error);
    }
  }
  return problems;
}

function checkSourceDirectory(given: string): void {
  const sourcePath = path.resolve(given);
  const info = statSync(sourcePath, { throwIfNoEntry: false });
  const field = "sourcePath";
  if (!info) {
    throw new LambdaPackageError(
      "SOURCE_MISSING",
      `sourcePath "${given}" does not exist (resolved to ${sourcePath} from ${process.cwd()}). ` +
        `Point it at the directory holding the function's code.`,
      { field },
    );
  }
  if (!info.isDirectory()) {
    throw new LambdaPackageError(
      "SOURCE_NOT_DIRECTORY",
      `sourcePath "${given}" is a file, not a directory. Point it at the directory that contains it.`,
      { field },
    );
  }
  if (isEmptyDirectory(sourcePath)) {
    throw new LambdaPackageError(
      "SOURCE_EMPTY",
      `sourcePath "${given}" is an empty directory: there is nothing to package. ` +
        `Check the path, or build the code into it first.`,
      { field },
    );
  }
}

/** Reads one entry, not the listing: `check` runs on every preview, whatever the directory holds. */
function isEmptyDirectory(dir: string): boolean {
  const handle = opendirSync(dir);
  try {
    return handle.readSync() === null;
  } finally {
    handle.closeSync();
  }
}

/** A handler naming a module the package cannot hold is found in preview too. */
function checkHandlerModule(
  options: Pick<
    PackageOptions,
    "sourcePath" | "runtime" | "packager" | "packagersDir" | "bundle" | "layer" | "handler"
  >,
): void {
  const { handler, bundle } = options;
  // A value of the wrong type has failed its rule already.
  if (typeof handler !== "string" || handlerRule(handler) !== undefined) return;
  if (bundle !== undefined && BUNDLE_RULE(bundle) !== undefined) return;
  const sourcePath = path.resolve(options.sourcePath);
  if (!statSync(sourcePath, { throwIfNoEntry: false })?.isDirectory()) return; // said above
  let script: string;
  try {
    script = resolvePackager(options);
  } catch {
    return; // the packager's problem is said by its own check
  }
  const wrong = modulePathProblem({
    handler,
    sourcePath,
    runtime: options.runtime ?? path.basename(script),
    builtin: path.dirname(script) === builtinPackagersDir,
    layer: options.layer === true,
    bundle:
      bundle === undefined
        ? undefined
        : {
            format: bundle.format === "esm" ? "esm" : "cjs",
            entry: bundle.entry,
            entries: bundle.entries,
          },
  });
  if (wrong) throw new LambdaPackageError("HANDLER_NOT_FOUND", wrong, { field: "handler" });
}

/** A mistyped `bundle.entry`, or file of `bundle.entries`, is found in preview, as a missing sourcePath is. */
function checkBundleEntry(options: Pick<PackageOptions, "sourcePath" | "bundle">): void {
  if (options.bundle === undefined) return;
  if (BUNDLE_RULE(options.bundle) !== undefined) return; // the option's rule says what is wrong
  const sourcePath = path.resolve(options.sourcePath);
  if (!statSync(sourcePath, { throwIfNoEntry: false })?.isDirectory()) return; // said above
  const missing = missingEntries(sourcePath, options.bundle);
  if (missing) throw missing;
}

/**
 * `bundle` is what the built-in nodejs packagers do with it; a built-in
 * packager of another runtime would ignore it, which is never what was meant.
 * Your own packagers get it as `$BUNDLE` and decide for themselves.
 */
function checkBundle(options: Pick<PackageOptions, "bundle" | "layer">, script: string): void {
  if (options.bundle === undefined) return;
  const field = "bundle";
  const name = path.basename(script);
  if (path.dirname(script) === builtinPackagersDir && !/^nodejs\d+\.x$/.test(name)) {
    throw new LambdaPackageError(
      "BAD_BUNDLE",
      `bundle is for the nodejs packagers (nodejs18.x … nodejs24.x), and the runtime is ${name}. ` +
        `Remove bundle, or set runtime to a nodejs runtime.`,
      { field },
    );
  }
  if (options.layer === true) {
    throw new LambdaPackageError(
      "BAD_BUNDLE",
      `bundle and layer do not go together: a bundle is a function's handler, a layer holds ` +
        `node_modules for functions. Remove one of them.`,
      { field },
    );
  }
}
