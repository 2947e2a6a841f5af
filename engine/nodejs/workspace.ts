/**
 * Workspaces: finding the root a package belongs to and its members, as npm,
 * pnpm and yarn declare them (package.json `workspaces`, pnpm-workspace.yaml
 * `packages`), and the members a package depends on for production.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { productionDependencies, readPackageJson, type PackageJson } from "./manifest";

/** One package of a workspace. */
export interface WorkspaceMember {
  /** Its package name, e.g. `@acme/util`. */
  readonly name: string;
  /** Absolute directory. */
  readonly dir: string;
  readonly manifest: PackageJson;
}

/** A workspace: its root directory and every member its patterns match. */
export interface Workspace {
  readonly root: string;
  readonly members: readonly WorkspaceMember[];
}

/** Never workspace members, and never worth walking into. */
const SKIPPED_DIRS = new Set(["node_modules", ".git"]);

/**
 * The workspace patterns declared in `dir`: pnpm-workspace.yaml's `packages`,
 * else package.json's `workspaces`; undefined when `dir` declares none.
 */
export function workspacePatterns(dir: string): string[] | undefined {
  const pnpm = path.join(dir, "pnpm-workspace.yaml");
  if (existsSync(pnpm)) {
    const patterns = yamlPackages(readFileSync(pnpm, "utf8"));
    if (patterns !== undefined) return patterns;
  }
  const workspaces = readPackageJson(dir)?.workspaces;
  if (Array.isArray(workspaces)) return [...(workspaces as string[])];
  if (workspaces && Array.isArray((workspaces as { packages?: unknown }).packages))
    return [...(workspaces as { packages: string[] }).packages];
  return undefined;
}

/**
 * The workspace `packageDir` is a member of: the nearest directory above it
 * whose patterns match it. The walk stops at a git work tree's top, so a
 * workspace of an unrelated outer checkout is never taken.
 */
export function findWorkspace(packageDir: string): Workspace | undefined {
  for (let dir = path.dirname(packageDir); ; dir = path.dirname(dir)) {
    const patterns = workspacePatterns(dir);
    if (patterns !== undefined) {
      const members = expandMembers(dir, patterns);
      if (members.some((member) => member.dir === packageDir)) return { root: dir, members };
    }
    if (existsSync(path.join(dir, ".git")) || path.dirname(dir) === dir) return undefined;
  }
}

/** The members `patterns` match under `root`: directories with a package.json and a name. */
export function expandMembers(root: string, patterns: readonly string[]): WorkspaceMember[] {
  const take = (list: readonly string[]) =>
    new Set(list.flatMap((pattern) => matchDirs(root, normalizePattern(pattern))));
  const included = take(patterns.filter((p) => !p.startsWith("!")));
  const excluded = take(patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1)));
  const members: WorkspaceMember[] = [];
  for (const dir of [...included].sort()) {
    if (excluded.has(dir)) continue;
    const manifest = readPackageJson(dir);
    if (manifest?.name) members.push({ name: manifest.name, dir, manifest });
  }
  return members;
}

/**
 * The members `member` needs at run time: those its production dependencies
 * name, and theirs, transitively (itself not included).
 */
export function productionSiblings(
  workspace: Workspace,
  member: WorkspaceMember,
): WorkspaceMember[] {
  const byName = new Map(workspace.members.map((m) => [m.name, m]));
  const found = new Map<string, WorkspaceMember>();
  const visit = (from: WorkspaceMember) => {
    for (const name of productionDependencies(from.manifest)) {
      const sibling = byName.get(name);
      if (!sibling || sibling === member || found.has(name)) continue;
      found.set(name, sibling);
      visit(sibling);
    }
  };
  visit(member);
  return [...found.values()];
}

function normalizePattern(pattern: string): string[] {
  return pattern
    .replace(/\/+$/, "")
    .split("/")
    .filter((part) => part !== "" && part !== ".");
}

/** The directories under `dir` that the pattern's segments match; `**` matches any depth. */
function matchDirs(dir: string, segments: readonly string[]): string[] {
  if (segments.length === 0) return [dir];
  const [segment, ...rest] = segments;
  if (segment === "**") {
    return [...matchDirs(dir, rest), ...subdirs(dir).flatMap((sub) => matchDirs(sub, segments))];
  }
  if (!/[*?[]/.test(segment)) {
    const next = path.join(dir, segment);
    return existsSync(next) ? matchDirs(next, rest) : [];
  }
  const regex = segmentRegex(segment);
  return subdirs(dir)
    .filter((sub) => regex.test(path.basename(sub)))
    .flatMap((sub) => matchDirs(sub, rest));
}

function subdirs(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith("."))
    .map((e) => path.join(dir, e.name));
}

/** One path segment's glob (`*`, `?`, `[abc]`) as a regular expression. */
function segmentRegex(segment: string): RegExp {
  let source = "";
  for (const char of segment) {
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "[" || char === "]") source += char;
    else source += char.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/**
 * The `packages` list of a pnpm-workspace.yaml, in block (`- glob`) or flow
 * (`[a, b]`) style; undefined when there is none (a pnpm-workspace.yaml may
 * hold only settings). Only this key is read: pnpm itself reads the rest.
 */
export function yamlPackages(text: string): string[] | undefined {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((line) => /^packages\s*:/.test(line));
  if (at < 0) return undefined;
  const scalar = (raw: string) =>
    raw
      .replace(/\s+#.*$/, "")
      .trim()
      .replace(/^(['"])(.*)\1$/, "$2");
  const rest = lines[at].replace(/^packages\s*:/, "").trim();
  if (rest.startsWith("[")) {
    return rest
      .replace(/^\[|\].*$/g, "")
      .split(",")
      .map(scalar)
      .filter((item) => item !== "");
  }
  const items: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const item = /^\s+-\s+(.*)$/.exec(line);
    if (!item) break;
    items.push(scalar(item[1]));
  }
  return items;
}
