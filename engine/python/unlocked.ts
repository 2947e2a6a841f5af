/**
 * A project's dependencies declared in `pyproject.toml` with nothing locking
 * them: `[project] dependencies`, the `[project.optional-dependencies]` of
 * the extras asked for and the dependency groups asked for, as requirements
 * for pip to resolve for Lambda's platform. Only what pip resolves as the
 * project's own tool would is taken: a Poetry table of dependencies (its `^`
 * and `~` constraints, path and git tables), a uv source (`[tool.uv.sources]`,
 * a workspace member, a path) or a direct reference is an error that says how
 * to lock, never a package silently without them.
 */
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { show } from "../../shared/format";
import { projectRequirements } from "./lockfile/pyproject";
import { readToml, TomlReader, type TomlTable } from "./lockfile/toml";
import { markerHolds, MarkerSyntaxError } from "./markers";
import { normalizeName, parseRequirement, type Requirement } from "./requirement";
import { markerEnvironment, type PythonTarget } from "./target";
import { parseSpecifiers, parseVersion, satisfies } from "./version";

export const PYPROJECT = "pyproject.toml";

export interface UnlockedRequest {
  readonly sourcePath: string;
  /**
   * Lambda's platform, whose markers decide; undefined for `local`, where pip
   * decides them. Asked for only when there are requirements: a project
   * without any needs no Python runtime.
   */
  readonly target: () => PythonTarget | undefined;
  readonly groups: readonly string[];
  readonly extras: readonly string[];
}

/**
 * The requirement lines pip resolves for the project in `request.sourcePath`
 * (each `name[extras]specifier`, markers already decided on the target), or
 * undefined when it has no `pyproject.toml` declaring dependencies.
 */
