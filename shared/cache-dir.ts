import os from "node:os";
import path from "node:path";

/**
 * This tool's directory in the user's cache: `$XDG_CACHE_HOME/lambda-package`,
 * else `~/.cache/lambda-package`. What is kept there (fetched tools, the zip
 * store) can be deleted at any time; it is fetched or computed again.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "lambda-package");
}
