import type { LambdaPackageInputs } from "../args";
import { FIELDS } from "../fields";
import type { Layout } from "../outputs";

export function layoutOf(
  inputs: Pick<LambdaPackageInputs, "key" | "version" | "versionFrom">,
): Layout {
  if (inputs.key !== undefined) return "key";
  if (inputs.version !== undefined || inputs.versionFrom !== undefined) return "version";
  return "content";
}

export function keyPrefixOf(inputs: Pick<LambdaPackageInputs, "keyPrefix">): string {
  return (inputs.keyPrefix ?? FIELDS.keyPrefix.default).replace(/\/+$/, "");
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
