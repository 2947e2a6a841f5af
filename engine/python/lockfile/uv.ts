/**
 * uv.lock (https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile):
 * one `[[package]]` per locked distribution, with its source, files and
 * hashes, and its dependencies by name with the markers under which they
 * apply. What to install is what uv would install: from the project (the
 * package whose source is the project directory, or every workspace member
 * when the workspace root is no project), through its dependencies, the
 * extras and groups asked for, and their dependencies, wherever the markers
 * hold on the target. For a workspace member locked at the root above it
 * (`lockDir`), the project is that member's package, as `uv sync --package`
 * would take it: the root's other members are not reached unless it depends
 * on them.
 */
import path from "node:path";
import { LambdaPackageError } from "../../../shared/errors";
import { show } from "../../../shared/format";
import { markerHolds, MarkerSyntaxError, type MarkerEnvironment } from "../markers";
import { normalizeName, parseRequirement, requirementKey, type Requirement } from "../requirement";
import { markerEnvironment } from "../target";
import { parseSpecifiers, parseVersion, satisfies } from "../version";
import {
  fileName,
  type LockedFile,
  type LockedPackage,
  type LockedSource,
  type LockRequest,
  type LockSelection,
} from "./model";
import { projectRequirements } from "./pyproject";
import { readToml, TomlReader, type TomlTable } from "./toml";

const FIX = "Regenerate it with `uv lock`.";
/** The uv.lock format versions this reader understands. */
const VERSIONS = [1];

/** An edge of the lock: a dependency by name, maybe pinned to one version or source. */
interface Edge {
  readonly name: string;
  readonly version?: string;
  readonly source?: string;
  readonly extras: readonly string[];
  readonly marker?: string;
}

interface Entry {
  readonly name: string;
  readonly version?: string;
  /** The raw source table, e.g. `{ registry = "…" }`, and its JSON for comparing. */
  readonly source: TomlTable;
  readonly sourceKey: string;
  readonly files: LockedFile[];
  readonly dependencies: Edge[];
  readonly optional: Map<string, Edge[]>;
  readonly groups: Map<string, Edge[]>;
  readonly metadata: TomlTable;
  /** `resolution-markers`: where a name is locked more than once, the environments of this one. */
  readonly forks: readonly string[];
}

/** The packages uv.lock in `request.lockDir` (else `request.sourcePath`) pins for the request; undefined without one. */
export function readUvLock(request: LockRequest): LockSelection | undefined {
  const lockDir = request.lockDir ?? request.sourcePath;
  const file = path.join(lockDir, "uv.lock");
  const data = readToml(file, FIX);
  if (!data) return undefined;
  const r = new TomlReader(file, FIX);
  const version = Number(data.version);
  if (!VERSIONS.includes(version)) {
    throw new LambdaPackageError(
      "PYTHON_LOCK_UNSUPPORTED",
      `${file} is uv.lock version ${String(data.version)}; lambda-package reads version ` +
        `${VERSIONS.join(", ")}. Lock with a uv that writes it, or export a requirements.txt ` +
        "(`uv export --no-dev -o requirements.txt`) and remove uv.lock from the source.",
    );
  }
  checkRequiresPython(r, r.optionalString(data["requires-python"], "requires-python"), request);
  const entries = r.tables(data.package, "[[package]]").map((p, i) => entry(r, p, i));
  const member = memberPath(lockDir, request.sourcePath);
  const roots = rootsOf(r, entries, data, member, request.sourcePath);
  const env = markerEnvironment(request.target, request.extras, request.groups);
  checkSelection(r, roots, request);
  const reached = walk(r, entries, roots, request, env);
  // Only the projects installed are compared with their pyproject.toml: a
  // change to another member of the workspace does not make this one stale.
  checkFresh(r, reached, lockDir, request);
  return {
    lockfile: "uv.lock",
    packages: reached
      .filter((e) => !isProject(e, member))
      .flatMap((e) => lockedPackage(e, lockDir) ?? []),
  };
}

/** `sourcePath` relative to the lock's directory, "/"-separated: "." for the lock's own project. */
function memberPath(lockDir: string, sourcePath: string): string {
  return path.posix.normalize(path.relative(lockDir, sourcePath).split(path.sep).join("/") || ".");
}

