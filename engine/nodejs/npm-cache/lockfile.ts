/**
 * What `npm ci --omit=dev` would install, read from package-lock.json alone:
 * the lockfile's `packages` map (lockfile version 2 and 3) names every
 * package's place in node_modules and its tarball's integrity. Whatever makes
 * npm do more than unpack tarballs (install scripts, links, bundled or
 * extraneous packages, a lockfile out of step with package.json) is a reason
 * to let npm do it, and is returned as one.
 *
 * This is where the lockfile's names enter: each key must be a place npm
 * installs a package (`node_modules/<name>`, nested), each name one npm
 * allows, each version semver and each integrity a SHA-512 digest, before any
 * of them becomes a path in the package or a line of $SOURCE_MANIFEST. A
 * lockfile npm wrote never fails this; one that does is left to npm ci, which
 * prunes a key nothing depends on and refuses a lockfile out of step.
 */
import semver from "semver";
import { hasUnsafeCharacter, show } from "../../../shared/format";
import type { PackageJson } from "../manifest";

/** A package to unpack. */
export interface LockedPackage {
  /** Its directory, as the lockfile keys it: `node_modules/a`, `node_modules/a/node_modules/@s/b`. */
  readonly location: string;
  /** Its tarball's SHA-512, hex: where npm's cache keeps it. */
  readonly sha512: string;
  /** name@version, for messages. */
  readonly label: string;
}

/** The platform npm checks `os`, `cpu` and `libc` against. */
export interface Platform {
  readonly os: string;
  readonly cpu: string;
  /** `glibc` or `musl` on Linux, none elsewhere: asked only of packages that name a libc. */
  readonly libc: () => string | undefined;
}

export type LockPlan =
  { readonly packages: readonly LockedPackage[] } | { readonly reason: string };

interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
  readonly inBundle?: boolean;
  readonly extraneous?: boolean;
  readonly hasInstallScript?: boolean;
  readonly hasShrinkwrap?: boolean;
  readonly os?: string | string[];
  readonly cpu?: string | string[];
  readonly libc?: string | string[];
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

const NOT_A_PLACE =
  "which is not where npm installs a package (node_modules/ and a name npm allows, nested " +
  "under another package's node_modules/)";

/** The dependency maps npm ci compares between package.json and the lockfile's root. */
const DEPENDENCY_FIELDS = [
  "dependencies",
  "devDependencies",
  "optionalDependencies",
  "peerDependencies",
] as const;

/**
 * A name npm accepts for a package (validate-npm-package-name, old packages'
 * rules: capitals allowed), scoped or not: URL-safe characters only, not
 * starting with `.` or `_`. So no control character, space, backslash, `..`
 * or empty part can be in one.
 */
const PACKAGE_NAME = /^(?:@[A-Za-z0-9~!*'()-][\w.~!*'()-]*\/)?[A-Za-z0-9~!*'()-][\w.~!*'()-]*$/;
const RESERVED_NAMES = new Set(["node_modules", "favicon.ico"]);

/** Whether `name` is a package name npm would install. */
export function isPackageName(name: unknown): name is string {
  return typeof name === "string" && PACKAGE_NAME.test(name) && !RESERVED_NAMES.has(name);
}

/**
 * The package names along a `node_modules/a/node_modules/@s/b` key, or
 * undefined when it is not one npm writes.
 */
function namesAlong(location: string): string[] | undefined {
  if (!location.startsWith("node_modules/")) return undefined;
  const names = location.slice("node_modules/".length).split("/node_modules/");
  return names.every(isPackageName) ? names : undefined;
}

/** Root scripts `npm ci` runs, which could write into node_modules. */
const ROOT_SCRIPTS = [
  "preinstall",
  "install",
  "postinstall",
  "preprepare",
  "prepare",
  "postprepare",
];

/** package.json fields that make npm ci do more than the lockfile says. */
const ROOT_FIELDS = ["workspaces", "overrides", "bundleDependencies", "bundledDependencies"];

/**
 * The packages `npm ci --omit=dev` installs for `platform` from `lock` (the
 * parsed package-lock.json of the project whose package.json is `manifest`),
 * or the reason to run npm ci instead. `lockfile` is its name, for reasons.
 */
