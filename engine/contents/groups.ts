/**
 * A package's size by where it comes from: each file counted to one group,
 * an npm package under `node_modules`, an npm package inlined in a bundle
 * (from the build's esbuild metafile), a Python distribution (from its
 * `RECORD`), or the project's own files. Read from names, sizes and the
 * few small files that say what belongs to what; nothing is run.
 */
import { escapeText } from "../../shared/format";
import { npmPackageOf, type BundledOutput } from "./bundled";
import { DistIndex } from "./python";

/** Where a group's bytes come from. */
export type GroupKind = "npm" | "bundled" | "python" | "own";

/** One file of the package, as the zip's directory lists it. */
export interface SizedFile {
  readonly name: string;
  readonly size: number;
  readonly compressedSize: number;
}

export interface ContentGroup {
  readonly kind: GroupKind;
  /** The npm package (`@scope/name`) or Python distribution; empty for the project's own files. */
  readonly name: string;
  /** The Python distribution's version, from its `.dist-info`. */
  readonly version?: string;
  /** For `bundled`: the bundle files it is inlined in. */
  readonly bundles?: readonly string[];
  /** Files in the package (for `bundled`: source files esbuild inlined). */
  readonly files: number;
  /** Unzipped bytes. */
  readonly size: number;
  /**
   * Zipped bytes. A bundle is compressed as one file, so an inlined package's share is its
   * share of the bundle's bytes (`estimated`).
   */
  readonly compressedSize: number;
  readonly estimated?: boolean;
  /** The group's largest file and its unzipped size (for `bundled`, the bundle). */
  readonly largest: { readonly name: string; readonly size: number };
}

/** What a package holds, by group, largest first. */
export interface PackageContents {
  readonly files: number;
  /** Unzipped bytes of all files. */
  readonly size: number;
  /** Compressed bytes of all files (the zip is this plus headers and its directory). */
  readonly compressedSize: number;
  readonly groups: readonly ContentGroup[];
  /** What the grouping could not tell, e.g. that a bundle's insides are unknown from a zip alone. */
  readonly notes: readonly string[];
}

/** A JavaScript file this large, seen in a zip alone, is likely a bundle worth a note. */
const LARGE_SCRIPT = 1024 * 1024;

interface Tally {
  kind: GroupKind;
  name: string;
  version?: string;
  bundles?: Set<string>;
  files: number;
  size: number;
  compressedSize: number;
  estimated?: boolean;
  largest: { name: string; size: number };
}

/**
 * Groups `files`. `records` are the texts of the package's `*.dist-info/RECORD`
 * files by entry name (`isDistRecord`); `bundles` what the build knew of its
 * bundle outputs, none for a zip alone.
 */
export function groupContents(
  files: readonly SizedFile[],
  records: ReadonlyMap<string, string>,
  bundles: readonly BundledOutput[],
): PackageContents {
  const dists = new DistIndex(records);
  const bundleByFile = new Map(bundles.map((b) => [b.file, b]));
  const tallies = new Map<string, Tally>();
  const add = (
    key: Pick<Tally, "kind" | "name" | "version">,
    file: { name: string; size: number },
    size: number,
    compressedSize: number,
    count = 1,
  ) => {
    const id = `${key.kind}\0${key.name}`;
    let tally = tallies.get(id);
    if (!tally) {
      tally = { ...key, files: 0, size: 0, compressedSize: 0, largest: file };
      tallies.set(id, tally);
    }
    tally.files += count;
    tally.size += size;
    tally.compressedSize += compressedSize;
    if (file.size > tally.largest.size) tally.largest = file;
    return tally;
  };
  const own = { kind: "own", name: "" } as const;
  for (const file of files) {
    const bundle = bundleByFile.get(file.name);
    if (bundle) {
      // Each package's bytes in the output, the rest (the project's code, esbuild's helpers) own.
      let rest = file.size;
      for (const [name, { bytes, files: count }] of Object.entries(bundle.packages)) {
        const share = Math.min(bytes, rest);
        rest -= share;
        const zipped = file.size === 0 ? 0 : Math.round((file.compressedSize * share) / file.size);
        const tally = add({ kind: "bundled", name }, file, share, zipped, count);
        (tally.bundles ??= new Set()).add(file.name);
        tally.estimated = true;
      }
      const zipped = file.size === 0 ? 0 : Math.round((file.compressedSize * rest) / file.size);
      add(own, file, rest, zipped).estimated = true;
      continue;
    }
    const npm = npmPackageOf(file.name);
    const dist = npm === undefined ? dists.of(file.name) : undefined;
    const key = npm
      ? ({ kind: "npm", name: npm } as const)
      : dist
        ? ({ kind: "python", name: dist.name, version: dist.version } as const)
        : own;
    add(key, file, file.size, file.compressedSize);
  }
  const groups = [...tallies.values()]
    .map(({ bundles: inBundles, ...tally }) => ({
      ...tally,
      ...(inBundles && { bundles: [...inBundles].sort() }),
    }))
    .sort((a, b) => b.size - a.size || compareText(a.kind + a.name, b.kind + b.name));
  return {
    files: files.length,
    size: files.reduce((sum, f) => sum + f.size, 0),
    compressedSize: files.reduce((sum, f) => sum + f.compressedSize, 0),
    groups,
    notes: bundles.length === 0 ? unknownBundles(files) : [],
  };
}

/**
 * Large scripts of the project's own, in a package whose build record is not
 * at hand: each may be a bundle, whose inlined packages only its build knew.
 */
function unknownBundles(files: readonly SizedFile[]): string[] {
  const names = new Set(files.map((f) => f.name));
  return files
    .filter(
      (f) =>
        /\.(c|m)?js$/.test(f.name) &&
        npmPackageOf(f.name) === undefined &&
        (f.size >= LARGE_SCRIPT || names.has(`${f.name}.map`)),
    )
    .map(
      (f) =>
        `${escapeText(f.name)} is one file here; if it is a bundle, which packages it inlines is known only ` +
        `to the build that made it (lambda-package build reports them from esbuild's metafile)`,
    );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