function entry(r: TomlReader, p: TomlTable, i: number): Entry {
  const where = `[[package]] #${i + 1}`;
  const name = r.name(p.name, `${where} name`);
  const at = `package ${name}`;
  const source = r.table(p.source, `${at}: source`);
  // Its values name where the package comes from in messages (`git (…)`), and its directory is built.
  for (const [key, value] of Object.entries(source))
    if (typeof value === "string") r.text(value, `${at}: source.${key}`);
  const edges = (list: unknown, what: string): Edge[] =>
    r.tables(list, `${at}: ${what}`).map((d, j) => ({
      name: r.name(d.name, `${at}: ${what}[${j}] name`),
      version: r.optionalVersion(d.version, `${at}: ${what}[${j}] version`),
      source: d.source === undefined ? undefined : JSON.stringify(d.source),
      extras: r.names(d.extra, `${at}: ${what}[${j}] extra`).map(normalizeName),
      marker: r.optionalString(d.marker, `${at}: ${what}[${j}] marker`),
    }));
  const byName = (table: unknown, what: string) => {
    const lists = r.optionalTable(table, `${at}: ${what}`);
    return new Map(
      r
        .nameKeys(lists, `${at}: ${what}`)
        .map((key) => [normalizeName(key), edges(lists[key], `${what}.${key}`)]),
    );
  };
  const files: LockedFile[] = [];
  if (p.sdist !== undefined)
    files.push(lockedFile(r, r.table(p.sdist, `${at}: sdist`), `${at}: sdist`));
  r.tables(p.wheels, `${at}: wheels`).forEach((w, j) =>
    files.push(lockedFile(r, w, `${at}: wheels[${j}]`)),
  );
  return {
    name,
    version: r.optionalVersion(p.version, `${at}: version`),
    source,
    sourceKey: JSON.stringify(source),
    files,
    dependencies: edges(p.dependencies, "dependencies"),
    optional: byName(p["optional-dependencies"], "optional-dependencies"),
    // uv wrote `dev-dependencies` before it named them dependency groups.
    groups: byName(p["dev-dependencies"] ?? p["dependency-groups"], "dev-dependencies"),
    metadata: r.optionalTable(p.metadata, `${at}: metadata`),
    forks: r.strings(p["resolution-markers"], `${at}: resolution-markers`),
  };
}

function lockedFile(r: TomlReader, f: TomlTable, where: string): LockedFile {
  const location = r.optionalString(f.url ?? f.path ?? f.filename, `${where} url`);
  if (location === undefined) r.fail(where, "has no url, path or filename");
  const hash = f.hash === undefined ? undefined : r.hash(f.hash, `${where} hash`);
  return {
    filename: r.text(fileName(location), `${where} file name`),
    hashes: hash ? [hash] : [],
  };
}

/** The directory a source table points into the project, if it does: `{ editable = "packages/lib" }`. */
function projectDirectory(source: TomlTable): string | undefined {
  const dir = source.editable ?? source.virtual ?? source.directory;
  return typeof dir === "string" ? dir : undefined;
}

/** Whether `e` is the project in `member` (a path relative to the lock, "." for its own directory). */
const isProject = (e: Entry, member: string) => {
  const dir = projectDirectory(e.source);
  return dir !== undefined && path.posix.normalize(dir) === member;
};

/** Where the walk starts: the project itself, else (a workspace root that is no project) every member. */
function rootsOf(
  r: TomlReader,
  entries: Entry[],
  data: TomlTable,
  member: string,
  sourcePath: string,
): Entry[] {
  const project = entries.filter((e) => isProject(e, member));
  if (project.length) return project;
  if (member !== ".") {
    throw new LambdaPackageError(
      "PYTHON_LOCK_STALE",
      `${r.file} locks no package in ${member} (a [[package]] with source = { editable = "${member}" } ` +
        `or { virtual = "${member}" }), though the workspace's pyproject.toml lists ${sourcePath} as a ` +
        `member: the lock is older than the member. Run \`uv lock\` in ${path.dirname(r.file)} and commit uv.lock.`,
    );
  }
  const manifest = r.optionalTable(data.manifest, "[manifest]");
  const members = new Set(r.names(manifest.members, "[manifest] members").map(normalizeName));
  const roots = entries.filter(
    (e) => members.has(normalizeName(e.name)) && projectDirectory(e.source),
  );
  if (roots.length) return roots;
  throw new LambdaPackageError(
    "PYTHON_LOCK_INVALID",
    `${r.file} locks no package for the project in ${sourcePath} (a [[package]] with ` +
      `source = { editable = "." } or { virtual = "." }) and no workspace members. ` +
      `Run \`uv lock\` in ${sourcePath}, the directory of the function's pyproject.toml.`,
  );
}

function checkRequiresPython(r: TomlReader, requires: string | undefined, request: LockRequest) {
  if (requires === undefined) return;
  const specifiers = parseSpecifiers(requires);
  const python = parseVersion(`${request.target.python.join(".")}.0`)!;
  if (specifiers && !satisfies(python, specifiers)) {
    throw new LambdaPackageError(
      "PYTHON_VERSION_MISMATCH",
      `${r.file} is locked for Python ${requires}, which ${request.target.runtime} is not. ` +
        "Set runtime to a Python the lock allows, or change requires-python in pyproject.toml and run `uv lock`.",
      { field: "runtime" },
    );
  }
}

