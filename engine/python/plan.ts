/**
 * What the python packager installs, decided before pip runs: which file of
 * the project says it (uv.lock, poetry.lock, pylock.toml, requirements.txt, in
 * that order), the pip flags for Lambda's platform, and for a lockfile every
 * package as an exact, hash-pinned requirement, a source distribution to
 * build here, or a directory of the project to build here.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { LOCAL_ARCHITECTURE, type PackageOptions } from "../options";
import {
  LOCKFILES,
  type LockedPackage,
  type LockRequest,
  type LockSelection,
  type LockfileName,
} from "./lockfile/model";
import { readPoetryLock } from "./lockfile/poetry";
import { readPylock } from "./lockfile/pylock";
import { readUvLock } from "./lockfile/uv";
import { describeTarget, pipTargetFlags, pythonTarget, type PythonTarget } from "./target";
import { isSdist, parseWheelName, wheelFits } from "./wheel";
import { noWheelError, type Wheelless } from "./wheel-errors";

/** The file without a lock, last in the order of preference. */
export const REQUIREMENTS_TXT = "requirements.txt";
export type DependencySource = LockfileName | typeof REQUIREMENTS_TXT;

const READERS: Record<LockfileName, (request: LockRequest) => LockSelection | undefined> = {
  "uv.lock": readUvLock,
  "poetry.lock": readPoetryLock,
  "pylock.toml": readPylock,
};

export interface PlanRequest {
  readonly sourcePath: string;
  readonly runtime: string;
  readonly architecture?: PackageOptions["architecture"];
  readonly groups?: readonly string[];
  readonly extras?: readonly string[];
}

export interface InstallPlan {
  /** What the dependencies come from; undefined when the source has none of the files. */
  readonly source?: DependencySource;
  /** What they are installed for; undefined when there is nothing to install. */
  readonly target?: PythonTarget;
  /** pip's flags for Lambda's platform; empty for `local`. */
  readonly targetFlags: readonly string[];
  /** Requirement lines, `name==version --hash=sha256:…`, of packages installed from wheels. */
  readonly wheels: readonly string[];
  /** Requirement lines of packages with only a source distribution: built here, then checked for native code. */
  readonly sdists: readonly string[];
  /** Directories of the project (workspace members, path dependencies), built into wheels here. */
  readonly directories: readonly string[];
  /** What the packager says about the plan. */
  readonly notes: readonly string[];
}

/** The plan for `request`; throws a `LambdaPackageError` naming the file and the packages when there can be none. */
export function planInstall(request: PlanRequest): InstallPlan {
  const groups = request.groups ?? [];
  const extras = request.extras ?? [];
  const present = ([...LOCKFILES, REQUIREMENTS_TXT] as DependencySource[]).filter((f) =>
    existsSync(path.join(request.sourcePath, f)),
  );
  const source = present.at(0);
  if ((source === undefined || source === REQUIREMENTS_TXT) && (groups.length || extras.length)) {
    const what = groups.length ? "pythonGroups" : "pythonExtras";
    throw new LambdaPackageError(
      groups.length ? "PYTHON_GROUP_UNKNOWN" : "PYTHON_EXTRA_UNKNOWN",
      `${what} picks from a lockfile's groups and extras, but ${request.sourcePath} has no ` +
        `${LOCKFILES.join(", ")}${source ? ` (only ${source})` : ""}. Lock the project, or leave ${what} out.`,
      { field: what },
    );
  }
  const empty = { targetFlags: [], wheels: [], sdists: [], directories: [] };
  // Nothing to install: no Python target is needed either.
  if (source === undefined) return { ...empty, notes: [] };
  const notes: string[] = [];
  if (present.length > 1)
    notes.push(`installing from ${source}; ${present.slice(1).join(" and ")} ignored.`);
  if (request.architecture === LOCAL_ARCHITECTURE) {
    notes.push(
      'architecture "local": installing for the local Python, which may compile source distributions for ' +
        "this machine; compiled code may then not load on Lambda.",
    );
    // pip decides everything for requirements.txt: the runtime may even name no Python.
    if (source === REQUIREMENTS_TXT) return { ...empty, source, notes };
  }
  const target = pythonTarget(request.runtime, request.architecture);
  const plan: InstallPlan = {
    ...empty,
    source,
    target,
    targetFlags: pipTargetFlags(target),
    notes,
  };
  if (source === REQUIREMENTS_TXT) return plan;
  const selection = READERS[source]({ sourcePath: request.sourcePath, target, groups, extras })!;
  const locked = fromLock(selection, target, path.join(request.sourcePath, source));
  return { ...plan, ...locked, notes: [...notes, ...locked.notes] };
}

