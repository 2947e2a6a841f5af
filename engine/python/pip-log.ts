/**
 * What went wrong in a pip run, read from its output, told in terms of the
 * project: the package, the file it comes from and what to do. pip's own
 * words stay in the build's log above the message.
 */
import { LambdaPackageError } from "../../shared/errors";
import { LOCAL_ARCHITECTURE } from "../options";
import type { DependencySource } from "./plan";
import { describeTarget, type PythonTarget } from "./target";
import { noWheelError } from "./wheel-errors";

/** A file pip found whose hash the requirements do not list. */
export interface HashMismatch {
  readonly name: string;
  readonly version: string;
  readonly url: string;
  readonly got?: string;
}

/** The files with a wrong hash that pip reports (`THESE PACKAGES DO NOT MATCH THE HASHES …`). */
export function hashMismatches(log: string): HashMismatch[] {
  if (!log.includes("DO NOT MATCH THE HASHES")) return [];
  const found: HashMismatch[] = [];
  for (const line of log.split("\n")) {
    const pkg = /^\s+([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) from (\S+?)(?: \(from .*\))?:\s*$/.exec(
      line,
    );
    if (pkg) {
      found.push({ name: pkg[1], version: pkg[2], url: pkg[3] });
      continue;
    }
    const got = /^\s+Got\s+(\S+)/.exec(line);
    const last = found.at(-1);
    if (got && last && !last.got) found[found.length - 1] = { ...last, got: got[1] };
  }
  return found;
}

/** The requirement pip found no distribution for (`No matching distribution found for X`), if that is what failed. */
export function missingRequirement(log: string): string | undefined {
  return /No matching distribution found for (.+?)\s*$/m.exec(log)?.[1];
}

/** How to lock again after a hash changed, in the words of the tool that wrote the file. */
const RELOCK: Record<DependencySource, (name: string) => string> = {
  "uv.lock": (name) => `uv lock --refresh-package ${name}`,
  "poetry.lock": () => "poetry lock --regenerate",
  "pylock.toml": () => "lock again and export pylock.toml",
  "requirements.txt": () =>
    "update the --hash options in requirements.txt (e.g. pip-compile --generate-hashes)",
  // Its requirements carry no hashes: pip reports no mismatch for them.
  "pyproject.toml": () => "lock the project (uv lock)",
};

/**
 * The error for a failed `pip install` of `source` (the path of the
 * lockfile or requirements.txt; `kind` its name) for the target.
 */
export function explainPipFailure(
  log: string,
  source: string,
  kind: DependencySource,
  target: PythonTarget,
): LambdaPackageError {
  const mismatches = hashMismatches(log);
  if (mismatches.length) {
    const list = mismatches
      .map((m) => `  - ${m.name} ${m.version}: ${m.url}${m.got ? ` has sha256 ${m.got}` : ""}`)
      .join("\n");
    return new LambdaPackageError(
      "PYTHON_HASH_MISMATCH",
      `pip found files whose hashes ${source} does not list:\n${list}\n` +
        "The index serves other files than the ones locked: a file was replaced, or pip looks at another " +
        "index or wheel directory than the lock was made from. Point pip at that index (packagerEnv " +
        "PIP_INDEX_URL, PIP_FIND_LINKS); if the new files are trusted, lock again " +
        `(${[...new Set(mismatches.map((m) => RELOCK[kind](m.name)))].join("; ")}).`,
    );
  }
  // For "local" pip chose for this machine: no Lambda platform to explain.
  const missing = target.architecture === LOCAL_ARCHITECTURE ? undefined : missingRequirement(log);
  if (missing && kind !== "requirements.txt" && kind !== "pyproject.toml") {
    return new LambdaPackageError(
      "PYTHON_NO_WHEEL",
      `pip found none of the files ${source} pins for ${missing} that Lambda's ${describeTarget(target)} ` +
        "can load. The lock lists one, so the index pip uses does not serve it: point pip at the index the " +
        "lock was made from (packagerEnv PIP_INDEX_URL, PIP_EXTRA_INDEX_URL or PIP_FIND_LINKS; PIP_NO_INDEX=1 turns indexes off).",
    );
  }
  if (missing) {
    return noWheelError(
      source,
      target,
      [{ name: missing }],
      "and pip found no source distribution it could build one from (see its messages above)",
    );
  }
  const python = /requires a different Python: (\S+) not in '([^']*)'/.exec(log);
  if (python) {
    return new LambdaPackageError(
      "PYTHON_VERSION_MISMATCH",
      `pip could not install ${source} for ${describeTarget(target)}: a package requires Python ${python[2]}, ` +
        `and pip checks that against the Python it runs on (${python[1]}), not the runtime's. Set packagerEnv ` +
        `PIP to the pip of a Python ${target.python.join(".")} (e.g. "python${target.python.join(".")} -m pip"), ` +
        "or lock the dependencies (uv.lock, poetry.lock, pylock.toml), which are installed for the runtime's Python. See pip's messages above.",
    );
  }
  const errors = log
    .split("\n")
    .filter((line) => line.startsWith("ERROR:"))
    .slice(-10)
    .join("\n");
  return new LambdaPackageError(
    "PYTHON_INSTALL_FAILED",
    `pip could not install ${source} for ${describeTarget(target)}` +
      (errors ? `:\n${errors}\n` : ". ") +
      "See pip's messages above.",
  );
}
