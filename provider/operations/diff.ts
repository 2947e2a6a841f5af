import path from "node:path";
import type { LambdaPackageInputs } from "../args";
import { FIELDS, fieldsOf, type Field } from "../fields";
import { keyPrefixOf, layoutOf } from "./layout";
import { containsUnknown } from "./unknown";

/** A change of any of these moves the object: it is replaced. */
const REPLACE_FIELDS = fieldsOf("replace");
/** The `replace` inputs that choose the key. */
const KEY_FIELDS: readonly Field[] = ["key", "keyPrefix", "version", "versionFrom"];

/** A change of any of these builds and uploads a new version under the same key. */
export const REPACKAGE_FIELDS = fieldsOf("repackage");

/** A change of these needs the same bytes under other headers: a copy in the store. */
export const REWRITE_FIELDS = fieldsOf("rewrite");

/** A change of these only changes how we talk to S3 or delete: state is updated, nothing uploaded. */
export const SETTINGS_FIELDS = fieldsOf("settings");

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  /** Fields whose change needs a new package. */
  repackage: string[];
  /** Fields whose change needs a new version of the same bytes with other headers. */
  rewrite: string[];
}

/**
 * Compares the old outputs (which echo every input) with the new inputs, by
 * the field table's diff classes. Only a new location replaces (the `replace`
 * class: the bucket, and the key those inputs compute); every other change is
 * an in-place update, which keeps older versions downloadable for functions
 * still pinned to them. Our own provider code is not compared, so upgrading
 * this package is no change.
 */
export function diffInputs(olds: Record<string, unknown>, news: LambdaPackageInputs): DiffOutcome {
  // The key is compared as the inputs that choose it compute it, not input by input.
  const replaces: string[] = REPLACE_FIELDS.filter(
    (f) => !KEY_FIELDS.includes(f) && !sameInput(f, olds[f], news[f]),
  );
  if (locationChanged(olds as LambdaPackageInputs, news)) replaces.push("key");
  const changed = (fields: readonly Field[]) =>
    fields.filter((f) => !sameInput(f, olds[f], news[f]));
  const repackage = changed(REPACKAGE_FIELDS);
  const rewrite = changed(REWRITE_FIELDS);
  const settings = changed(SETTINGS_FIELDS);
  return {
    changes: replaces.length + repackage.length + rewrite.length + settings.length > 0,
    replaces,
    repackage,
    rewrite,
  };
}

function locationChanged(olds: LambdaPackageInputs, news: LambdaPackageInputs): boolean {
  const oldLayout = (olds as { layout?: string }).layout ?? layoutOf(olds);
  const newLayout = layoutOf(news);
  if (newLayout !== "content") return !same(olds.key, news.key);
  // Content-addressed keys are only known after packaging; the prefix is the location.
  return oldLayout !== "content" || !same(keyPrefixOf(olds), keyPrefixOf(news));
}

/**
 * Paths compare by where they point from the program's directory: a state
 * that stored one absolute (as 0.1.0 did for paths beside the program) is no
 * change when check now stores it relative.
 */
function sameInput(field: Field, a: unknown, b: unknown): boolean {
  const isPath = "path" in FIELDS[field];
  if (isPath && typeof a === "string" && typeof b === "string" && !containsUnknown(b))
    return path.resolve(a) === path.resolve(b);
  return same(a, b);
}

/** Structural equality where a missing value equals undefined, and unknown is never equal. */
export function same(a: unknown, b: unknown): boolean {
  if (containsUnknown(a) || containsUnknown(b)) return false;
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
