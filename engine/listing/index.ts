/** What is in a zip, read from its central directory alone, and how two zips differ. */
export {
  diffListings,
  isSameListing,
  type ChangedEntry,
  type ChangeReason,
  type ListingDiff,
} from "./diff";
export {
  MAX_DIRECTORY_BYTES,
  readCentralDirectory,
  TAIL_BYTES,
  type ListedEntry,
  type ZipListing,
} from "./read";
export { readEntryData } from "./entry";
export { openFileSource, openRegularFile, type FileSource, type RangedSource } from "./source";
