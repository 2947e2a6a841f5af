/**
 * The archive hashes of packages, from the lockfile that pinned them: npm's
 * `integrity` (SHA-512 of the tarball) and the wheel hash of a Python lock.
 * A hash is given only where the lock names exactly one archive for the
 * package's name and version; where it names several (wheels for several
 * platforms that all fit), which one was installed is not known, so none is
 * claimed.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { readPackageJson } from "../nodejs/manifest";
import { readProject } from "../nodejs/project";
import { planInstall, REQUIREMENTS_TXT } from "../python/plan";
import { normalizeName } from "../python/requirement";
import type { NormalizedBuildOptions } from "../options";
import type { FoundPackage } from "./components";

type Hashes = FoundPackage["hashes"];

/** `name@version` → hashes, from an npm lockfile (v2 or v3) of the project at `sourcePath`. */
export function npmLockHashes(sourcePath: string): Map<string, Hashes> {
  const hashes = new Map<string, Hashes>();
  const manifest = readPackageJson(sourcePath);
  if (!manifest) return hashes;
  const project = readProject(sourcePath, manifest);
  if (project.lockfile !== "package-lock.json" && project.lockfile !== "npm-shrinkwrap.json")
    return hashes;
  const file = path.join(project.root, project.lockfile);
  const lock = JSON.parse(readFileSync(file, "utf8")) as {
    packages?: Record<string, { name?: string; version?: string; integrity?: string }>;
  };
  const seen = new Map<string, Set<string>>();
  for (const [where, entry] of Object.entries(lock.packages ?? {})) {
    const at = where.lastIndexOf("node_modules/");
    const name = entry.name ?? (at < 0 ? undefined : where.slice(at + "node_modules/".length));
    const sha512 = /^sha512-([A-Za-z0-9+/]+={0,2})$/.exec(entry.integrity ?? "")?.[1];
    if (!name || !entry.version || !sha512) continue;
    const id = `${name}@${entry.version}`;
    seen.set(id, (seen.get(id) ?? new Set()).add(Buffer.from(sha512, "base64").toString("hex")));
  }
  for (const [id, digests] of seen) {
    if (digests.size === 1) hashes.set(id, { "SHA-512": [...digests][0] });
  }
  return hashes;
}

/**
 * Normalized `name==version` → hashes, from the install plan of the built-in
 * python packagers (the same plan they installed from: it is a function of
 * the source's lockfile and the options). None for requirements.txt, which
 * pip resolves, or without a lockfile.
 */
export function pythonLockHashes(
  options: NormalizedBuildOptions,
  runtime: string,
): Map<string, Hashes> {
  const hashes = new Map<string, Hashes>();
  if (!/^python\d/.test(runtime) || options.pythonMode === "package") return hashes;
  const sourcePath = path.resolve(options.sourcePath);
  if (!existsSync(sourcePath)) return hashes;
  const plan = planInstall({
    sourcePath,
    runtime,
    architecture: options.architecture,
    groups: options.pythonGroups,
    extras: options.pythonExtras,
  });
  if (plan.source === undefined || plan.source === REQUIREMENTS_TXT) return hashes;
  for (const line of plan.wheels) {
    const [requirement, ...flags] = line.split(" ");
    const match = /^([^=]+)==(.+)$/.exec(requirement);
    const digests = flags.flatMap((f) => /^--hash=sha256:([0-9a-f]{64})$/.exec(f)?.[1] ?? []);
    if (match && digests.length === 1)
      hashes.set(`${normalizeName(match[1])}==${match[2]}`, { "SHA-256": digests[0] });
  }
  return hashes;
}