export function lockedPackages(
  lock: unknown,
  manifest: PackageJson,
  platform: Platform,
  lockfile = "the lockfile",
): LockPlan {
  const { lockfileVersion, packages } = (lock ?? {}) as {
    lockfileVersion?: number;
    packages?: Record<string, LockEntry>;
  };
  if (!packages || !lockfileVersion || lockfileVersion < 2) {
    return { reason: `${lockfile} is version ${lockfileVersion ?? "?"}, before npm 7's` };
  }
  const fields = manifest as Record<string, unknown>;
  const field = ROOT_FIELDS.find((name) => fields[name] !== undefined);
  if (field) return { reason: `package.json has "${field}"` };
  const scripts = (fields.scripts ?? {}) as Record<string, unknown>;
  const script = ROOT_SCRIPTS.find((name) => scripts[name] !== undefined);
  if (script) return { reason: `package.json has a "${script}" script` };
  const root = packages[""] ?? {};
  for (const name of DEPENDENCY_FIELDS) {
    if (!sameMap(fields[name], (root as Record<string, unknown>)[name])) {
      return { reason: `package.json's ${name} differ from the lockfile's (npm ci would refuse)` };
    }
  }
  const chosen: LockedPackage[] = [];
  for (const [location, entry] of Object.entries(packages)) {
    if (location === "") continue;
    if (typeof entry !== "object" || entry === null) {
      return { reason: `${lockfile} has ${show(location)} as something other than a package` };
    }
    if (!location.startsWith("node_modules/")) return { reason: `${lockfile} lists ${location}` };
    const names = namesAlong(location);
    if (!names) {
      return { reason: `${lockfile} lists ${show(location)}, ${NOT_A_PLACE}` };
    }
    if (entry.link) return { reason: `${location} is a link` };
    const name = entry.name ?? names[names.length - 1];
    if (!isPackageName(name)) {
      return {
        reason: `${lockfile} names ${location} ${show(name)}, which npm does not allow as a package name`,
      };
    }
    if (typeof entry.version !== "string" || semver.valid(entry.version) === null) {
      return {
        reason: `${lockfile} gives ${name} at ${location} the version ${show(entry.version ?? null)}, which is not semver`,
      };
    }
    const label = `${name}@${entry.version}`;
    if (entry.inBundle) return { reason: `${label} is bundled in another package` };
    if (entry.extraneous) return { reason: `${label} is extraneous` };
    if (entry.dev) continue; // --omit=dev; devOptional packages stay, as with npm.
    if (!fitsPlatform(entry, platform)) {
      if (!entry.optional && !entry.devOptional) {
        return { reason: `${label} is not for ${describe(platform)} (npm ci would refuse)` };
      }
      // npm leaves out the package and whatever only it needs; the latter takes the graph.
      if (entry.dependencies || entry.optionalDependencies) {
        return { reason: `${label} is left out on ${describe(platform)} with what it needs` };
      }
      continue;
    }
    if (entry.hasInstallScript) return { reason: `${label} has install scripts` };
    // npm reads a dependency's own shrinkwrap while it installs.
    if (entry.hasShrinkwrap) return { reason: `${label} has an npm-shrinkwrap.json` };
    if (entry.resolved !== undefined && !/^https?:\/\//.test(entry.resolved)) {
      return { reason: `${label} comes from ${shown(String(entry.resolved))}` };
    }
    // SRI: algorithm-base64digest, options after `?`, several separated by spaces.
    const sha512 = /(?:^|\s)sha512-([A-Za-z0-9+/]{86}==)(?:\?\S*)?(?:\s|$)/.exec(
      typeof entry.integrity === "string" ? entry.integrity : "",
    );
    if (!sha512) return { reason: `${label} has no sha512 integrity in ${lockfile}` };
    chosen.push({ location, sha512: Buffer.from(sha512[1], "base64").toString("hex"), label });
  }
  return { packages: chosen };
}

/** npm-install-checks' rule: none of the `!x` values, and one of the others if any are given. */
function allows(value: string | undefined, list: string | string[] | undefined): boolean {
  if (list === undefined) return true;
  const values = typeof list === "string" ? [list] : list;
  if (values.length === 1 && values[0] === "any") return true;
  let negated = 0;
  let match = false;
  for (const item of values) {
    if (item.startsWith("!")) {
      negated++;
      if (value === item.slice(1)) return false;
    } else match ||= value === item;
  }
  return match || negated === values.length;
}

function fitsPlatform(entry: LockEntry, platform: Platform): boolean {
  if (!allows(platform.os, entry.os) || !allows(platform.cpu, entry.cpu)) return false;
  if (entry.libc === undefined) return true;
  // libc is only known on Linux: anywhere else a package that names one does not fit.
  const libc = platform.os === "linux" ? platform.libc() : undefined;
  return libc !== undefined && allows(libc, entry.libc);
}

function describe(platform: Platform): string {
  return `${platform.os}/${platform.cpu}`;
}

/** A value for a reason, which is one log line: quoted when printed raw it would not be. */
function shown(value: string): string {
  return hasUnsafeCharacter(value) ? show(value) : value;
}

function sameMap(a: unknown, b: unknown): boolean {
  const entries = (map: unknown) =>
    JSON.stringify(Object.entries((map ?? {}) as Record<string, unknown>).sort());
  return entries(a) === entries(b);
}
