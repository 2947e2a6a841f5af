/** What is in a zip, read from its central directory alone, and how two zips differ. */
export {
  diffListings,
  isSameListing,
  type ChangedEntry,
  type ChangeReason,
  type ListingDiff,
} from "./diff";
export { readCentralDirectory, TAIL_BYTES, type ListedEntry, type ZipListing } from "./read";
export { openFileSource, type FileSource, type RangedSource } from "./source";
