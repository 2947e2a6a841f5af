/**
 * What the python packager installs, decided before pip runs: which file of
 * the project says it (uv.lock, poetry.lock, pylock.toml in the source; the
 * uv.lock of the uv workspace it is a member of; requirements.txt; the
 * dependencies its pyproject.toml declares, in that order), the pip flags
 * for Lambda's platform, and for a lockfile every package as an exact,
 * hash-pinned requirement, a source distribution to build here, or a
 * directory of the repository to build here.
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
import { PYPROJECT, unlockedNote, unlockedRequirements } from "./unlocked";
import { isSdist, parseWheelName, wheelFits } from "./wheel";
import { noWheelError, type Wheelless } from "./wheel-errors";
import { findUvWorkspace, isInside, repositoryTop } from "./workspace";

/** The file without a lock, after the lockfiles in the order of preference. */
export const REQUIREMENTS_TXT = "requirements.txt";
export type DependencySource = LockfileName | typeof REQUIREMENTS_TXT | typeof PYPROJECT;

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
  /** That file, absolute: in the source, or the uv.lock of the workspace root above it. */
  readonly file?: string;
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
  /** Requirements pip resolves, unpinned: a pyproject.toml's dependencies when nothing locks them. */
  readonly unpinned: readonly string[];
  /**
   * What the plan was made from besides the source directory: the file, a
   * workspace root's pyproject.toml, the directories built. A change to any
   * may change the package (engine/reads/record.ts records them).
   */
  readonly reads: readonly string[];
  /** What the packager says about the plan. */
  readonly notes: readonly string[];
}

/** A file the dependencies could come from, found in the source or above it. */
interface Candidate {
  readonly source: LockfileName | typeof REQUIREMENTS_TXT;
  readonly file: string;
  /** The workspace root holding the lockfile, when it is above the source. */
  readonly lockDir?: string;
}

/** The candidates for `sourcePath`, in order of preference: its lockfiles, its workspace's uv.lock, requirements.txt. */
function candidates(sourcePath: string): Candidate[] {
  const at = (source: Candidate["source"], dir = sourcePath): Candidate[] => {
    const file = path.join(dir, source);
    return existsSync(file) ? [{ source, file, ...(dir !== sourcePath && { lockDir: dir }) }] : [];
  };
  const locks = LOCKFILES.flatMap((name) => at(name));
  // A member of a uv workspace is locked in the workspace's root.
  const workspace = locks.length ? undefined : findUvWorkspace(sourcePath);
  return [...locks, ...(workspace ? at("uv.lock", workspace.root) : []), ...at(REQUIREMENTS_TXT)];
}

const LOCAL_NOTE =
  'architecture "local": installing for the local Python, which may compile source distributions for ' +
  "this machine; compiled code may then not load on Lambda.";
const EMPTY = { targetFlags: [], wheels: [], sdists: [], directories: [], unpinned: [] };

