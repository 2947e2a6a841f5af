import type { ListedEntry, ZipListing } from "./read";

/** What makes a file "changed": its CRC-32, its size, or its Unix mode. */
export type ChangeReason = "crc32" | "size" | "mode";

/** A file in both zips whose content or mode differs. */
export interface ChangedEntry {
  readonly name: string;
  readonly before: ListedEntry;
  readonly after: ListedEntry;
  /** Which of CRC-32, size and mode differ, in that order; never empty. */
  readonly reasons: readonly ChangeReason[];
}

/** How two zips differ, file by file, each list sorted by name. */
export interface ListingDiff {
  /** Files only in the second zip. */
  readonly added: readonly ListedEntry[];
  /** Files only in the first zip. */
  readonly removed: readonly ListedEntry[];
  readonly changed: readonly ChangedEntry[];
  /** How many files are in both and the same. */
  readonly unchanged: number;
}

/**
 * The files added, removed and changed from `before` to `after`. A file is
 * changed when its CRC-32, size or mode differs: what the central directory
 * says, so no entry data is read. Directory entries are left out: they hold
 * no content, `zip -r` adds them and our zipper does not, so comparing the
 * two would otherwise list every directory. When a name occurs twice, the
 * later entry counts, as it does when the zip is extracted.
 */
export function diffListings(before: ZipListing, after: ZipListing): ListingDiff {
  const a = filesByName(before);
  const b = filesByName(after);
  const added: ListedEntry[] = [];
  const removed: ListedEntry[] = [];
  const changed: ChangedEntry[] = [];
  let unchanged = 0;
  for (const [name, entry] of b) if (!a.has(name)) added.push(entry);
  for (const [name, old] of a) {
    const entry = b.get(name);
    if (!entry) {
      removed.push(old);
      continue;
    }
    const reasons: ChangeReason[] = [];
    if (old.crc32 !== entry.crc32) reasons.push("crc32");
    if (old.size !== entry.size) reasons.push("size");
    if (old.mode !== entry.mode) reasons.push("mode");
    if (reasons.length > 0) changed.push({ name, before: old, after: entry, reasons });
    else unchanged++;
  }
  const byName = (x: { name: string }, y: { name: string }) =>
    x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
  return {
    added: added.sort(byName),
    removed: removed.sort(byName),
    changed: changed.sort(byName),
    unchanged,
  };
}

/** Whether two zips hold the same files: nothing added, removed or changed. */
export function isSameListing(diff: ListingDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

function filesByName(listing: ZipListing): Map<string, ListedEntry> {
  const files = new Map<string, ListedEntry>();
  for (const entry of listing.entries) if (!entry.directory) files.set(entry.name, entry);
  return files;
}
