/**
 * The python packagers' helper (packagers/lib/python.sh runs it with
 * `$NODE_BINARY`): the lockfile reading, marker evaluation and wheel
 * choice of engine/python, for a bash script. It reads the contract variables
 * RUNTIME, ARCHITECTURE, SOURCE_PATH, PYTHON_GROUPS and PYTHON_EXTRAS, writes
 * files for the script, prints notes and errors on stderr as the packager
 * would, and exits 1 after an error.
 *
 *   plan <dir>                 writes the install plan into <dir> (see writePlan)
 *   built <file> <dir>...      prints requirement lines for the wheels built here; fails on native ones
 *   is-pure <wheel>            exits 0 when the wheel is pure Python
 *   missing <pip-log>          prints the requirement pip found no distribution for
 *   explain <file> <pip-log>   prints why pip failed, and exits 1
 *
 * <file> is the file the dependencies come from (the plan's `file`), absolute
 * or relative to SOURCE_PATH; its name says what kind it is.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { problem } from "../../shared/rules";
import { PACKAGE_OPTIONS, type PackageOptions } from "../options";
import { builtWheelLines } from "./built";
import { hasUnsafeCharacter, show } from "../../shared/format";
import { explainPipFailure, missingRequirement } from "./pip-log";
import { planInstall, type DependencySource, type InstallPlan } from "./plan";
import { pythonTarget } from "./target";
import { isPureWheel } from "./wheel";

/** The prefix of the python packagers' messages (packagers/lib/common.sh `note`, `die`). */
const PREFIX = "python packager:";

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined)
    throw new Error(`${name} is not set: this helper is run by the python packagers.`);
  return value;
}

const names = (value: string | undefined) => (value ?? "").split(/\s+/).filter(Boolean);

function architecture(): PackageOptions["architecture"] {
  const value = process.env.ARCHITECTURE || PACKAGE_OPTIONS.architecture.default;
  const wrong = problem("ARCHITECTURE", PACKAGE_OPTIONS.architecture.rule, value);
  if (wrong)
    throw new LambdaPackageError("BAD_ARCHITECTURE", `${wrong}.`, { field: "architecture" });
  return value as PackageOptions["architecture"];
}

const target = () => pythonTarget(env("RUNTIME"), architecture());

/**
 * The plan as files a bash script reads without parsing: `source` (the file
 * name, or empty), `file` (its absolute path, or empty), `target.args` (pip's
 * platform flags, one per line), and `wheels.txt`, `sdists.txt`,
 * `directories.txt`, `unpinned.txt`, one entry per line.
 */
export function writePlan(plan: InstallPlan, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const from = plan.file ?? plan.source ?? "the source";
  writeFileSync(path.join(dir, "source"), plan.source ?? "");
  writeFileSync(path.join(dir, "file"), plan.file ?? "");
  writeFileSync(
    path.join(dir, "target.args"),
    pipLines(plan.targetFlags, "target.args", from, { options: true }),
  );
  writeFileSync(path.join(dir, "wheels.txt"), pipLines(plan.wheels, "wheels.txt", from));
  writeFileSync(path.join(dir, "sdists.txt"), pipLines(plan.sdists, "sdists.txt", from));
  writeFileSync(
    path.join(dir, "directories.txt"),
    pipLines(plan.directories, "directories.txt", from),
  );
  writeFileSync(path.join(dir, "unpinned.txt"), pipLines(plan.unpinned, "unpinned.txt", from));
}

/**
 * `items` as the lines of a file pip reads with `-r`, or the packager reads
 * line by line. The lockfile readers already refuse a name, version, hash or
 * path that is not what its grammar says; this is the second guard, where the
 * lines are written: an item that would break its line (pip splits lines as
 * Python's `splitlines` does, at more than `\n`), begin one of pip's options
 * (`-r /other/file`) or join the next line (a trailing `\`) is refused,
 * naming the file it came from.
 */
export function pipLines(
  items: readonly string[],
  file: string,
  from: string,
  /** Whether the lines are pip's options (`--platform …`), which begin with "-". */
  { options = false } = {},
): string {
  for (const item of items) {
    const why = hasUnsafeCharacter(item)
      ? "holds a control character, which would break the line"
      : !options && item.startsWith("-")
        ? 'begins with "-", which pip reads as an option'
        : item.endsWith("\\")
          ? 'ends with "\\", which joins the next line to it'
          : undefined;
    if (why) {
      throw new LambdaPackageError(
        "PYTHON_LOCK_INVALID",
        `${show(item)}, from ${from}, cannot be a line of ${file} for pip: it ${why}. ` +
          `Nothing was installed. Check the names, versions, hashes and paths ${from} holds, and lock again.`,
      );
    }
  }
  return items.map((item) => `${item}\n`).join("");
}

/** Runs one command; returns the exit code. */
export function main(args: readonly string[]): number {
  const [command, ...rest] = args;
  const sourceFile = (file: string) => path.resolve(env("SOURCE_PATH"), file);
  switch (command) {
    case "plan": {
      const plan = planInstall({
        sourcePath: env("SOURCE_PATH"),
        runtime: env("RUNTIME"),
        architecture: architecture(),
        groups: names(process.env.PYTHON_GROUPS),
        extras: names(process.env.PYTHON_EXTRAS),
      });
      for (const note of plan.notes) console.error(`${PREFIX} ${note}`);
      writePlan(plan, rest[0]);
      return 0;
    }
    case "built": {
      const [source, ...dirs] = rest;
      // Appended to the requirements pip installs: through the same guard as the plan's lines.
      process.stdout.write(
        pipLines(
          builtWheelLines(dirs, sourceFile(source), target()),
          "install.txt",
          path.basename(source),
        ),
      );
      return 0;
    }
    case "is-pure":
      return isPureWheel(path.basename(rest[0])) ? 0 : 1;
    case "missing": {
      const missing = missingRequirement(readFileSync(rest[0], "utf8"));
      if (missing) console.log(missing);
      return 0;
    }
    case "explain": {
      const [source, log] = rest;
      throw explainPipFailure(
        readFileSync(log, "utf8"),
        sourceFile(source),
        path.basename(source) as DependencySource,
        target(),
      );
    }
    default:
      throw new Error(`unknown command "${command}"; see engine/python/main.ts`);
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof LambdaPackageError)) throw error;
    console.error(`${PREFIX} ${error.message}`);
    process.exitCode = 1;
  }
}
