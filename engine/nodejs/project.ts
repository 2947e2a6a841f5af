/**
 * What a Node.js source is, as far as installing its dependencies goes: the
 * package manager its lockfile picks (and the version `packageManager` pins),
 * and the workspace it is a member of, if any.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { readPackageJson, type PackageJson } from "./manifest";
import { findWorkspace, type Workspace, type WorkspaceMember } from "./workspace";

/** The tools, yarn split by its two incompatible lines. */
export type PackageManager = "npm" | "pnpm" | "yarn-classic" | "yarn-berry";

/** Each lockfile, and the package manager it belongs to. */
export const LOCKFILES = {
  "package-lock.json": "npm",
  "npm-shrinkwrap.json": "npm",
  "pnpm-lock.yaml": "pnpm",
  "yarn.lock": "yarn",
} as const;

export type Lockfile = keyof typeof LOCKFILES;

/** A version `packageManager` pins, e.g. `pnpm@10.4.1`. */
export interface PinnedTool {
  readonly name: "npm" | "pnpm" | "yarn";
  readonly version: string;
}

export interface NodeProject {
  /** The package to install for: the source directory. */
  readonly dir: string;
  readonly manifest: PackageJson;
  /** Where the lockfile and the tool's settings are: the workspace root, or `dir`. */
  readonly root: string;
  readonly manager: PackageManager;
  /** The lockfile's name in `root`; none means resolving afresh (npm install). */
  readonly lockfile?: Lockfile;
  /** What `packageManager` of the root's package.json pins, when it is set. */
  readonly pinned?: PinnedTool;
  /** The workspace `dir` is a member of (then `root` is its root), when it is one. */
  readonly workspace?: Workspace & { readonly member: WorkspaceMember };
}

/**
 * Reads the project at `dir`, which must hold a package.json. A lockfile in
 * `dir` makes it a project of its own; otherwise a workspace above it that
 * lists it makes it a member, with the root's lockfile. The lockfile picks
 * the tool; `packageManager` may pin its version but not name another one.
 */
export function readProject(dir: string, manifest: PackageJson): NodeProject {
  const own = lockfileIn(dir);
  const workspace = own === undefined ? findWorkspace(dir) : undefined;
  const member = workspace?.members.find((m) => m.dir === dir);
  const root = workspace && member ? workspace.root : dir;
  const lockfile = own ?? lockfileIn(root);
  const rootManifest = root === dir ? manifest : (readPackageJson(root) ?? {});
  const pinned = parsePackageManager(rootManifest.packageManager, root);
  const manager = managerOf(root, lockfile, pinned);
  if (pinned && lockfile && pinned.name !== manager.split("-")[0]) {
    throw new LambdaPackageError(
      "PACKAGE_MANAGER_INVALID",
      `${path.join(root, "package.json")} says "packageManager": "${rootManifest.packageManager}", ` +
        `but the lockfile is ${lockfile}, which is ${manager}'s. The lockfile picks the tool: ` +
        `change packageManager to ${manager.split("-")[0]}@<version>, or remove the stale lockfile.`,
    );
  }
  return {
    dir,
    manifest,
    root,
    manager,
    lockfile,
    pinned,
    workspace: workspace && member ? { ...workspace, member } : undefined,
  };
}

/** The one lockfile in `dir`; two of different tools is an error, since either could be stale. */
function lockfileIn(dir: string): Lockfile | undefined {
  const found = (Object.keys(LOCKFILES) as Lockfile[]).filter((name) =>
    existsSync(path.join(dir, name)),
  );
  const tools = new Set(found.map((name) => LOCKFILES[name]));
  if (tools.size > 1) {
    throw new LambdaPackageError(
      "LOCKFILE_AMBIGUOUS",
      `${dir} has lockfiles of more than one package manager (${found.join(", ")}), and the ` +
        `lockfile is what picks the tool. Delete the one(s) you do not use.`,
    );
  }
  return found[0];
}

function managerOf(
  root: string,
  lockfile: Lockfile | undefined,
  pinned: PinnedTool | undefined,
): PackageManager {
  const tool = lockfile ? LOCKFILES[lockfile] : (pinned?.name ?? "npm");
  if (tool !== "yarn") return tool;
  return isYarnBerry(root, lockfile, pinned) ? "yarn-berry" : "yarn-classic";
}

/**
 * Yarn 2+ ("berry") writes a lockfile with a `__metadata` block and reads
 * `.yarnrc.yml`; yarn 1 ("classic") has neither.
 */
function isYarnBerry(
  root: string,
  lockfile: Lockfile | undefined,
  pinned: PinnedTool | undefined,
): boolean {
  if (pinned?.name === "yarn") return Number(pinned.version.split(".")[0]) >= 2;
  if (existsSync(path.join(root, ".yarnrc.yml"))) return true;
  if (lockfile !== "yarn.lock") return false;
  return /^__metadata:/m.test(readFileSync(path.join(root, lockfile), "utf8"));
}

/** `pnpm@10.4.1+sha512.…` → `{ name: "pnpm", version: "10.4.1" }`. */
export function parsePackageManager(
  value: string | undefined,
  root: string,
): PinnedTool | undefined {
  if (value === undefined) return undefined;
  const match = /^(npm|pnpm|yarn)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(?:\+.*)?$/.exec(value);
  if (!match) {
    throw new LambdaPackageError(
      "PACKAGE_MANAGER_INVALID",
      `"packageManager": "${value}" in ${path.join(root, "package.json")} is not ` +
        `<npm|pnpm|yarn>@<exact version>, e.g. "pnpm@10.4.1". Fix it, or remove it to use the ` +
        `tool on PATH.`,
    );
  }
  return { name: match[1] as PinnedTool["name"], version: match[2] };
}
