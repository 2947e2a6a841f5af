/**
 * Why an update uploads: what differs between the version the state records
 * and the package about to replace it, file by file, read from the two zips'
 * central directories (the old one with ranged GETs of its tail, never the
 * whole object). It is only a log: when the old list cannot be read (no
 * permission, the version is gone), it says so in one line and the update
 * goes on.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import {
  diffListings,
  openFileSource,
  readCentralDirectory,
  type ListingDiff,
  type ZipListing,
} from "../../engine/listing";
import { LambdaPackageError } from "../../shared/errors";
import type { LambdaPackageOutputs } from "../outputs";
import { openS3Source } from "../s3";
import type { Package } from "./package";

/** How many paths of each kind the log names. */
const SHOWN = 20;

export async function logChanges(
  client: S3Client,
  olds: LambdaPackageOutputs,
  pkg: Package,
  log: (line: string) => void,
): Promise<void> {
  let diff: ListingDiff;
  try {
    const before = await readCentralDirectory(
      await openS3Source(client, { bucket: olds.bucket, key: olds.key, versionId: olds.versionId }),
    );
    diff = diffListings(before, await listingOf(client, pkg));
  } catch (error) {
    const reason = error instanceof LambdaPackageError ? error.message : String(error);
    log(`what changed since version ${olds.versionId} cannot be said: ${reason}`);
    return;
  }
  log(
    `changes since version ${olds.versionId}: ${diff.added.length} added, ` +
      `${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} the same`,
  );
  const name = (entry: { name: string }) => entry.name;
  section(log, "added", diff.added.map(name));
  section(log, "removed", diff.removed.map(name));
  section(
    log,
    "changed",
    diff.changed.map((c) => `${c.name} (${c.reasons.join(", ")})`),
  );
}

/** The new package's file list: from the zip built here, or the cache entry in the store. */
async function listingOf(client: S3Client, pkg: Package): Promise<ZipListing> {
  if (pkg.kind === "cached") return readCentralDirectory(await openS3Source(client, pkg.entry));
  const file = await openFileSource(pkg.file);
  try {
    return await readCentralDirectory(file);
  } finally {
    await file.close();
  }
}

function section(log: (line: string) => void, what: string, names: readonly string[]): void {
  if (names.length === 0) return;
  const more = names.length > SHOWN ? ` … and ${names.length - SHOWN} more` : "";
  log(`  ${what}: ${names.slice(0, SHOWN).join(", ")}${more}`);
}
