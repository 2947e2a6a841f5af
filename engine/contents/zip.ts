/**
 * What a zip holds, by group (`groupContents`), read from its central
 * directory and its distributions' `RECORD` files alone: a local file or an
 * S3 object version costs the directory's bytes and those few small entries.
 */
import {
  readCentralDirectory,
  readEntryData,
  type RangedSource,
  type ZipListing,
} from "../listing";
import type { BundledOutput } from "./bundled";
import { groupContents, type PackageContents } from "./groups";
import { isDistRecord } from "./python";

/** The largest RECORD read: a distribution of 100,000 files lists about 10 MiB. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * The contents of the zip in `source`; `bundles` what its build knew of its
 * bundles, if known; `listing` its directory when the caller read it already.
 */
export async function zipContents(
  source: RangedSource,
  bundles: readonly BundledOutput[] = [],
  listing?: ZipListing,
): Promise<PackageContents> {
  listing ??= await readCentralDirectory(source);
  // A name listed twice is extracted once, the later entry winning.
  const files = new Map(
    listing.entries.filter((e) => !e.directory).map((entry) => [entry.name, entry]),
  );
  const records = new Map<string, string>();
  for (const entry of files.values()) {
    if (!isDistRecord(entry.name)) continue;
    records.set(
      entry.name,
      (await readEntryData(source, entry, MAX_RECORD_BYTES)).toString("utf8"),
    );
  }
  return groupContents([...files.values()], records, bundles);
}
