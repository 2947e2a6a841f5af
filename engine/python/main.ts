/**
 * The python packagers' helper (packagers/lib/python.sh runs it with
 * `$NODE_BINARY`): the lockfile reading, marker evaluation and wheel
 * choice of engine/python, for a bash script. It reads the contract variables
 * RUNTIME, ARCHITECTURE, SOURCE_PATH, PYTHON_GROUPS and PYTHON_EXTRAS, writes
 * files for the script, prints notes and errors on stderr as the packager
 * would, and exits 1 after an error.
 *
 *   plan <dir>                 writes the install plan into <dir> (see writePlan)
 *   built <source> <dir>...    prints requirement lines for the wheels built here; fails on native ones
 *   is-pure <wheel>            exits 0 when the wheel is pure Python
 *   missing <pip-log>          prints the requirement pip found no distribution for
 *   explain <source> <pip-log> prints why pip failed, and exits 1
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { problem } from "../../shared/rules";
import { PACKAGE_OPTIONS, type PackageOptions } from "../options";
import { builtWheelLines } from "./built";
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
 * name, or empty), `target.args` (pip's platform flags, one per line), and
 * `wheels.txt`, `sdists.txt`, `directories.txt`, one entry per line.
 */
export function writePlan(plan: InstallPlan, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const lines = (items: readonly string[]) => items.map((item) => `${item}\n`).join("");
  writeFileSync(path.join(dir, "source"), plan.source ?? "");
  writeFileSync(path.join(dir, "target.args"), lines(plan.targetFlags));
  writeFileSync(path.join(dir, "wheels.txt"), lines(plan.wheels));
  writeFileSync(path.join(dir, "sdists.txt"), lines(plan.sdists));
  writeFileSync(path.join(dir, "directories.txt"), lines(plan.directories));
}

/** Runs one command; returns the exit code. */
export function main(args: readonly string[]): number {
  const [command, ...rest] = args;
  const sourceFile = (name: string) => path.join(env("SOURCE_PATH"), name);
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
      for (const line of builtWheelLines(dirs, sourceFile(source), target())) console.log(line);
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
        source as DependencySource,
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
