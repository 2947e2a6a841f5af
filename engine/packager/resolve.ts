import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { LambdaPackageError } from "../errors";
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
 * `packagers/<runtime>`.
 */
export async function resolvePackager(spec: PackagerSpec): Promise<string> {
  if (spec.packager !== undefined && spec.packager !== "") {
    const script = path.resolve(spec.packager);
    await assertRunnable(script, "packager");
    return script;
  }
  const runtime = spec.runtime;
  if (runtime === undefined || runtime === "") {
    throw new LambdaPackageError(
      "RUNTIME_REQUIRED",
      "Neither runtime nor packager is set. Set runtime to a packager name such as " +
        `python3.12 (available: ${(await listPackagers(spec.packagersDir)).join(", ")}) ` +
        "or packager to the path of a script.",
    );
  }
  if (!isPlainName(runtime)) {
    throw new LambdaPackageError(
      "UNKNOWN_RUNTIME",
      `runtime "${runtime}" is not a packager name: it must not contain "/" or be "." or "..". ` +
        "To run a script by its path, set packager instead.",
    );
  }
  if (spec.packagersDir !== undefined) {
    const userScript = path.join(await userDirectory(spec.packagersDir), runtime);
    // A file of that name in the user's directory was meant to be used: say
    // what is wrong with it rather than quietly falling back to a built-in.
    if (await isFile(userScript)) {
      await assertRunnable(userScript, "packager");
      return userScript;
    }
  }
  const builtin = path.join(builtinPackagersDir, runtime);
  if ((await isFile(builtin)) && (await isExecutable(builtin))) return builtin;
  throw new LambdaPackageError(
    "UNKNOWN_RUNTIME",
    `No packager for runtime "${runtime}". Available: ${(await listPackagers(spec.packagersDir)).join(", ")}. ` +
      "Pick one of those, add an executable script named after it to packagersDir, or set packager to a script's path.",
  );
}

/** Names of the packagers available: the user's directory and the built-ins, sorted. */
export async function listPackagers(packagersDir?: string): Promise<string[]> {
  const dirs = [builtinPackagersDir];
  if (packagersDir !== undefined) dirs.push(await userDirectory(packagersDir));
  const names = new Set<string>();
  for (const dir of dirs) {
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      if ((await isFile(file)) && (await isExecutable(file))) names.add(name);
    }
  }
  return [...names].sort();
}

async function userDirectory(packagersDir: string): Promise<string> {
  const dir = path.resolve(packagersDir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new LambdaPackageError(
      "PACKAGERS_DIR_NOT_FOUND",
      `packagersDir ${dir} ${info ? "is not a directory" : "does not exist"}. ` +
        "Point it at a directory of packager scripts, or leave it unset to use the built-in packagers.",
    );
  }
  return dir;
}

async function assertRunnable(script: string, field: string): Promise<void> {
  const info = await stat(script).catch(() => undefined);
  if (!info) {
    throw new LambdaPackageError(
      "PACKAGER_NOT_FOUND",
      `${field} ${script} does not exist. Check the path (relative paths start at ${process.cwd()}).`,
    );
  }
  if (!info.isFile()) {
    throw new LambdaPackageError(
      "PACKAGER_NOT_FOUND",
      `${field} ${script} is not a file. Point it at an executable script.`,
    );
  }
  if (!(await isExecutable(script))) {
    throw new LambdaPackageError(
      "PACKAGER_NOT_EXECUTABLE",
      `${field} ${script} is not executable. Run: chmod +x '${script}'`,
    );
  }
}

function isPlainName(name: string): boolean {
  return !name.includes("/") && !name.includes("\\") && name !== "." && name !== "..";
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}
