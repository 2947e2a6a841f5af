/**
 * What a build read: the files and directories whose content decides the
 * package's bytes, as absolute paths. The provider records this set when
 * `sourceKey` is left out, and preview keys on it (`readsKey`), so it must
 * cover everything a change of which changes the zip. It over-approximates
 * (a directory for its files, a lockfile for the packages it pins): a change
 * that turns out not to change the bytes repackages and keeps the version.
 *
 * - Always: `sourcePath`, and each git-ignored entry in it that the package
 *   holds files of (git's ids do not cover ignored files, so they count by
 *   their bytes); a user's packager script or `packagersDir`.
 * - A bundle: every file esbuild read outside `sourcePath`, the
 *   `tsconfig.json`/`jsconfig.json`/`package.json` files esbuild consults
 *   on the way up from each, and for inlined packages the project's lockfile
 *   and package manager settings (without a lockfile, each inlined package's
 *   `package.json`).
 * - Copy + install: the project's lockfile and settings at its root (a
 *   workspace's root for a member), the root's `package.json`, and the
 *   workspace members it depends on.
 * - Python (`pythonMode` "requirements"): the file its dependencies come from
 *   and the directories it builds them from (engine/python/plan.ts `reads`):
 *   for a uv workspace member, the root's `uv.lock` and `pyproject.toml` and
 *   the members it installs.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { isWithin } from "../../shared/paths";
import { GitCommandFailed, runGit } from "../git/run";
import { workTreeTop } from "../git/work-tree";
import { readPackageJson } from "../nodejs/manifest";
import { LOCKFILES, readProject } from "../nodejs/project";
import { productionSiblings } from "../nodejs/workspace";
import { BUNDLE_READS_FILE } from "../bundle/options";
import { PACKAGE_OPTIONS, type NormalizedBuildOptions } from "../options";
import { builtinPackagersDir } from "../packager";
import { planInstall } from "../python/plan";
import { LambdaPackageError } from "../../shared/errors";
import type { Preflight } from "../preflight";
import type { StagedFile } from "../stage";

/** Settings files of npm, pnpm and yarn beside a lockfile: they change what is installed. */
const MANAGER_SETTINGS = [
  "package.json",
  ".npmrc",
  "pnpm-workspace.yaml",
  ".pnpmfile.cjs",
  ".yarnrc",
  ".yarnrc.yml",
];

/** Files esbuild reads in a directory on the way up from a source file. */
const BUNDLER_CONFIG = ["tsconfig.json", "jsconfig.json", "package.json"];

/** How many paths a recorded set keeps before merging siblings into their directory. */
export const MAX_RECORDED_READS = 24;

export interface BuildReads {
  /** Absolute paths, files or directories, merged to at most `MAX_RECORDED_READS` where it can. */
  readonly paths: readonly string[];
  /** Notes for the log: what the set could not cover. */
  readonly notes: readonly string[];
  /** The git-ignored entries of `sourcePath` (absolute) that the package holds files of. */
  readonly ignored: readonly string[];
}

/**
 * What the build of `options` read, found after it staged `files`; `known.top`, when given,
 * is `workTreeTop` of the source's real path, asked already.
 */
export function buildReads(
  options: NormalizedBuildOptions,
  packager: Preflight,
  workDir: string,
  files: readonly StagedFile[],
  known?: { readonly top: string | undefined },
): BuildReads {
  const { script } = packager;
  // Real paths throughout: git and esbuild name files by them.
  const sourcePath = realpathSync(packager.sourcePath);
  const top = known ? known.top : workTreeTop(sourcePath);
  const reads = new Set<string>([sourcePath]);
  const ignored = new Set(ignoredStaged(sourcePath, files));
  const notes: string[] = [];
  if (path.dirname(script) !== builtinPackagersDir) {
    reads.add(
      options.packager === undefined && options.packagersDir !== undefined
        ? path.resolve(options.packagersDir)
        : script,
    );
  }
  const nodejs = path.dirname(script) === builtinPackagersDir && /^nodejs/.test(packager.runtime);
  if (nodejs && options.bundle) {
    const inputs = bundleInputs(workDir);
    const packages = inputs.filter(isInstalled);
    for (const input of inputs.filter((i) => !isInstalled(i))) {
      if (!isWithin(input, sourcePath)) reads.add(input);
      for (const config of configsAbove(path.dirname(input), top)) reads.add(config);
    }
    if (packages.length) {
      const lockfile = nearestLockfile(sourcePath, top);
      if (lockfile) for (const file of managerFiles(path.dirname(lockfile))) reads.add(file);
      else {
        notes.push(
          `no lockfile at or above ${sourcePath}: the inlined packages count by their ` +
            "package.json files; commit a lockfile so that a dependency change is always seen",
        );
        for (const manifest of packageManifests(packages)) {
          reads.add(manifest);
          ignored.add(manifest);
        }
      }
    }
  } else if (nodejs) {
    const manifest = readPackageJson(sourcePath);
    if (manifest) {
      const project = readProject(sourcePath, manifest);
      for (const file of managerFiles(project.root)) reads.add(file);
      if (project.workspace)
        for (const sibling of productionSiblings(project.workspace, project.workspace.member))
          reads.add(sibling.dir);
    }
  }
  const python = path.dirname(script) === builtinPackagersDir && /^python/.test(packager.runtime);
  if (python && (options.pythonMode ?? PACKAGE_OPTIONS.pythonMode.default) === "requirements") {
    for (const read of pythonReads(options, packager.runtime, sourcePath, notes)) reads.add(read);
  }
  for (const entry of ignored) reads.add(entry);
  return { paths: mergeSiblings([...reads], ignored, top), notes, ignored: [...ignored] };
}

