/**
 * Installing a project's production dependencies into the build directory
 * with its own package manager, from a scratch copy of its manifests, so the
 * user's tree (node_modules, lockfile) is never written. For a workspace
 * member the scratch copy is of the workspace root: its manifests, every
 * member's package.json, and the sources of the members the package depends
 * on, which end up in node_modules as real directories, not links.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { cpSync, existsSync, lstatSync, readdirSync, realpathSync, unlinkSync } from "node:fs";
import { appendFile, cp, mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isWithin } from "../../shared/paths";
import { LambdaPackageError } from "../../shared/errors";
import { onInterrupt } from "../../shared/interrupt";
import type { Architecture } from "../options";
import { TEMP_PREFIX } from "../workdir";
import type { NodeProject } from "./project";
import { CPU } from "./platform";
import { pnpmCommand } from "./pnpm";
import { findTool, type Tool } from "./tools";
import { productionSiblings } from "./workspace";

export interface InstallRequest {
  readonly project: NodeProject;
  /** The directory that receives `node_modules`. */
  readonly dest: string;
  /** Lambda's architecture to pick optional native packages for; none: this machine's. */
  readonly architecture?: Architecture;
  readonly log: (line: string) => void;
}

/** Files of the root a package manager reads to install, copied when present. */
const ROOT_FILES = [
  "package.json",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "pnpm-lock.yaml",
  "yarn.lock",
  ".npmrc",
  ".yarnrc",
  ".yarnrc.yml",
  "pnpm-workspace.yaml",
  ".pnpmfile.cjs",
  ".pnpmfile.mjs",
];

/** Directories of the root that change what is installed: yarn's release, plugins, patches. */
const ROOT_DIRS = [".yarn/releases", ".yarn/plugins", ".yarn/patches", "patches"];

/**
 * What package managers leave in node_modules that records the machine,
 * absolute paths or install times, and that nothing needs at run time.
 */
export const INSTALL_STATE_FILES = [
  ".package-lock.json", // npm's hidden lockfile
  ".modules.yaml", // pnpm: store path, install time
  ".pnpm", // pnpm's virtual store; with the hoisted linker only a lockfile of absolute paths
  ".yarn-state.yml", // yarn berry's node-modules linker state
  ".package-map.json", // yarn berry
  ".yarn-integrity", // yarn classic
];

/** Installs the project's production dependencies into `request.dest/node_modules`. */
export async function installProduction(request: InstallRequest): Promise<void> {
  const { project, log } = request;
  const tool = await findTool({
    manager: project.manager,
    pinned: project.pinned,
    manifestFile: path.join(project.root, "package.json"),
    log,
  });
  const scratch = await mkdtemp(path.join(os.tmpdir(), `${TEMP_PREFIX}nodejs-`));
  const removeScratch = () => rm(scratch, { recursive: true, force: true });
  const stopOnInterrupt = onInterrupt(removeScratch);
  try {
    const root = path.join(scratch, "root");
    await copyManifests(project, root);
    const member = path.join(root, path.relative(project.root, project.dir));
    const installed = await runInstall(request, tool, root, scratch);
    await mkdir(request.dest, { recursive: true });
    const target = path.join(request.dest, "node_modules");
    if (installed === undefined) {
      log("nodejs packager: the install put nothing into node_modules.");
      return;
    }
    resolveWorkspaceLinks(installed, root, member);
    await moveInto(installed, target);
    const nested = path.join(member, "node_modules");
    if (member !== root && existsSync(nested)) {
      // Packages npm or yarn could not hoist for this member: they win over hoisted ones.
      resolveWorkspaceLinks(nested, root, member);
      await moveInto(nested, target);
    }
    await forgetInstallState(target, log);
  } finally {
    stopOnInterrupt();
    await removeScratch();
  }
}

/** The root's manifests, the members' package.json files and the needed members' sources. */
async function copyManifests(project: NodeProject, root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  const copy = async (relative: string, options: { withoutModules?: boolean } = {}) => {
    const from = path.join(project.root, relative);
    if (!existsSync(from)) return;
    const to = path.join(root, relative);
    await mkdir(path.dirname(to), { recursive: true });
    const leftOut = /(^|\/)(node_modules|\.git)$/;
    await cp(from, to, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !options.withoutModules || !leftOut.test(src),
    });
  };
  for (const file of [...ROOT_FILES, ...ROOT_DIRS]) await copy(file);
  const workspace = project.workspace;
  if (!workspace) return;
  const siblings = productionSiblings(workspace, workspace.member);
  // yarn 1 has no "install one member": it installs every member it sees,
  // so it sees only this one and those it depends on.
  const members =
    project.manager === "yarn-classic" ? [workspace.member, ...siblings] : workspace.members;
  for (const member of members) {
    await copy(path.join(path.relative(project.root, member.dir), "package.json"));
  }
  for (const sibling of siblings) {
    await copy(path.relative(project.root, sibling.dir), { withoutModules: true });
  }
}

