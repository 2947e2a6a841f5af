/**
 * Getting the package manager a project asks for. A version pinned by
 * `packageManager` is used exactly: the one on PATH when it is that version,
 * else that version fetched from the npm registry (npm serves `pnpm`, `yarn`
 * 1.x, and yarn 2+ as `@yarnpkg/cli-dist`) into a cache directory, once.
 * Without a pin, the one on PATH. corepack is not used: the one this project
 * was tried with (0.34) cannot verify pnpm 12's signatures, and it would
 * fetch the same package from the same registry.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { userCacheDir } from "../../shared/cache-dir";
import { LambdaPackageError } from "../../shared/errors";
import type { PackageManager, PinnedTool } from "./project";

/** The command that runs a package manager. */
export interface Tool {
  /** Absolute path of the executable. */
  readonly command: string;
  /** What it is, for log lines: `pnpm 12.4.2 (fetched)`. */
  readonly label: string;
  /**
   * Its version, e.g. `10.34.9`: the pinned one, or for pnpm, what the one on PATH
   * says; none when it would not say. pnpm's flags differ by major.
   */
  readonly version?: string;
}

/** Each tool's npm package and the command it installs. */
const PACKAGES: Record<PackageManager, { readonly npm: string; readonly bin: string }> = {
  npm: { npm: "npm", bin: "npm" },
  pnpm: { npm: "pnpm", bin: "pnpm" },
  "yarn-classic": { npm: "yarn", bin: "yarn" },
  "yarn-berry": { npm: "@yarnpkg/cli-dist", bin: "yarn" },
};

/** The command to install a tool by hand, for messages. */
function installHint(manager: PackageManager, version?: string): string {
  const fallback = manager === "yarn-classic" ? "1" : "latest";
  return `npm install --global ${PACKAGES[manager].npm}@${version ?? fallback}`;
}

/**
 * Where fetched tools are kept: `$XDG_CACHE_HOME/lambda-package/tools`, else
 * `~/.cache/lambda-package/tools`.
 */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userCacheDir(env), "tools");
}

export interface FindToolOptions {
  readonly manager: PackageManager;
  readonly pinned?: PinnedTool;
  /** Where the project says what it wants, for messages: its package.json. */
  readonly manifestFile: string;
  readonly log: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** The tool to run for the project: see the module's doc for which one. */
export async function findTool(options: FindToolOptions): Promise<Tool> {
  const { manager, pinned } = options;
  const env = options.env ?? process.env;
  const { bin } = PACKAGES[manager];
  const onPath = whichOnPath(bin, env);
  if (pinned === undefined) {
    // Only pnpm's commands depend on its version; asking another tool would cost a process.
    const version = manager === "pnpm" && onPath ? versionOf(onPath, env) : undefined;
    if (onPath) return { command: onPath, label: `${bin} from PATH`, version };
    throw new LambdaPackageError(
      "PACKAGE_MANAGER_MISSING",
      `The project needs ${manager} (its lockfile says so), and there is no ${bin} on PATH, nor a ` +
        `"packageManager" field in ${options.manifestFile} to fetch it by. Install it ` +
        `(${installHint(manager)}), or pin it there, e.g. "packageManager": "${bin}@<version>".`,
    );
  }
  if (onPath && versionOf(onPath, env) === pinned.version) {
    return {
      command: onPath,
      label: `${bin} ${pinned.version} from PATH`,
      version: pinned.version,
    };
  }
  return fetchTool(manager, pinned.version, options);
}

/** The tool from the cache, installing it from the npm registry first if it is not there. */
async function fetchTool(
  manager: PackageManager,
  version: string,
  options: FindToolOptions,
): Promise<Tool> {
  const env = options.env ?? process.env;
  const { npm: name, bin } = PACKAGES[manager];
  const cache = toolCacheDir(env);
  const dir = path.join(cache, `${name.replace("/", "+")}@${version}`);
  const command = path.join(dir, "node_modules", ".bin", bin);
  const label = `${bin} ${version} (${name}@${version} from the npm registry)`;
  if (existsSync(command)) return { command, label, version };
  const npm = whichOnPath("npm", env);
  if (!npm) {
    throw new LambdaPackageError(
      "PACKAGE_MANAGER_MISSING",
      `The project pins ${name}@${version} in ${options.manifestFile}; fetching it needs npm, ` +
        `which is not on PATH. Install Node.js with npm, or install ${bin} ${version} yourself.`,
    );
  }
  options.log(`nodejs packager: fetching ${name}@${version} from the npm registry into ${cache}`);
  await mkdir(cache, { recursive: true });
  // Installed beside the final place and renamed, so that a build running at
  // the same time never sees half a tool.
  const partial = await mkdtemp(path.join(cache, ".partial-"));
  try {
    await writeFile(path.join(partial, "package.json"), '{ "private": true }\n');
    const args = ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"];
    const result = spawnSync(npm, [...args, `${name}@${version}`], {
      cwd: partial,
      env,
      encoding: "utf8",
    });
    if (result.status !== 0) {
      throw new LambdaPackageError(
        "PACKAGE_MANAGER_MISSING",
        `The project pins ${name}@${version} in ${options.manifestFile}, and npm could not ` +
          `install it from the registry (npm ${args.join(" ")} ${name}@${version}, exit ` +
          `${result.status ?? result.signal}): ${(result.stderr || result.error?.message || "").trim()}. ` +
          `Check the version and that the registry is reachable, or install ${bin} ${version} ` +
          `on PATH (${installHint(manager, version)}).`,
      );
    }
    await rename(partial, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another build finished the same install first: use theirs.
      if (!existsSync(command)) throw error;
      await rm(partial, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  return { command, label, version };
}

/** The executable `name` on PATH, or undefined. */
export function whichOnPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function versionOf(command: string, env: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(command, ["--version"], { env, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
