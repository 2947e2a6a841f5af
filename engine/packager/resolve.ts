import { accessSync, constants, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { builtinPackagersDir } from "./root";

export interface PackagerSpec {
  /** Packager name, usually a Lambda runtime such as `python3.12`; looked up in the directories. */
  readonly runtime?: string;
  /** Path of a packager script, relative to the working directory; wins over `runtime`. */
  readonly packager?: string;
  /** Directory searched for `<runtime>` before the built-in packagers. */
  readonly packagersDir?: string;
}

/**
 * Finds the packager to run, as an absolute path. Lookup order: `packager`
 * (an explicit script) → `<packagersDir>/<runtime>` → the built-in
 * `packagers/<runtime>`. Synchronous and cheap (a few stats), so the
 * provider's `check` runs it in preview: a misspelt runtime fails there.
 */
export function resolvePackager(spec: PackagerSpec): string {
  const userDir = spec.packagersDir === undefined ? undefined : userDirectory(spec.packagersDir);
  if (spec.packager !== undefined && spec.packager !== "") {
    const script = path.resolve(spec.packager);
    assertRunnable(script, "packager");
    return script;
  }
  const runtime = spec.runtime;
  if (runtime === undefined || runtime === "") {
    throw new LambdaPackageError(
      "RUNTIME_REQUIRED",
      "Neither runtime nor packager is set. Set runtime to a packager name such as " +
        `python3.12 (available: ${listPackagers(spec.packagersDir).join(", ")}) ` +
        "or packager to the path of a script.",
      { field: "runtime" },
    );
  }
  if (!isPlainName(runtime)) {
    throw new LambdaPackageError(
      "UNKNOWN_RUNTIME",
      `runtime "${runtime}" is not a packager name: it must not contain "/" or be "." or "..". ` +
        "To run a script by its path, set packager instead.",
      { field: "runtime" },
    );
  }
  if (userDir !== undefined) {
    const userScript = path.join(userDir, runtime);
    // A file of that name in the user's directory was meant to be used: say
    // what is wrong with it rather than quietly falling back to a built-in.
    if (isFile(userScript)) {
      assertRunnable(userScript, "packager");
      return userScript;
    }
  }
  const builtin = path.join(builtinPackagersDir, runtime);
  if (isFile(builtin) && isExecutable(builtin)) return builtin;
  throw new LambdaPackageError(
    "UNKNOWN_RUNTIME",
    `No packager for runtime "${runtime}". Available: ${listPackagers(spec.packagersDir).join(", ")}. ` +
      "Pick one of those, add an executable script named after it to packagersDir, or set packager to a script's path.",
    { field: "runtime" },
  );
}

/** Names of the packagers available: the user's directory and the built-ins, sorted. */
export function listPackagers(packagersDir?: string): string[] {
  const dirs = [builtinPackagersDir];
  if (packagersDir !== undefined) dirs.push(userDirectory(packagersDir));
  const names = new Set<string>();
  for (const dir of dirs) {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (isFile(file) && isExecutable(file)) names.add(name);
    }
  }
  return [...names].sort();
}

function userDirectory(packagersDir: string): string {
  const dir = path.resolve(packagersDir);
  const info = statOf(dir);
  if (!info?.isDirectory()) {
    throw new LambdaPackageError(
      "PACKAGERS_DIR_NOT_FOUND",
      `packagersDir ${dir} ${info ? "is not a directory" : "does not exist"}. ` +
        "Point it at a directory of packager scripts, or leave it unset to use the built-in packagers.",
      { field: "packagersDir" },
    );
  }
  return dir;
}

function assertRunnable(script: string, field: "packager"): void {
  const info = statOf(script);
  if (!info) {
    throw new LambdaPackageError(
      "PACKAGER_NOT_FOUND",
      `${field} ${script} does not exist. Check the path (relative paths start at ${process.cwd()}).`,
      { field },
    );
  }
  if (!info.isFile()) {
    throw new LambdaPackageError(
      "PACKAGER_NOT_FOUND",
      `${field} ${script} is not a file. Point it at an executable script.`,
      { field },
    );
  }
  if (!isExecutable(script)) {
    throw new LambdaPackageError(
      "PACKAGER_NOT_EXECUTABLE",
      `${field} ${script} is not executable. Run: chmod +x '${script}'`,
      { field },
    );
  }
}

function isPlainName(name: string): boolean {
  return !name.includes("/") && !name.includes("\\") && name !== "." && name !== "..";
}

function statOf(file: string) {
  return statSync(file, { throwIfNoEntry: false });
}

function isFile(file: string): boolean {
  return statOf(file)?.isFile() ?? false;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