/**
 * What the python packager's plan was made from, as it made it for this
 * build: the same reading of the same files, so the same set. Should they
 * have changed since so far that no plan can be made, the set falls back to
 * the whole repository, which any change elsewhere still counts in.
 */
function pythonReads(
  options: NormalizedBuildOptions,
  runtime: string,
  sourcePath: string,
  notes: string[],
): readonly string[] {
  try {
    return planInstall({
      sourcePath,
      runtime,
      architecture: options.architecture,
      groups: options.pythonGroups,
      extras: options.pythonExtras,
    }).reads;
  } catch (error) {
    if (!(error instanceof LambdaPackageError)) throw error;
    const top = workTreeTop(sourcePath);
    notes.push(
      `the python plan could not be read again (${error.message}); recording ${top ?? sourcePath} whole`,
    );
    return top ? [top] : [];
  }
}

/** esbuild's inputs as the bundle helper listed them, absolute; none when it wrote no list. */
function bundleInputs(workDir: string): string[] {
  const file = path.join(workDir, BUNDLE_READS_FILE);
  if (!existsSync(file)) return [];
  const list: unknown = JSON.parse(readFileSync(file, "utf8"));
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === "string") : [];
}

/** A file of an installed package, whose content the lockfile stands for. */
function isInstalled(file: string): boolean {
  return file.split(path.sep).includes("node_modules");
}

/** The config files that exist in `dir` and each directory above it, up to the work tree's top. */
function configsAbove(dir: string, top: string | undefined): string[] {
  const found: string[] = [];
  for (let at = dir; ; at = path.dirname(at)) {
    for (const name of BUNDLER_CONFIG) {
      const file = path.join(at, name);
      if (existsSync(file)) found.push(file);
    }
    if (at === top || path.dirname(at) === at || (top !== undefined && !isWithin(at, top))) break;
  }
  return found;
}

/** The lockfile at or nearest above `dir`, no higher than the work tree's top. */
function nearestLockfile(dir: string, top: string | undefined): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    for (const name of Object.keys(LOCKFILES)) {
      const file = path.join(at, name);
      if (existsSync(file)) return file;
    }
    if (at === top || path.dirname(at) === at) return undefined;
  }
}

/** The lockfile and settings files that exist in `root`. */
function managerFiles(root: string): string[] {
  return [...Object.keys(LOCKFILES), ...MANAGER_SETTINGS]
    .map((name) => path.join(root, name))
    .filter((file) => existsSync(file));
}

/** The `package.json` of each installed package the inputs come from. */
function packageManifests(files: readonly string[]): string[] {
  const manifests = new Set<string>();
  for (const file of files) {
    const parts = file.split(path.sep);
    const at = parts.lastIndexOf("node_modules");
    const scoped = parts[at + 1]?.startsWith("@") ? 2 : 1;
    const manifest = [...parts.slice(0, at + 1 + scoped), "package.json"].join(path.sep);
    if (existsSync(manifest)) manifests.add(manifest);
  }
  return [...manifests];
}

/**
 * The git-ignored entries of `sourcePath` (a real path) (files, or directories git lists
 * whole) that hold a file of the package: ignored files are packaged like any
 * other, and only their bytes can key them.
 */
function ignoredStaged(sourcePath: string, files: readonly StagedFile[]): string[] {
  // Every entry git lists is inside sourcePath: a package none of whose files is read from
  // there (a bundle, all of it written by the packager) holds none of them, and git, a
  // process that blocks this thread, need not be asked.
  const read = files.filter((file) => file.offset === undefined);
  if (!read.some((file) => isWithin(file.sourceFile, sourcePath))) return [];
  let listing: string;
  try {
    const args = ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"];
    listing = runGit([...args, "--", "."], { cwd: sourcePath });
  } catch (error) {
    if (!(error instanceof GitCommandFailed)) throw error;
    return []; // not a work tree: the whole source counts by its bytes
  }
  const entries = listing
    .split("\0")
    .filter((name) => name !== "")
    .map((name) => path.join(sourcePath, name.replace(/\/$/, "")));
  return entries.filter((entry) => read.some((file) => isWithin(file.sourceFile, entry)));
}

/**
 * Paths under another path of the set dropped, then, while more than
 * `MAX_RECORDED_READS` remain, the siblings of the directory holding most of
 * them replaced by that directory (never above the work tree's top). Ignored
 * paths are kept as they are: their directory's git id would not cover them.
 */
export function mergeSiblings(
  paths: readonly string[],
  ignored: ReadonlySet<string>,
  top: string | undefined,
): string[] {
  const covered = (p: string, set: readonly string[]) =>
    !ignored.has(p) &&
    set.some((other) => other !== p && isWithin(p, other) && !ignored.has(other));
  let set = [...new Set(paths)].filter((p, _, all) => !covered(p, all));
  while (set.length > MAX_RECORDED_READS) {
    const byParent = new Map<string, number>();
    for (const p of set) {
      const parent = path.dirname(p);
      if (ignored.has(p) || parent === p || (top !== undefined && !isWithin(parent, top))) continue;
      byParent.set(parent, (byParent.get(parent) ?? 0) + 1);
    }
    const best = [...byParent].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length)[0];
    if (!best) break;
    set = [...set.filter((p) => ignored.has(p) || path.dirname(p) !== best[0]), best[0]];
    set = set.filter((p, _, all) => !covered(p, all));
  }
  return set.sort();
}
