/**
 * How pnpm is run for a production install, by its major version, since the
 * majors in use differ in what they accept (found by running 9.15.9, 10.34.9,
 * 11.28.13 and 12; the 10.14 boundary is pnpm's changelog):
 *
 * - Lambda's platform. pnpm 11 and later take `--os`, `--cpu` and `--libc`,
 *   which win over the workspace's `supportedArchitectures`. pnpm 9 rejects
 *   them, and so does pnpm 10 before 10.14; both read `supportedArchitectures`
 *   from the root package.json's `"pnpm"` field (pnpm 10 prefers it to
 *   pnpm-workspace.yaml's), which is written into the scratch copy. pnpm 11
 *   and later no longer read that field, and count a change to it as a stale
 *   lockfile.
 * - A workspace member. pnpm 11 and later `deploy` it from the shared
 *   lockfile. pnpm 10 refuses to unless `inject-workspace-packages` is set
 *   (ERR_PNPM_DEPLOY_NONINJECTED_WORKSPACE), so it is set on the command line;
 *   its `--legacy` deploy would ignore the lockfile. pnpm 9's `deploy`
 *   ignores the lockfile, so pnpm 9 installs the member and the members it
 *   depends on (`--filter=<name>...`) in the scratch root instead. pnpm 11+
 *   must not be given `inject-workspace-packages`: its lockfile records the
 *   setting, so a frozen install would call the lockfile outdated.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import type { Architecture } from "../options";
import { CPU } from "./platform";
import type { NodeProject } from "./project";
import type { Tool } from "./tools";

/** The newest major that reads the root package.json's `"pnpm"` field and rejects `--os`. */
const LAST_PACKAGE_JSON_MAJOR = 10;

export interface PnpmRequest {
  readonly project: NodeProject;
  readonly tool: Tool;
  /** Lambda's architecture; none: pnpm's own choice, this machine's. */
  readonly architecture?: Architecture;
  /** The scratch copy of the workspace root (or project) to run pnpm in, ours to change. */
  readonly root: string;
  /** A scratch directory for pnpm deploy's output. */
  readonly scratch: string;
  readonly log: (line: string) => void;
}

/** What to run, and where the node_modules it makes will be. */
export interface PnpmCommand {
  readonly args: string[];
  readonly nodeModules: string;
}

/** The pnpm command that installs the project's production dependencies, its settings applied. */
export async function pnpmCommand(request: PnpmRequest): Promise<PnpmCommand> {
  const { project, architecture, root, log } = request;
  const major = pnpmMajor(request.tool, log);
  const readsPackageJson = major <= LAST_PACKAGE_JSON_MAJOR;
  // Hoisted: a flat node_modules of real directories, as npm makes, rather
  // than links into a virtual store that a zip would hold twice.
  const common = ["--prod", "--config.node-linker=hoisted"];
  if (architecture && readsPackageJson) await pinArchitecture(root, architecture, major, log);
  else if (architecture) common.push("--os=linux", `--cpu=${CPU[architecture]}`, "--libc=glibc");
  const lockfile = project.lockfile ? "--frozen-lockfile" : "--no-frozen-lockfile";
  const member = project.workspace?.member;
  if (!member) {
    return { args: ["install", ...common, lockfile], nodeModules: path.join(root, "node_modules") };
  }
  const name = filterableName(member.name, path.join(member.dir, "package.json"));
  if (major <= 9) {
    // The member's own node_modules (packages it could not hoist, links to
    // its siblings) is merged in by the caller.
    return {
      args: ["install", ...common, lockfile, `--filter=${name}...`],
      nodeModules: path.join(root, "node_modules"),
    };
  }
  const out = path.join(request.scratch, "deploy");
  const inject = major === 10 ? ["--config.inject-workspace-packages=true"] : [];
  return {
    args: [`--filter=${name}`, "deploy", ...common, ...inject, out],
    nodeModules: path.join(out, "node_modules"),
  };
}

/**
 * pnpm's major version; a pnpm that would not tell (`pnpm --version`
 * failed) is taken for a current one, and the log says so.
 */
function pnpmMajor(tool: Tool, log: (line: string) => void): number {
  const major = Number(/^(\d+)\./.exec(tool.version ?? "")?.[1]);
  if (Number.isInteger(major)) return major;
  log(`nodejs packager: ${tool.label} did not say its version; running it as pnpm 11 or later.`);
  return Number.POSITIVE_INFINITY;
}

/**
 * Sets `pnpm.supportedArchitectures` in the scratch root's package.json to
 * Lambda's platform, replacing the workspace's own: the function's
 * `architecture` decides what it is packaged for.
 */
async function pinArchitecture(
  root: string,
  architecture: Architecture,
  major: number,
  log: (line: string) => void,
): Promise<void> {
  const file = path.join(root, "package.json");
  const text = await readFile(file, "utf8").catch(() => "{}");
  const manifest = JSON.parse(text) as { pnpm?: { supportedArchitectures?: unknown } };
  const theirs = manifest.pnpm?.supportedArchitectures !== undefined;
  const cpu = CPU[architecture];
  manifest.pnpm = {
    ...manifest.pnpm,
    supportedArchitectures: { os: ["linux"], cpu: [cpu], libc: ["glibc"] },
  };
  await writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  log(
    `nodejs packager: supportedArchitectures linux/${cpu}/glibc set in the scratch ` +
      `package.json's "pnpm" field (pnpm ${major} takes no --os/--cpu/--libc)` +
      (theirs ? ", in place of the workspace's own." : "."),
  );
}

/**
 * A member's name as pnpm's `--filter` takes it: a package name, without
 * what a filter reads as a selector (a leading `!` or `.`, `...`, `^`,
 * braces, brackets), since the name comes from the member's package.json.
 */
function filterableName(name: string, manifestFile: string): string {
  if (/^(@[\w~-][\w.~-]*\/)?[\w~-][\w.~-]*$/.test(name) && !name.includes("..")) return name;
  throw new LambdaPackageError(
    "INSTALL_FAILED",
    `The workspace member's name ${JSON.stringify(name)} in ${manifestFile} is not one pnpm's ` +
      `--filter can select by name (letters, digits, "-", "_", ".", "~", an optional @scope/). ` +
      `Rename the package.`,
  );
}
