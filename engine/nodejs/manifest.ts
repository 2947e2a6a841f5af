/** Reading `package.json`: the fields the nodejs packagers act on. */
import path from "node:path";
import { readTextIfPresent } from "../../shared/files";
import { LambdaPackageError } from "../../shared/errors";

/** The parts of a `package.json` the packagers read. */
export interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  /** npm's and yarn's workspaces: a list of globs, or (yarn classic) `{ packages: [...] }`. */
  readonly workspaces?: readonly string[] | { readonly packages?: readonly string[] };
  /** corepack's field: `pnpm@10.4.1`, `yarn@4.6.0+sha512.…`. */
  readonly packageManager?: string;
}

/** The `package.json` in `dir`, or undefined when there is none. */
export function readPackageJson(dir: string): PackageJson | undefined {
  const file = path.join(dir, "package.json");
  const text = readTextIfPresent(file);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new Error("it is not a JSON object");
    }
    return value;
  } catch (error) {
    throw new LambdaPackageError(
      "PACKAGE_JSON_INVALID",
      `${file} is not valid package.json: ${(error as Error).message}. Fix it so that npm can read it.`,
      { cause: error },
    );
  }
}

/** The packages an install for production brings in: `dependencies` and `optionalDependencies`. */
export function productionDependencies(manifest: PackageJson): string[] {
  return [
    ...new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
    ]),
  ];
}
