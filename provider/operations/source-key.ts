/**
 * The key a version is diffed on. Given, it is the user's `sourceKey`. Left
 * out, it is automatic: `reads:<hex>`, the key of what the last build read
 * (engine/reads), recorded in the state as `sourceReads`. Preview computes
 * the key of the recorded set as the files are now and compares: a change
 * in anything the build read plans an update; nothing else does. The first
 * build of a resource has no record, so it packages.
 */
import path from "node:path";
import { readsKey } from "../../engine/reads/key";
import type { LambdaPackageInputs } from "../args";
import { storedPath } from "./check";

/** The automatic key of a resource with no record of what its build read: equal to no key. */
export const NOT_YET_READ = "reads:none";

/** What the state records of a version's source: the key, and with an automatic key, the reads. */
export interface RecordedSource {
  readonly sourceKey: string;
  /** Paths the build read, stored as `storedPath` stores paths; only with an automatic key. */
  readonly sourceReads?: string[];
}

/**
 * `news` with the key it is diffed on: as given, or the automatic key of the
 * reads the state records (`olds.sourceReads`), taken now.
 */
export async function withSourceKey(
  olds: Record<string, unknown>,
  news: LambdaPackageInputs,
): Promise<LambdaPackageInputs> {
  if (news.sourceKey !== undefined) return news;
  const reads = olds.sourceReads;
  const recorded = Array.isArray(reads) && reads.every((r) => typeof r === "string");
  return { ...news, sourceKey: recorded ? await readsKey(reads.map(absolute)) : NOT_YET_READ };
}

/**
 * What to record for a version built (or taken from the cache) having read `reads` (absolute),
 * whose key (`readsKey`) is `key`.
 */
export function recordedSource(
  inputs: LambdaPackageInputs,
  reads: readonly string[],
  key: string,
): RecordedSource {
  if (inputs.sourceKey !== undefined) return { sourceKey: inputs.sourceKey };
  return { sourceKey: key, sourceReads: reads.map(storedPath) };
}

/** A recorded path as the file it names, from the program's directory. */
export function absolute(stored: string): string {
  return path.resolve(stored);
}
