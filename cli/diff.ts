import type { S3Client } from "@aws-sdk/client-s3";
import {
  diffListings,
  isSameListing,
  openFileSource,
  readCentralDirectory,
  type ListedEntry,
  type ListingDiff,
  type ZipListing,
} from "../engine/listing";
import {
  describeGroup,
  groupChanges,
  zipContents,
  type GroupChange,
  type PackageContents,
} from "../engine/contents";
import type { RangedSource } from "../engine/listing";
import { escapeText, formatBytes } from "../shared/format";

/** Exit codes of `diff`, as diff(1) has them. */
export const DIFF_EXIT = { same: 0, different: 1, trouble: 2 } as const;

/** Two zips' file lists compared, and their sizes by group (engine/contents). */
export interface ZipsDiff extends ListingDiff {
  readonly groups: readonly GroupChange[];
}

/**
 * Runs `use` on a zip as a ranged source: a local file, or an `s3://` URI
 * (read with ranged GETs of the parts asked for, never the whole object).
 * The S3 client, made only for an `s3://` side, takes its settings from the
 * environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_S3).
 */
export async function withZipSources<T>(
  sides: readonly string[],
  use: (sources: RangedSource[]) => Promise<T>,
): Promise<T> {
  let client: S3Client | undefined;
  const opened: { close(): Promise<void> }[] = [];
  // Loaded only for an s3:// side: the AWS SDK is most of what a local command would load.
  const s3 = sides.some((side) => side.startsWith("s3://"))
    ? await import("../provider/s3")
    : undefined;
  try {
    const sources = await Promise.all(
      sides.map(async (side) => {
        if (s3 && side.startsWith("s3://")) {
          const ref = s3.parseS3Uri(side);
          client ??= s3.createS3Client({});
          return s3.openS3Source(client, ref);
        }
        const source = await openFileSource(side);
        opened.push(source);
        return source;
      }),
    );
    return await use(sources);
  } finally {
    await Promise.all(opened.map((s) => s.close()));
    // Assigned in the callbacks above, which the compiler does not follow.
    client?.destroy();
  }
}

/**
 * The file lists of two zips, each a local file or an `s3://` URI, how they
 * differ, and how the size of each group (npm package, Python distribution,
 * own files) changed; read from the directories and the distributions'
 * `RECORD` entries only.
 */
export async function diffZips(before: string, after: string): Promise<ZipsDiff> {
  return withZipSources([before, after], async (sources) => {
    const read = async (source: RangedSource): Promise<[ZipListing, PackageContents]> => {
      const listing = await readCentralDirectory(source);
      return [listing, await zipContents(source, [], listing)];
    };
    const [[a, aContents], [b, bContents]] = await Promise.all(sources.map(read));
    return { ...diffListings(a, b), groups: groupChanges(aContents, bContents) };
  });
}

/** The exit code for a diff: 0 when the zips hold the same files, 1 when not. */
export function diffExitCode(diff: ListingDiff): number {
  return isSameListing(diff) ? DIFF_EXIT.same : DIFF_EXIT.different;
}

/**
 * One line per file, sorted by name within each kind, then a summary; names
 * are escaped (`escapeText`), `--json` has them as they are:
 *
 *     added    2.0 KiB            lib/new.js
 *     changed  1.0 KiB → 1.2 KiB  index.js (crc32, size)
 *     changed  100644 → 100755    run.sh (mode)
 *     1 added, 0 removed, 2 changed, 120 unchanged
 */
export function describeDiff(diff: ZipsDiff): string {
  // Names come from the zips, which anyone may have made: escaped, so none
  // can print a line of its own or send the terminal an escape sequence.
  const line = (kind: string, what: string, name: string, after = "") =>
    `${kind.padEnd(8)} ${what.padEnd(19)} ${escapeText(name)}${after}`;
  const lines = [
    ...diff.added.map((e) => line("added", formatBytes(e.size), e.name)),
    ...diff.removed.map((e) => line("removed", formatBytes(e.size), e.name)),
    ...diff.changed.map((c) => {
      const what =
        c.reasons.length === 1 && c.reasons[0] === "mode"
          ? `${mode(c.before)} → ${mode(c.after)}`
          : `${formatBytes(c.before.size)} → ${formatBytes(c.after.size)}`;
      return line("changed", what, c.name, ` (${c.reasons.join(", ")})`);
    }),
    `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ` +
      `${diff.unchanged} unchanged`,
  ];
  if (diff.groups.length > 0)
    lines.push("size by group (unzipped):", ...diff.groups.map(groupChangeLine));
  return `${lines.join("\n")}\n`;
}

/** `  +23.7 MiB  aws-sdk (npm, 120 files)  0 B → 23.7 MiB` */
function groupChangeLine(change: GroupChange): string {
  const sign = change.delta > 0 ? "+" : "-";
  const what = describeGroup((change.after ?? change.before)!);
  return (
    `  ${`${sign}${formatBytes(Math.abs(change.delta))}`.padStart(11)}  ${what}  ` +
    `${formatBytes(change.before?.size ?? 0)} → ${formatBytes(change.after?.size ?? 0)}`
  );
}

/** The diff as JSON: sizes in bytes, CRC-32 as 8 hex digits, modes in octal (null when unknown). */
export function diffJson(diff: ZipsDiff): string {
  const file = (e: ListedEntry) => ({
    name: e.name,
    size: e.size,
    crc32: e.crc32.toString(16).padStart(8, "0"),
    mode: e.mode === undefined ? null : e.mode.toString(8),
  });
  return `${JSON.stringify(
    {
      same: isSameListing(diff),
      added: diff.added.map(file),
      removed: diff.removed.map(file),
      changed: diff.changed.map((c) => ({
        name: c.name,
        reasons: c.reasons,
        before: file(c.before),
        after: file(c.after),
      })),
      unchanged: diff.unchanged,
      groups: diff.groups.map((g) => ({
        kind: g.kind,
        name: g.name,
        before: g.before?.size ?? 0,
        after: g.after?.size ?? 0,
        delta: g.delta,
      })),
    },
    null,
    2,
  )}\n`;
}

function mode(entry: ListedEntry): string {
  return entry.mode === undefined ? "unknown" : entry.mode.toString(8);
}
