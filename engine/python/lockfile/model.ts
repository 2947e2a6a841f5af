/**
 * What the lockfile readers hand the planner: the packages one target needs,
 * each with the files the lockfile pins for it or the directory it is built
 * from. uv.lock, poetry.lock and pylock.toml all come down to this.
 */
import type { PythonTarget } from "../target";

/** The lockfiles the python packagers install from, in their order of preference. */
export const LOCKFILES = ["uv.lock", "poetry.lock", "pylock.toml"] as const;
export type LockfileName = (typeof LOCKFILES)[number];

/**
 * The hash algorithms pip's `--hash` takes, strongest first, and the length
 * of their hex digests. pip refuses any other algorithm, so a lockfile hash
 * of another is refused where it is read.
 */
export const HASH_HEX_LENGTHS: Readonly<Record<string, number>> = {
  sha512: 128,
  sha384: 96,
  sha256: 64,
};

/** One file of a package, as the lockfile pins it. */
export interface LockedFile {
  /** The file's name: a wheel's carries its tags, e.g. `idna-3.11-py3-none-any.whl`. */
  readonly filename: string;
  /** `sha256:<hex>` (or sha384/sha512), as pip's `--hash` takes them; checked by `TomlReader.hash`. */
  readonly hashes: readonly string[];
}

/** Where a locked package comes from. */
export type LockedSource =
  /** A package index (PyPI, a private index, find-links): installed from the pinned files. */
  | { readonly kind: "index"; readonly index?: string; readonly files: readonly LockedFile[] }
  /** A directory of the project (a uv workspace member, a Poetry path dependency): built here. */
  | { readonly kind: "directory"; readonly path: string }
  /** A source the packager does not install from (git, a URL, ...); an error if it is needed. */
  | { readonly kind: "unsupported"; readonly what: string };

export interface LockedPackage {
  readonly name: string;
  readonly version?: string;
  readonly source: LockedSource;
}

/** What to read a lockfile for. */
export interface LockRequest {
  /** The project directory: its `pyproject.toml` is in it, and the lockfile unless `lockDir` says otherwise. */
  readonly sourcePath: string;
  /**
   * The directory of the lockfile when it is above `sourcePath`: the root of
   * the uv workspace the project is a member of. Defaults to `sourcePath`.
   */
  readonly lockDir?: string;
  readonly target: PythonTarget;
  /** Dependency groups besides the main dependencies. */
  readonly groups: readonly string[];
  readonly extras: readonly string[];
}

/** The packages a lockfile says to install for a request. */
export interface LockSelection {
  readonly lockfile: LockfileName;
  readonly packages: readonly LockedPackage[];
}

/** The file a lockfile's URL or path names, decoded: `…/idna-3.11-py3-none-any.whl` → `idna-3.11-py3-none-any.whl`. */
export function fileName(location: string): string {
  const last = location.split(/[?#]/)[0].split("/").pop() ?? location;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
