/**
 * The glibc an object needs: the highest `GLIBC_x.y[.z]` among its version
 * needs. The loader refuses an object that needs a version its glibc lacks
 * ("version `GLIBC_2.36' not found"), so that version, not the build
 * machine's, decides where it runs.
 */

/** A glibc version as numbers, e.g. [2, 17] or [2, 2, 5]. */
export type GlibcVersion = readonly number[];

/**
 * Version names that are not `GLIBC_x.y` but need a glibc of at least that
 * version: DT_RELR relocations (`ld -z pack-relative-relocs`) came in 2.36.
 */
const MARKERS: Readonly<Record<string, string>> = { GLIBC_ABI_DT_RELR: "2.36" };

const GLIBC_NAME = /^GLIBC_(\d+(?:\.\d+)+)$/;

export function parseGlibc(text: string): GlibcVersion {
  return text.split(".").map(Number);
}

export function compareGlibc(a: GlibcVersion, b: GlibcVersion): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * The highest glibc version among `versionNeeds` (names from
 * `.gnu.version_r`), with the name that asks for it; undefined when none
 * does (a static object, or one built against musl). `GLIBC_PRIVATE` is no
 * version and is left out.
 */
export function highestGlibc(
  versionNeeds: readonly string[],
): { readonly name: string; readonly version: GlibcVersion } | undefined {
  let highest: { name: string; version: GlibcVersion } | undefined;
  for (const name of versionNeeds) {
    const text = GLIBC_NAME.exec(name)?.[1] ?? MARKERS[name];
    if (text === undefined) continue;
    const version = parseGlibc(text);
    if (!highest || compareGlibc(version, highest.version) > 0) highest = { name, version };
  }
  return highest;
}