/**
 * Runs the tool in the scratch root; returns the node_modules it made
 * (pnpm deploy makes it in a directory of its own), or undefined when none.
 */
async function runInstall(
  request: InstallRequest,
  tool: Tool,
  root: string,
  scratch: string,
): Promise<string | undefined> {
  const { project, architecture, log } = request;
  const name = project.workspace?.member.name;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Shims such as yarn's `#!/usr/bin/env node` run with the engine's Node.
    PATH: [path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
    npm_config_update_notifier: "false",
    YARN_ENABLE_TELEMETRY: "0",
    YARN_ENABLE_PROGRESS_BARS: "false",
  };
  let args: string[];
  let nodeModules = path.join(root, "node_modules");
  switch (project.manager) {
    case "npm": {
      const ignoreScripts = process.env.npm_config_ignore_scripts ?? "false";
      args = [project.lockfile ? "ci" : "install", "--omit=dev", "--no-audit", "--no-fund"];
      args.push(`--ignore-scripts=${ignoreScripts}`);
      if (architecture) args.push("--os=linux", `--cpu=${CPU[architecture]}`);
      if (name) args.push(`--workspace=${name}`);
      break;
    }
    case "pnpm": {
      ({ args, nodeModules } = await pnpmCommand({
        project,
        tool,
        architecture,
        root,
        scratch,
        log,
      }));
      break;
    }
    case "yarn-berry": {
      env.YARN_NODE_LINKER = "node-modules";
      env.YARN_ENABLE_IMMUTABLE_INSTALLS = project.lockfile ? "true" : "false";
      if (architecture) await pinArchitecture(root, architecture, log);
      args = ["workspaces", "focus", "--production", ...(name ? [name] : [])];
      break;
    }
    case "yarn-classic": {
      assertHostArchitecture(architecture);
      args = ["install", "--production", "--non-interactive", "--no-progress"];
      if (project.lockfile) args.push("--frozen-lockfile");
      break;
    }
  }
  const where = path.relative(project.root, project.dir);
  log(
    `nodejs packager: ${tool.label}: ${args.join(" ")}` +
      (where ? ` (workspace member ${where} of ${project.root})` : ""),
  );
  await run(tool, args, root, env, project);
  return existsSync(nodeModules) ? nodeModules : undefined;
}