/**
 * uv.lock records what each project of the workspace asked for when it was
 * locked (`[package.metadata] requires-dist`, `requires-dev`); a project whose
 * pyproject.toml asks for something else was changed since. Compared as
 * name, extras and version specifiers (markers are rewritten by uv).
 */
function checkFresh(r: TomlReader, entries: Entry[], lockDir: string, request: LockRequest) {
  for (const e of entries) {
    const dir = projectDirectory(e.source);
    if (dir === undefined) continue;
    const file = path.join(lockDir, dir, "pyproject.toml");
    const pyproject = readToml(file, "Fix its TOML.");
    if (!pyproject?.project) continue;
    const declared = projectRequirements(pyproject, new TomlReader(file, "Fix it."));
    const at = `package ${e.name}: metadata`;
    const locked = (list: unknown, what: string): Requirement[] =>
      r.tables(list, `${at}.${what}`).map((q, i) => {
        const where = `${at}.${what}[${i}]`;
        // A requirement uv took from elsewhere than an index (a workspace
        // member, git, a path or URL) is compared by name: uv records its
        // source its own way.
        const sourced = ["editable", "directory", "path", "git", "url", "virtual"].some(
          (k) => k in q,
        );
        return {
          name: r.name(q.name, `${where} name`),
          extras: r.names(q.extras, `${where} extras`).map(normalizeName),
          specifier: r.optionalString(q.specifier, `${where} specifier`) ?? "",
          ...(sourced && { url: "(source)" }),
        };
      });
    if (declared.dependencies) {
      const asked = [...declared.dependencies, ...Object.values(declared.optional).flat()];
      compare(
        r,
        file,
        "[project] dependencies and optional-dependencies",
        asked,
        locked(e.metadata["requires-dist"], "requires-dist"),
      );
    }
    const requiresDev = r.optionalTable(e.metadata["requires-dev"], `${at}.requires-dev`);
    for (const group of request.groups.map(normalizeName)) {
      const lockedGroup = Object.entries(requiresDev).find(
        ([name]) => normalizeName(name) === group,
      );
      if (!lockedGroup || !declared.groups[group]) continue;
      compare(
        r,
        file,
        `dependency group ${group}`,
        declared.groups[group],
        locked(lockedGroup[1], `requires-dev.${group}`),
      );
    }
  }
}

function compare(
  r: TomlReader,
  pyproject: string,
  what: string,
  asked: readonly string[],
  locked: readonly Requirement[],
) {
  const sourced = new Set(locked.filter((q) => q.url).map((q) => normalizeName(q.name)));
  const keys = new Set(
    asked.map((text) => {
      const requirement = parseRequirement(text);
      if (!requirement) {
        throw new LambdaPackageError(
          "PYTHON_LOCK_INVALID",
          `${pyproject}: "${text}" in ${what} is not a PEP 508 requirement. Fix it, then run \`uv lock\`.`,
        );
      }
      return keyOf(requirement, sourced);
    }),
  );
  const lockedKeys = new Set(locked.map((q) => keyOf(q, sourced)));
  const added = [...keys].filter((k) => !lockedKeys.has(k));
  const removed = [...lockedKeys].filter((k) => !keys.has(k));
  if (!added.length && !removed.length) return;
  const list = (items: string[]) => items.sort().join(", ");
  throw new LambdaPackageError(
    "PYTHON_LOCK_STALE",
    `${r.file} is out of date with ${pyproject}: its ${what} ` +
      [
        added.length && `ask for ${list(added)}, which the lock does not have`,
        removed.length && `no longer ask for ${list(removed)}, which the lock has`,
      ]
        .filter(Boolean)
        .join(", and ") +
      `. Run \`uv lock\` in ${path.dirname(r.file)} and commit uv.lock.`,
  );
}

/** The requirement's key; by name and extras only for those the lock took from elsewhere than an index. */
function keyOf(requirement: Requirement, sourced: ReadonlySet<string>): string {
  const byName = sourced.has(normalizeName(requirement.name));
  return requirementKey(byName ? { ...requirement, specifier: "", url: undefined } : requirement);
}

