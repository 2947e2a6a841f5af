import type { LambdaPackageInputs } from "../args";

/** How the object key is chosen. */
export type Layout = "key" | "version" | "content";

export const DEFAULT_KEY_PREFIX = "lambda";

export function layoutOf(
  inputs: Pick<LambdaPackageInputs, "key" | "version" | "versionFrom">,
): Layout {
  if (inputs.key !== undefined) return "key";
  if (inputs.version !== undefined || inputs.versionFrom !== undefined) return "version";
  return "content";
}

export function keyPrefixOf(inputs: Pick<LambdaPackageInputs, "keyPrefix">): string {
  return (inputs.keyPrefix ?? DEFAULT_KEY_PREFIX).replace(/\/+$/, "");
}

function join(prefix: string, rest: string): string {
  return prefix === "" ? rest : `${prefix}/${rest}`;
}

/** The Python seed library's semver layout: `<prefix>/source/<version>/source.zip`. */
export function versionKey(prefix: string, version: string): string {
  return join(prefix, `source/${version}/source.zip`);
}

/** Content-addressed: the same bytes always land at the same key. */
export function contentKey(prefix: string, sha256: string): string {
  return join(prefix, `${sha256}.zip`);
}