export function unlockedRequirements(request: UnlockedRequest): string[] | undefined {
  const file = path.join(request.sourcePath, PYPROJECT);
  const data = readToml(file, "Fix its TOML.");
  if (!data) return undefined;
  const r = new TomlReader(file, "Fix it.");
  refusePoetryDependencies(r, data, request);
  if (data.project === undefined && data["dependency-groups"] === undefined) {
    if (!request.groups.length && !request.extras.length) return undefined;
  }
  const project = r.optionalTable(data.project, "[project]");
  const declared = projectRequirements(data, r);
  if (declared.dependencies === undefined) {
    throw new LambdaPackageError(
      "PYTHON_LOCK_MISSING",
      `${file} declares its dependencies dynamic ([project] dynamic), which only its build backend ` +
        `computes, and ${request.sourcePath} has no lockfile or requirements.txt saying what they are. ` +
        "Lock the project (`uv lock`), or write them in a requirements.txt.",
      { field: "sourcePath" },
    );
  }
  checkSelection(file, declared, request);
  const own =
    project.name === undefined
      ? undefined
      : normalizeName(r.string(project.name, "[project] name"));
  const texts = [
    ...declared.dependencies.map((text) => ({ text, what: "[project] dependencies" })),
    ...request.extras.flatMap((extra) => extraRequirements(declared.optional, extra)),
    ...request.groups.flatMap((group) =>
      declared.groups[normalizeName(group)].map((text) => ({
        text,
        what: `dependency group ${group}`,
      })),
    ),
  ];
  if (texts.length === 0) return [];
  const target = request.target();
  if (target) checkRequiresPython(r, project, target);
  const sources = uvSources(r, data);
  const lines: string[] = [];
  const seenExtras = new Set(request.extras.map(normalizeName));
  for (let i = 0; i < texts.length; i++) {
    const { text, what } = texts[i];
    const requirement = parseRequirement(text);
    if (!requirement) {
      throw new LambdaPackageError(
        "PYTHON_LOCK_INVALID",
        `${file}: ${show(text)} in ${what} is not a PEP 508 requirement. Fix it.`,
      );
    }
    if (!holds(file, requirement, target, request)) continue;
    // `app[extra]` in app's own lists means app's extra: its requirements, not a package to fetch.
    if (own !== undefined && normalizeName(requirement.name) === own) {
      for (const extra of requirement.extras.filter((e) => !seenExtras.has(e))) {
        seenExtras.add(extra);
        texts.push(...extraRequirements(declared.optional, extra));
      }
      continue;
    }
    refuseSourced(file, requirement, what, sources);
    const line = target ? withoutMarker(requirement) : text.trim();
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

/** The note that says the requirements were resolved, not locked, and how to lock them. */
export function unlockedNote(requirements: readonly string[], target: string): string {
  const shown = requirements.slice(0, 5).join(", ") + (requirements.length > 5 ? ", …" : "");
  return (
    `${PYPROJECT}: no lockfile, so its ${requirements.length} requirement(s) (${shown}) are resolved ` +
    `unpinned by pip for ${target}: each build may install newer versions. Lock them (\`uv lock\`, ` +
    "`poetry lock`, or a requirements.txt of exact versions) to install the same versions every time."
  );
}

function extraRequirements(
  optional: Readonly<Record<string, readonly string[]>>,
  extra: string,
): { text: string; what: string }[] {
  return (optional[normalizeName(extra)] ?? []).map((text) => ({
    text,
    what: `[project.optional-dependencies] ${extra}`,
  }));
}

/**
 * Poetry's own dependency tables (`[tool.poetry.dependencies]` beyond
 * `python`, and the groups asked for) use Poetry's constraint language and
 * sources, which only Poetry resolves faithfully: without poetry.lock they are
 * an error, not a guess.
 */
function refusePoetryDependencies(r: TomlReader, data: TomlTable, request: UnlockedRequest) {
  const poetry = r.optionalTable(r.optionalTable(data.tool, "[tool]").poetry, "[tool.poetry]");
  const names = (table: unknown, where: string) =>
    Object.keys(r.optionalTable(table, where)).filter((name) => normalizeName(name) !== "python");
  const groups = r.optionalTable(poetry.group, "[tool.poetry.group]");
  const asked = request.groups.map(normalizeName);
  const declared = [
    ...names(poetry.dependencies, "[tool.poetry.dependencies]"),
    ...Object.keys(groups)
      .filter((group) => asked.includes(normalizeName(group)))
      .flatMap((group) =>
        names(
          r.optionalTable(groups[group], `[tool.poetry.group.${group}]`).dependencies,
          `[tool.poetry.group.${group}.dependencies]`,
        ),
      ),
    ...(asked.includes("dev")
      ? names(poetry["dev-dependencies"], "[tool.poetry.dev-dependencies]")
      : []),
  ];
  if (declared.length === 0) return;
  throw new LambdaPackageError(
    "PYTHON_LOCK_MISSING",
    `${r.file} declares Poetry dependencies (${declared.join(", ")}) and ${request.sourcePath} has no ` +
      "poetry.lock: Poetry's constraints and sources are resolved by Poetry, and the package would " +
      `otherwise go without them. Run \`poetry lock\` in ${request.sourcePath} and commit poetry.lock.`,
    { field: "sourcePath" },
  );
}

/** The names `[tool.uv.sources]` takes from elsewhere than an index, normalized. */
function uvSources(r: TomlReader, data: TomlTable): Set<string> {
  const uv = r.optionalTable(r.optionalTable(data.tool, "[tool]").uv, "[tool.uv]");
  return new Set(Object.keys(r.optionalTable(uv.sources, "[tool.uv.sources]")).map(normalizeName));
}

function refuseSourced(file: string, requirement: Requirement, what: string, sources: Set<string>) {
  const from = sources.has(normalizeName(requirement.name))
    ? "[tool.uv.sources] (a workspace member, a path, git or a URL), which only uv resolves"
    : requirement.url
      ? `a direct reference (${show(requirement.url)}), which is not resolved from an index`
      : undefined;
  if (!from) return;
  throw new LambdaPackageError(
    "PYTHON_LOCK_MISSING",
    `${file}: ${requirement.name} in ${what} comes from ${from}, and ${path.dirname(file)} has no ` +
      "lockfile. Run `uv lock` (in the workspace's root for a member) and commit uv.lock.",
    { field: "sourcePath" },
  );
}

function holds(
  file: string,
  requirement: Requirement,
  target: PythonTarget | undefined,
  request: UnlockedRequest,
): boolean {
  // For "local" the local pip decides the markers, as for requirements.txt.
  if (!target || requirement.marker === undefined) return true;
  try {
    return markerHolds(
      requirement.marker,
      markerEnvironment(target, request.extras, request.groups),
    );
  } catch (error) {
    if (!(error instanceof MarkerSyntaxError)) throw error;
    throw new LambdaPackageError(
      "PYTHON_LOCK_INVALID",
      `${file}: the marker ${show(requirement.marker)} of ${requirement.name} cannot be read (${error.message}). Fix it.`,
    );
  }
}

/** `name[extras]specifier`: the marker held on Lambda's platform, so pip (which evaluates it on this machine) does not see it. */
function withoutMarker(requirement: Requirement): string {
  const extras = requirement.extras.length ? `[${requirement.extras.join(",")}]` : "";
  return `${requirement.name}${extras}${requirement.specifier.replace(/\s+/g, "")}`;
}

function checkSelection(
  file: string,
  declared: ReturnType<typeof projectRequirements>,
  request: UnlockedRequest,
) {
  const available = (known: string[]) => (known.length ? known.sort().join(", ") : "none");
  const badExtras = request.extras.filter((e) => !(normalizeName(e) in declared.optional));
  if (badExtras.length) {
    throw new LambdaPackageError(
      "PYTHON_EXTRA_UNKNOWN",
      `pythonExtras asks for ${badExtras.join(", ")}, which ${file} does not declare in ` +
        `[project.optional-dependencies] (it has: ${available(Object.keys(declared.optional))}). ` +
        "Fix pythonExtras, or declare the extra.",
      { field: "pythonExtras" },
    );
  }
  const badGroups = request.groups.filter((g) => !(normalizeName(g) in declared.groups));
  if (badGroups.length) {
    throw new LambdaPackageError(
      "PYTHON_GROUP_UNKNOWN",
      `pythonGroups asks for ${badGroups.join(", ")}, which ${file} does not declare in ` +
        `[dependency-groups] (it has: ${available(Object.keys(declared.groups))}). ` +
        "Fix pythonGroups, or declare the group.",
      { field: "pythonGroups" },
    );
  }
}

function checkRequiresPython(r: TomlReader, project: TomlTable, target: PythonTarget) {
  const requires = r.optionalString(project["requires-python"], "[project] requires-python");
  const specifiers = requires === undefined ? undefined : parseSpecifiers(requires);
  if (!specifiers || satisfies(parseVersion(`${target.python.join(".")}.0`)!, specifiers)) return;
  throw new LambdaPackageError(
    "PYTHON_VERSION_MISMATCH",
    `${r.file} asks for Python ${requires}, which ${target.runtime} is not. Set runtime to a Python ` +
      "it allows, or change requires-python.",
    { field: "runtime" },
  );
}
