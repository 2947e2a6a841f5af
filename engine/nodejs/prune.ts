/**
 * Keeping only some packages of an installed node_modules, with what they
 * need: `bundle.nodeModules` installs the project's production dependencies
 * as usual, then keeps the named packages and their dependency closure.
 */
import { existsSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { productionDependencies, readPackageJson } from "./manifest";

/**
 * Removes every package of `nodeModules` (a flat, npm-style tree) that none
 * of `names` needs, following `dependencies` and `optionalDependencies` as
 * Node resolves them: from the requiring package's own node_modules upward.
 * A name that is not installed is an error naming the project's package.json.
 */
export async function keepOnly(
  nodeModules: string,
  names: readonly string[],
  manifestFile: string,
): Promise<void> {
  const kept = new Set<string>();
  const visit = (dir: string) => {
    if (kept.has(dir)) return;
    kept.add(dir);
    const manifest = readPackageJson(dir) ?? {};
    for (const dependency of productionDependencies(manifest)) {
      const found = resolveFrom(dir, dependency, nodeModules);
      // A missing optional dependency (another platform's) is fine.
      if (found) visit(found);
    }
  };
  for (const name of names) {
    const dir = path.join(nodeModules, name);
    if (!existsSync(path.join(dir, "package.json"))) {
      throw new LambdaPackageError(
        "NODE_MODULE_MISSING",
        `bundle.nodeModules names ${name}, which the production install of ${manifestFile} ` +
          `did not bring in. Add it to "dependencies" there (and to the lockfile), or remove it ` +
          `from bundle.nodeModules.`,
        { field: "bundle" },
      );
    }
    visit(dir);
  }
  await removeUnkept(nodeModules, kept);
}

/** The directory Node would load `name` from when required in `dir`, within `top`. */
function resolveFrom(dir: string, name: string, top: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    const base = path.basename(at) === "node_modules" ? at : path.join(at, "node_modules");
    const candidate = path.join(base, name);
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (at === top || !at.startsWith(top)) return undefined;
  }
}

/** Removes the packages of `nodeModules`, nested ones included, that are not in `kept`. */
async function removeUnkept(nodeModules: string, kept: ReadonlySet<string>): Promise<void> {
  for (const name of readdirSync(nodeModules)) {
    const at = path.join(nodeModules, name);
    if (name === ".bin") {
      await rm(at, { recursive: true, force: true }); // Its links would dangle; Lambda runs none.
      continue;
    }
    if (name.startsWith(".")) continue;
    const packages = name.startsWith("@")
      ? readdirSync(at).map((scoped) => path.join(at, scoped))
      : [at];
    for (const dir of packages) {
      if (!kept.has(dir)) await rm(dir, { recursive: true, force: true });
      else if (existsSync(path.join(dir, "node_modules")))
        await removeUnkept(path.join(dir, "node_modules"), kept);
    }
    if (name.startsWith("@") && readdirSync(at).length === 0) await rm(at, { recursive: true });
  }
}
