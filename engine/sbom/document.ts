/**
 * The CycloneDX document of a package, built with the CycloneDX project's
 * own library: one `library` component per package (by package URL; a
 * package installed at several places is one component with each place as a
 * property), the zip itself as the document's subject. Reproducible like the
 * zip: no timestamp, and the serial number is derived from the zip's
 * SHA-256, so the same zip always has the same document, byte for byte.
 */
import type * as CycloneDX from "@cyclonedx/cyclonedx-library";
import { PackageURL } from "packageurl-js";
import type { FoundPackage } from "./components";

/*
 * The library's parts, not its root: the root also loads its validators (ajv
 * and its formats) and builders, which a build never uses: about 40 ms of CPU
 * a build, on the zip's cores. TypeScript's `node` resolution cannot see the
 * package's subpath exports, so they are required here and typed by the root.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const Enums = require("@cyclonedx/cyclonedx-library/Enums") as typeof CycloneDX.Enums;
const Models = require("@cyclonedx/cyclonedx-library/Models") as typeof CycloneDX.Models;
const Serialize = require("@cyclonedx/cyclonedx-library/Serialize") as typeof CycloneDX.Serialize;
const Spec = require("@cyclonedx/cyclonedx-library/Spec") as typeof CycloneDX.Spec;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The CycloneDX version written. */
export const SBOM_SPEC = Spec.Spec1dot6;

/** The property naming where a package is in the zip, one per place. */
export const LOCATION_PROPERTY = "lambda-package:location";
/** The property naming where a package the bundle inlined was installed, one per copy. */
export const INLINED_PROPERTY = "lambda-package:inlined-from";

export interface SbomSubject {
  /** A name for the package: the source directory's base name. */
  readonly name: string;
  /** SHA-256 of the zip, hex. */
  readonly sha256: string;
}

/** The document as JSON text. */
export function sbomDocument(subject: SbomSubject, packages: readonly FoundPackage[]): string {
  const bom = new Models.Bom({ serialNumber: serialNumberOf(subject.sha256) });
  const zip = new Models.Component(Enums.ComponentType.Application, subject.name, {
    bomRef: `zip:sha256:${subject.sha256}`,
    hashes: new Models.HashDictionary([[Enums.HashAlgorithm["SHA-256"], subject.sha256]]),
  });
  bom.metadata.component = zip;
  const byPurl = new Map<string, CycloneDX.Models.Component>();
  for (const pkg of packages) {
    const purl = purlOf(pkg);
    let component = byPurl.get(purl);
    if (!component) {
      const scoped = pkg.ecosystem === "npm" && pkg.name.startsWith("@");
      const [group, name] = scoped ? pkg.name.split("/", 2) : [undefined, pkg.name];
      component = new Models.Component(Enums.ComponentType.Library, name, {
        bomRef: purl,
        group,
        version: pkg.version,
        purl,
      });
      byPurl.set(purl, component);
      bom.components.add(component);
      zip.dependencies.add(component.bomRef);
    }
    for (const [algorithm, digest] of Object.entries(pkg.hashes)) {
      component.hashes.set(algorithm as CycloneDX.Enums.HashAlgorithm, digest);
    }
    const property = pkg.inlined ? INLINED_PROPERTY : LOCATION_PROPERTY;
    component.properties.add(new Models.Property(property, pkg.where));
    for (const [name, value] of Object.entries(pkg.properties)) {
      component.properties.add(new Models.Property(name, value));
    }
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(SBOM_SPEC));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

/** `pkg:npm/%40scope/name@1.0.0`, `pkg:pypi/name@1.0.0` (the purl spec's normalized forms). */
export function purlOf(pkg: Pick<FoundPackage, "ecosystem" | "name" | "version">): string {
  if (pkg.ecosystem === "pypi") {
    const name = pkg.name.toLowerCase().replace(/[-_.]+/g, "-");
    return new PackageURL("pypi", undefined, name, pkg.version, undefined, undefined).toString();
  }
  const scoped = pkg.name.startsWith("@");
  const [namespace, name] = scoped ? pkg.name.split("/", 2) : [undefined, pkg.name];
  return new PackageURL("npm", namespace, name, pkg.version, undefined, undefined).toString();
}

/**
 * `urn:uuid:` from the zip's SHA-256: its first 128 bits, marked as a
 * version 8 (custom) RFC 9562 UUID, so equal zips have equal serial numbers
 * and different ones, different.
 */
export function serialNumberOf(sha256: string): `urn:uuid:${string}` {
  const hex = sha256.slice(0, 32).split("");
  hex[12] = "8";
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join("");
  return `urn:uuid:${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
