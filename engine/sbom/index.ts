/**
 * A software bill of materials for every package: a CycloneDX document
 * listing each third-party package the zip holds (engine/sbom/components),
 * with the archive hashes its lockfile pins (engine/sbom/hashes), built by
 * the CycloneDX library (engine/sbom/document). Scanners that read a zip's
 * manifests see nothing of what a bundle inlined; this document lists it.
 */
export {
  sbomDocument,
  purlOf,
  serialNumberOf,
  INLINED_PROPERTY,
  LOCATION_PROPERTY,
  SBOM_SPEC,
} from "./document";
export { RECORD_PROPERTY, type FoundPackage } from "./components";
export { manifestStubs } from "./stubs";
export { packagesOf } from "./packages";