function checkSelection(r: TomlReader, roots: Entry[], request: LockRequest) {
  const extras = new Set(
    roots.flatMap((e) => [
      ...e.optional.keys(),
      ...r
        .names(e.metadata["provides-extras"], `package ${e.name}: provides-extras`)
        .map(normalizeName),
    ]),
  );
  const groups = new Set(roots.flatMap((e) => [...e.groups.keys()]));
  const unknown = (asked: readonly string[], known: Set<string>) =>
    asked.filter((name) => !known.has(normalizeName(name)));
  const project = roots.map((e) => e.name).join(", ");
  const available = (known: Set<string>) => (known.size ? [...known].sort().join(", ") : "none");
  const badExtras = unknown(request.extras, extras);
  if (badExtras.length) {
    throw new LambdaPackageError(
      "PYTHON_EXTRA_UNKNOWN",
      `pythonExtras asks for ${badExtras.join(", ")}, which ${project} in ${r.file} does not provide ` +
        `(it has: ${available(extras)}). Fix pythonExtras, or add the extra to pyproject.toml and run \`uv lock\`.`,
      { field: "pythonExtras" },
    );
  }
  const badGroups = unknown(request.groups, groups);
  if (badGroups.length) {
    throw new LambdaPackageError(
      "PYTHON_GROUP_UNKNOWN",
      `pythonGroups asks for ${badGroups.join(", ")}, which ${project} in ${r.file} does not have ` +
        `(it has: ${available(groups)}). Fix pythonGroups, or add the group to pyproject.toml and run \`uv lock\`.`,
      { field: "pythonGroups" },
    );
  }
}

/** Every package reachable from the roots on the target, in lock order. */
function walk(
  r: TomlReader,
  entries: Entry[],
  roots: Entry[],
  request: LockRequest,
  env: MarkerEnvironment,
): Entry[] {
  const byName = new Map<string, Entry[]>();
  for (const e of entries)
    byName.set(normalizeName(e.name), [...(byName.get(normalizeName(e.name)) ?? []), e]);
  const reached = new Set<Entry>(roots);
  const seen = new Set<string>();
  const queue: [Entry, Edge[]][] = [];
  const visit = (from: Entry, edge: Edge) => {
    if (!holds(r, from, edge.marker, env)) return;
    const to = resolve(r, byName, from, edge, env);
    reached.add(to);
    for (const part of [undefined, ...edge.extras]) {
      const key = `${to.sourceKey}|${to.name}|${to.version}|${part ?? ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push([to, part === undefined ? to.dependencies : (to.optional.get(part) ?? [])]);
    }
  };
  for (const root of roots) {
    queue.push([root, root.dependencies]);
    for (const extra of request.extras)
      queue.push([root, root.optional.get(normalizeName(extra)) ?? []]);
    for (const group of request.groups)
      queue.push([root, root.groups.get(normalizeName(group)) ?? []]);
  }
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [from, edges] = next;
    for (const edge of edges) visit(from, edge);
  }
  return entries.filter((e) => reached.has(e));
}

function holds(
  r: TomlReader,
  from: Entry,
  marker: string | undefined,
  env: MarkerEnvironment,
): boolean {
  try {
    // Extras in a dependency's marker are not the project's: uv gives each
    // extra its own table, so none are set here.
    return markerHolds(marker, { ...env, extras: new Set() });
  } catch (error) {
    if (!(error instanceof MarkerSyntaxError)) throw error;
    return r.fail(
      `package ${from.name}: the marker ${show(marker)}`,
      `cannot be read (${error.message})`,
    );
  }
}

/** The package an edge points to: by name, and by version and source when the lock has several. */
function resolve(
  r: TomlReader,
  byName: Map<string, Entry[]>,
  from: Entry,
  edge: Edge,
  env: MarkerEnvironment,
): Entry {
  const candidates = (byName.get(normalizeName(edge.name)) ?? []).filter(
    (e) =>
      (edge.version === undefined || e.version === edge.version) &&
      (edge.source === undefined || e.sourceKey === edge.source),
  );
  if (candidates.length === 1) return candidates[0];
  // A forked resolution locks a name more than once, each for its environments.
  const forTarget = candidates.find(
    (e) => e.forks.length === 0 || e.forks.some((m) => holds(r, e, m, env)),
  );
  if (forTarget) return forTarget;
  return r.fail(
    `package ${from.name}`,
    `depends on ${edge.name}${edge.version ? ` ${edge.version}` : ""}, which the lock does not have`,
  );
}

/** The package to install for `e`; its directory, if it has one, is relative to `lockDir`. */
function lockedPackage(e: Entry, lockDir: string): LockedPackage | undefined {
  const base = { name: e.name, version: e.version };
  const s = e.source;
  let source: LockedSource;
  if (typeof s.registry === "string") source = { kind: "index", index: s.registry, files: e.files };
  else if (typeof s.virtual === "string")
    return undefined; // No build system: nothing to install but its dependencies.
  else if (projectDirectory(s) !== undefined)
    source = { kind: "directory", path: path.resolve(lockDir, projectDirectory(s)!) };
  else if (typeof s.git === "string") source = { kind: "unsupported", what: `git (${s.git})` };
  else if (typeof s.url === "string") source = { kind: "unsupported", what: `a URL (${s.url})` };
  else if (typeof s.path === "string") source = { kind: "unsupported", what: `a file (${s.path})` };
  else source = { kind: "unsupported", what: JSON.stringify(s) };
  return { ...base, source };
}
