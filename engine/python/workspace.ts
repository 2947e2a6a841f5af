/**
 * Where a Python project lies in its repository: the uv workspace whose root
 * above it lists it as a member (found as uv finds it: the nearest
 * `pyproject.toml` above with a `[tool.uv.workspace]` table, whose `members`
 * globs match the project and whose `exclude` globs do not), and the
 * repository's top, the boundary of what a lockfile may build from.
 */
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { isWithin } from "../../shared/paths";
import { readToml, TomlReader, type TomlTable } from "./lockfile/toml";

/** The uv workspace a project is a member of. */
export interface UvWorkspace {
  /** The root directory: its `pyproject.toml` declares the workspace, and its `uv.lock` locks it. */
  readonly root: string;
  /** The member's directory relative to the root, "/"-separated, e.g. `packages/api`. */
  readonly member: string;
}

const FIX = "Fix its [tool.uv.workspace] table.";

/**
 * The uv workspace `sourcePath` (absolute) is a member of, or undefined: it
 * has no `pyproject.toml`, or the nearest workspace root above it does not
 * list it (uv then takes it as a project of its own). The walk stops at the
 * repository's top (a directory holding `.git`), so the workspace of an
 * unrelated outer checkout is never taken.
 */
export function findUvWorkspace(sourcePath: string): UvWorkspace | undefined {
  if (!existsSync(path.join(sourcePath, "pyproject.toml"))) return undefined;
  if (existsSync(path.join(sourcePath, ".git"))) return undefined;
  for (let dir = path.dirname(sourcePath); ; dir = path.dirname(dir)) {
    const file = path.join(dir, "pyproject.toml");
    const declared = workspaceTable(file);
    if (declared) {
      const r = new TomlReader(file, FIX);
      const member = path.relative(dir, sourcePath).split(path.sep).join("/");
      const matches = (key: string) =>
        r
          .strings(declared[key], `[tool.uv.workspace] ${key}`)
          .some((glob) => globRegex(glob).test(member));
      return matches("members") && !matches("exclude") ? { root: dir, member } : undefined;
    }
    if (existsSync(path.join(dir, ".git")) || path.dirname(dir) === dir) return undefined;
  }
}

/** `[tool.uv.workspace]` of the pyproject.toml `file`, if it has one. */
function workspaceTable(file: string): TomlTable | undefined {
  const data = readToml(file, "Fix its TOML.");
  if (!data) return undefined;
  const r = new TomlReader(file, FIX);
  const uv = r.optionalTable(r.optionalTable(data.tool, "[tool]").uv, "[tool.uv]");
  return uv.workspace === undefined ? undefined : r.table(uv.workspace, "[tool.uv.workspace]");
}

/**
 * A workspace glob (`packages/*`, `libs/**`, `apps/[ab]?`) as a regular
 * expression over a "/"-separated relative path: `*` and `?` within one
 * segment, `**` across any number of them.
 */
export function globRegex(glob: string): RegExp {
  const segments = glob.split("/").filter((s) => s !== "" && s !== ".");
  let source = "";
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    // `**` takes its own "/": `a/**/b` matches `a/b` and `a/x/y/b`.
    if (segment === "**") source += last ? ".*" : "(?:[^/]+/)*";
    else source += segmentSource(segment) + (last ? "" : "/");
  });
  return new RegExp(`^${source}$`);
}

/** One segment's `*`, `?` and `[...]` (`[!...]` negated), everything else literal. */
function segmentSource(segment: string): string {
  let source = "";
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    const close = char === "[" ? segment.indexOf("]", i + 2) : -1;
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (close > 0) {
      const body = segment.slice(i + 1, close).replace(/\\/g, "\\\\");
      source += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
      i = close;
    } else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return source;
}

/**
 * The top of the repository holding `dir`: the nearest directory at or above
 * it that holds `.git`; outside a repository, `dir` itself. A lockfile builds
 * only directories inside it.
 */
export function repositoryTop(dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    if (existsSync(path.join(at, ".git"))) return at;
    if (path.dirname(at) === at) return dir;
  }
}

/** Whether `dir` lies inside `top`, through symbolic links. */
export function isInside(dir: string, top: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : path.resolve(p));
  return isWithin(real(dir), real(top));
}
