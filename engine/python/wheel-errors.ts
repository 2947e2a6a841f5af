/**
 * The errors for packages Lambda has no wheel of: none in the lockfile or the
 * index for the target, or only a source distribution with native code,
 * which a build on this machine would compile for this machine. Each lists
 * every such package and the ways out the issue names: a wheel from the
 * package's author or a private index, or `architecture: "local"`, whose risk
 * is spelled out.
 */
import { LambdaPackageError } from "../../shared/errors";
import { describeTarget, platformTags, type PythonTarget } from "./target";

/** A package and why it has no wheel for the target, e.g. `fastcalc 0.3.0 (wheels for: cp312-win_amd64)`. */
export interface Wheelless {
  readonly name: string;
  readonly version?: string;
  readonly detail?: string;
}

const listed = (packages: readonly Wheelless[]) =>
  packages
    .map(
      (p) => `  - ${p.name}${p.version ? ` ${p.version}` : ""}${p.detail ? ` (${p.detail})` : ""}`,
    )
    .join("\n");

/** What Lambda loads, in the words of a message: `cp312 (or abi3) wheels for manylinux_2_34_x86_64 … manylinux_2_5_x86_64, or pure-Python wheels`. */
export function wantedWheels(target: PythonTarget): string {
  const tags = platformTags(target).filter((tag) => tag.startsWith("manylinux_"));
  const [major, minor] = target.python;
  return `cp${major}${minor} (or abi3) wheels for ${tags[0]} down to ${tags.at(-1)}, or pure-Python wheels`;
}

function waysOut(target: PythonTarget): string {
  return (
    "Ways out:\n" +
    "  1. Get such a wheel: a version of the package that publishes one, or a wheel built by you (e.g. in a " +
    "manylinux or Lambda build container), served from a private index (packagerEnv PIP_INDEX_URL / " +
    "PIP_EXTRA_INDEX_URL) or a wheel directory (PIP_FIND_LINKS); lock again when installing from a lockfile.\n" +
    '  2. Set architecture: "local" to build with this machine\'s Python and compiler. Risk: the compiled code is then ' +
    "for this machine's CPU, glibc and Python version, and fails to import on Lambda (invalid ELF header, " +
    "GLIBC_2.xx not found, undefined symbol) unless this machine matches " +
    `${target.os} ${target.architecture === "arm64" ? "arm64" : "x86_64"} with Python ${target.python.join(".")}.`
  );
}

/** Packages whose lockfile or index offers no wheel for the target and no source to build one from. */
export function noWheelError(
  source: string,
  target: PythonTarget,
  packages: readonly Wheelless[],
  nor = "and no source distribution to build one from",
): LambdaPackageError {
  return new LambdaPackageError(
    "PYTHON_NO_WHEEL",
    `${source} has no wheel that Lambda's ${describeTarget(target)} can load, ${nor}, for:\n` +
      `${listed(packages)}\nLambda needs ${wantedWheels(target)}. ${waysOut(target)}`,
  );
}

/** Packages that had only a source distribution for the target, which built into native code. */
export function nativeBuildError(
  source: string,
  target: PythonTarget,
  packages: readonly Wheelless[],
): LambdaPackageError {
  return new LambdaPackageError(
    "PYTHON_NATIVE_BUILD",
    `These packages from ${source} have no wheel for Lambda's ${describeTarget(target)}, and their ` +
      `source builds native code, which this machine can only compile for itself:\n${listed(packages)}\n` +
      waysOut(target),
  );
}