function fromLock(selection: LockSelection, target: PythonTarget, file: string) {
  const local = target.architecture === LOCAL_ARCHITECTURE;
  const wheels: string[] = [];
  const sdists: string[] = [];
  const directories: string[] = [];
  const wheelless: Wheelless[] = [];
  const unsupported: string[] = [];
  const unhashed: string[] = [];
  const indexes = new Set<string>();
  for (const pkg of selection.packages) {
    const { source } = pkg;
    if (source.kind === "directory") {
      directories.push(source.path);
      continue;
    }
    if (source.kind === "unsupported") {
      unsupported.push(`${label(pkg)} from ${source.what}`);
      continue;
    }
    if (source.index && !/^https:\/\/pypi\.org\/simple\/?$/.test(source.index))
      indexes.add(source.index);
    const hashed = source.files.filter((f) => f.hashes.length);
    if (hashed.length === 0) {
      unhashed.push(label(pkg));
      continue;
    }
    if (local) {
      wheels.push(requirementLine(pkg, hashed));
      continue;
    }
    const fitting = hashed.filter((f) => wheelFits(f.filename, target));
    const sdist = hashed.filter((f) => isSdist(f.filename));
    if (fitting.length) wheels.push(requirementLine(pkg, fitting));
    else if (sdist.length) sdists.push(requirementLine(pkg, sdist));
    else wheelless.push({ ...pkg, detail: offered(hashed.map((f) => f.filename)) });
  }
  if (unsupported.length) {
    throw new LambdaPackageError(
      "PYTHON_LOCK_UNSUPPORTED",
      `${file} locks packages from sources the python packager does not install from: ${unsupported.join("; ")}. ` +
        "Publish them to an index (a private one works: packagerEnv PIP_EXTRA_INDEX_URL), or make them path " +
        "dependencies of the project, and lock again.",
    );
  }
  if (unhashed.length) {
    throw new LambdaPackageError(
      "PYTHON_LOCK_INVALID",
      `${file} records no file hashes for ${unhashed.join(", ")}, and packages are installed from a lockfile ` +
        "only with their hashes checked (pip --require-hashes). Lock again with hashes.",
    );
  }
  if (wheelless.length) throw noWheelError(file, target, wheelless);
  const notes = [
    `${selection.lockfile}: ${selection.packages.length} package(s) for ${describeTarget(target)}` +
      (sdists.length ? `, ${sdists.length} built here from source` : "") +
      (directories.length ? `, ${directories.length} from the project's directories` : "") +
      ".",
  ];
  if (indexes.size) {
    notes.push(
      `${selection.lockfile} locks packages from ${[...indexes].join(", ")}; pip fetches them from the ` +
        "index it is configured with (packagerEnv PIP_INDEX_URL / PIP_EXTRA_INDEX_URL), checking their hashes.",
    );
  }
  return { wheels, sdists, directories, notes };
}

const label = (pkg: LockedPackage) => `${pkg.name}${pkg.version ? ` ${pkg.version}` : ""}`;

/** `name==version --hash=… --hash=…`: pip installs one of exactly these files. */
function requirementLine(
  pkg: LockedPackage,
  files: readonly { hashes: readonly string[] }[],
): string {
  const hashes = [...new Set(files.flatMap((f) => f.hashes))].map((h) => `--hash=${h}`);
  return [`${pkg.name}${pkg.version ? `==${pkg.version}` : ""}`, ...hashes].join(" ");
}

/** The platforms a package's wheels are for, to show what it has instead. */
function offered(filenames: readonly string[]): string {
  const tags = [
    ...new Set(
      filenames.flatMap(
        (f) => parseWheelName(f)?.tags.map((t) => `${t.python}-${t.abi}-${t.platform}`) ?? [],
      ),
    ),
  ];
  if (tags.length === 0) return "the lock lists no wheels";
  const shown = tags.slice(0, 6).join(", ");
  return `its wheels: ${shown}${tags.length > 6 ? `, and ${tags.length - 6} more` : ""}`;
}
