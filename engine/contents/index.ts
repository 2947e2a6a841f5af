/** What is in a package: its size by the dependency each file comes from. */
export {
  BUNDLE_CONTENTS_FILE,
  npmPackageOf,
  readBundledOutputs,
  type BundledOutput,
} from "./bundled";
export {
  groupContents,
  type ContentGroup,
  type GroupKind,
  type PackageContents,
  type SizedFile,
} from "./groups";
export { contentsLines, describeGroup, groupId, groupLine, GROUPS_SHOWN } from "./report";
export { groupChanges, type GroupChange } from "./changes";
export { zipContents } from "./zip";