/** The plan for `request`; throws a `LambdaPackageError` naming the file and the packages when there can be none. */
export function planInstall(request: PlanRequest): InstallPlan {
  const groups = request.groups ?? [];
  const extras = request.extras ?? [];
  const local = request.architecture === LOCAL_ARCHITECTURE;
  const present = candidates(request.sourcePath);
  const chosen = present.at(0);
  // Nothing locks the dependencies, and no requirements.txt lists them: those pyproject.toml declares.
  const declared = chosen === undefined ? fromPyproject(request, groups, extras) : undefined;
  if (declared) return declared;
  if (
    (chosen === undefined || chosen.source === REQUIREMENTS_TXT) &&
    (groups.length || extras.length)
  ) {
    const what = groups.length ? "pythonGroups" : "pythonExtras";
    throw new LambdaPackageError(
      groups.length ? "PYTHON_GROUP_UNKNOWN" : "PYTHON_EXTRA_UNKNOWN",
      (chosen
        ? `${what} picks from a lockfile's groups and extras, but ${request.sourcePath} has no ` +
          `${LOCKFILES.join(", ")} (only ${chosen.source})`
        : `${what} picks from a lockfile's or pyproject.toml's groups and extras, but ` +
          `${request.sourcePath} has no ${LOCKFILES.join(", ")} or ${PYPROJECT}`) +
        `. Lock the project, or leave ${what} out.`,
      { field: what },
    );
  }
  // Nothing to install: no Python target is needed either.
  if (chosen === undefined) return { ...EMPTY, reads: [], notes: [] };
  const { source, file } = chosen;
  const notes: string[] = [];
  if (chosen.lockDir)
    notes.push(
      `${request.sourcePath} is a member of the uv workspace in ${chosen.lockDir}: installing its packages from ${file}.`,
    );
  if (present.length > 1)
    notes.push(
      `installing from ${source}; ${present
        .slice(1)
        .map((c) => c.source)
        .join(" and ")} ignored.`,
    );
  // The workspace's definition says which directory is which member.
  const reads = [file, ...(chosen.lockDir ? [path.join(chosen.lockDir, PYPROJECT)] : [])];
  if (local) {
    notes.push(LOCAL_NOTE);
    // pip decides everything for requirements.txt: the runtime may even name no Python.
    if (source === REQUIREMENTS_TXT) return { ...EMPTY, source, file, reads, notes };
  }
  const target = pythonTarget(request.runtime, request.architecture);
  const plan: InstallPlan = {
    ...EMPTY,
    source,
    file,
    target,
    targetFlags: pipTargetFlags(target),
    reads,
    notes,
  };
  if (source === REQUIREMENTS_TXT) return plan;
  const lockDir = chosen.lockDir ?? request.sourcePath;
  const selection = READERS[source]({
    sourcePath: request.sourcePath,
    lockDir,
    target,
    groups,
    extras,
  })!;
  const locked = fromLock(selection, target, file, repositoryTop(lockDir));
  return {
    ...plan,
    ...locked,
    reads: [...reads, ...locked.directories],
    notes: [...notes, ...locked.notes],
  };
}

/**
 * The plan for the dependencies the source's pyproject.toml declares, pip to
 * resolve them; undefined when it declares none (or there is none).
 */
function fromPyproject(
  request: PlanRequest,
  groups: readonly string[],
  extras: readonly string[],
): InstallPlan | undefined {
  const local = request.architecture === LOCAL_ARCHITECTURE;
  // Asked for only when there is something to install: the runtime may name no Python otherwise.
  const target = () => (local ? undefined : pythonTarget(request.runtime, request.architecture));
  const unpinned = unlockedRequirements({ sourcePath: request.sourcePath, target, groups, extras });
  if (!unpinned?.length) return undefined;
  const file = path.join(request.sourcePath, PYPROJECT);
  const lambda = target();
  const shown = lambda ? describeTarget(lambda) : "the local Python";
  return {
    ...EMPTY,
    source: PYPROJECT,
    file,
    target: lambda,
    targetFlags: lambda ? pipTargetFlags(lambda) : [],
    unpinned,
    reads: [file],
    notes: [...(local ? [LOCAL_NOTE] : []), unlockedNote(unpinned, shown)],
  };
}

function fromLock(selection: LockSelection, target: PythonTarget, file: string, top: string) {
  const local = target.architecture === LOCAL_ARCHITECTURE;
  const wheels: string[] = [];
  const sdists: string[] = [];
  const directories: string[] = [];
  const wheelless: Wheelless[] = [];
  const unsupported: string[] = [];
  const unhashed: string[] = [];
  const outside: string[] = [];
  const indexes = new Set<string>();
  for (const pkg of selection.packages) {
    const { source } = pkg;
    if (source.kind === "directory") {
      if (isInside(source.path, top)) directories.push(source.path);
      else outside.push(`${label(pkg)} from ${source.path}`);
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
  // Built from a directory outside the repository, a package is no part of
  // the function's source: another checkout lacks it, and its key cannot see it.
  if (outside.length) {
    throw new LambdaPackageError(
      "PYTHON_SOURCE_OUTSIDE",
      `${file} installs packages from directories outside the repository (${top}): ${outside.join("; ")}. ` +
        "Move them into the repository (and lock again), or publish them to an index.",
    );
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