async function run(
  tool: Tool,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  project: NodeProject,
): Promise<void> {
  const child = spawn(tool.command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  // Relayed as it comes, and its last lines kept: the tool's own words are the error's best part.
  const tail: string[] = [];
  const relay = (from: NodeJS.ReadableStream, to: NodeJS.WritableStream) =>
    createInterface({ input: from }).on("line", (line) => {
      to.write(`${line}\n`);
      tail.push(line);
      if (tail.length > TOOL_TAIL_LINES) tail.shift();
    });
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  const [code, signal] = (await Promise.race([
    once(child, "close"),
    once(child, "error").then(([error]) => {
      throw error;
    }),
  ])) as [number | null, NodeJS.Signals | null];
  if (code === 0) return;
  const said = tail.length ? ` Its last lines:\n${tail.join("\n")}\n` : " ";
  throw new LambdaPackageError(
    "INSTALL_FAILED",
    `${tool.label} ${args.join(" ")} ${signal ? `was killed by ${signal}` : `exited with code ${code}`} ` +
      `in a scratch copy of ${project.root}'s manifests.${said}${hintFor(tail)}Run the same ` +
      `command in ${project.root} to reproduce it.`,
  );
}

/** How many of an install tool's last lines its failure quotes. */
const TOOL_TAIL_LINES = 20;

/** What to do about a failure the tool's words name, where there is a known fix. */
function hintFor(tail: readonly string[]): string {
  if (tail.some((line) => line.includes("ERESOLVE")))
    return (
      "npm could not resolve peer dependencies (ERESOLVE): fix the versions, or let npm " +
      'install as npm 6 did with legacy-peer-deps=true in the project\'s .npmrc (or packagerEnv: { npm_config_legacy_peer_deps: "true" }). '
    );
  return "";
}

/** yarn berry reads the target platform from .yarnrc.yml only; the scratch copy's is ours to change. */
async function pinArchitecture(
  root: string,
  architecture: Architecture,
  log: (line: string) => void,
): Promise<void> {
  const file = path.join(root, ".yarnrc.yml");
  const text = await readFile(file, "utf8").catch(() => "");
  if (/^supportedArchitectures\s*:/m.test(text)) {
    log("nodejs packager: .yarnrc.yml sets supportedArchitectures; using it as it is.");
    return;
  }
  const cpu = CPU[architecture];
  log(
    `nodejs packager: supportedArchitectures linux/${cpu}/glibc added to the scratch .yarnrc.yml`,
  );
  await appendFile(
    file,
    `${text === "" || text.endsWith("\n") ? "" : "\n"}supportedArchitectures:\n` +
      `  os: [linux]\n  cpu: [${cpu}]\n  libc: [glibc]\n`,
  );
}

/** yarn 1 installs optional packages for the machine it runs on, and cannot be told otherwise. */
function assertHostArchitecture(architecture: Architecture | undefined): void {
  if (architecture === undefined) return;
  if (os.platform() === "linux" && os.arch() === CPU[architecture]) return;
  throw new LambdaPackageError(
    "INSTALL_FAILED",
    `architecture is ${architecture}, and yarn 1 (the lockfile's) can only install native ` +
      `packages for the machine it runs on (${os.platform()} ${os.arch()}). Build on Linux ` +
      `${CPU[architecture]}, or move the project to yarn 2+ or npm, which can target another platform.`,
  );
}

/**
 * Links in `nodeModules` to workspace packages: the member's own link is
 * dropped (its code is the package itself); a sibling's is replaced by a
 * copy of the sibling, since a link would point out of the package.
 */
function resolveWorkspaceLinks(nodeModules: string, root: string, member: string): void {
  for (const entry of packageEntries(nodeModules)) {
    if (!lstatSync(entry).isSymbolicLink()) continue;
    const target = realpathOrUndefined(entry);
    if (target === undefined) continue; // Dangling: dropped with the other stray links later.
    if (!isWithin(target, realpathSync(root))) continue;
    unlinkSync(entry);
    if (target === realpathSync(member)) continue;
    cpSync(target, entry, { recursive: true, verbatimSymlinks: true });
  }
}

/** `node_modules/<name>` and `node_modules/@scope/<name>` paths. */
function packageEntries(nodeModules: string): string[] {
  const entries: string[] = [];
  for (const name of readdirSync(nodeModules)) {
    if (name.startsWith(".")) continue;
    const at = path.join(nodeModules, name);
    if (name.startsWith("@")) {
      for (const scoped of readdirSafe(at)) entries.push(path.join(at, scoped));
    } else entries.push(at);
  }
  return entries;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function realpathOrUndefined(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/** Moves every package of `from` into `to`, replacing what is there under the same name. */
async function moveInto(from: string, to: string): Promise<void> {
  if (!existsSync(to)) {
    await mkdir(path.dirname(to), { recursive: true });
    // rename fails across file systems; fall back to a copy.
    await rename(from, to).catch(() => cp(from, to, { recursive: true, verbatimSymlinks: true }));
    return;
  }
  for (const name of readdirSync(from)) {
    const source = path.join(from, name);
    const target = path.join(to, name);
    if (name.startsWith("@") || name === ".bin") {
      await mkdir(target, { recursive: true });
      await moveInto(source, target);
      continue;
    }
    await rm(target, { recursive: true, force: true });
    await rename(source, target).catch(() =>
      cp(source, target, { recursive: true, verbatimSymlinks: true }),
    );
  }
}

/**
 * Removes what records this install (see INSTALL_STATE_FILES), and links
 * that point out of node_modules, such as `.bin` entries of workspace
 * packages, which the package cannot hold.
 */
async function forgetInstallState(nodeModules: string, log: (line: string) => void): Promise<void> {
  for (const name of INSTALL_STATE_FILES) {
    await rm(path.join(nodeModules, name), { recursive: true, force: true });
  }
  for (const name of readdirSync(nodeModules)) {
    if (/^\.pnpm-workspace-state.*\.json$/.test(name))
      await rm(path.join(nodeModules, name), { force: true });
  }
  const real = realpathSync(nodeModules);
  let dropped = 0;
  for (const entry of readdirSync(nodeModules, { recursive: true, withFileTypes: true })) {
    if (!entry.isSymbolicLink()) continue;
    const link = path.join(entry.parentPath, entry.name);
    const target = realpathOrUndefined(link);
    if (target !== undefined && isWithin(target, real)) continue;
    await rm(link, { force: true });
    dropped++;
  }
  if (dropped > 0) {
    log(`nodejs packager: left out ${dropped} link(s) in node_modules that point outside it.`);
  }
}
