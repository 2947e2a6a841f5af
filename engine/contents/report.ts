/**
 * A package's contents as people read them: its totals, then its largest
 * groups one a line, unzipped and zipped, then what could not be told.
 *
 *     4.7 MiB zipped, 61.0 MiB unzipped, 1,234 files; largest contributors:
 *       unzipped     zipped
 *       23.7 MiB  ~ 4.1 MiB  aws-sdk (npm, inlined in index.js)
 *        1.2 MiB    0.3 MiB  numpy 1.26.4 (Python, 812 files)
 */
import { escapeText, formatBytes } from "../../shared/format";
import type { ContentGroup, PackageContents } from "./groups";

/** How many groups a report lists before summing up the rest. */
export const GROUPS_SHOWN = 10;

/** The report's lines, the `limit` largest groups listed. */
export function contentsLines(contents: PackageContents, limit = GROUPS_SHOWN): string[] {
  const shown = contents.groups.slice(0, limit);
  const rest = contents.groups.slice(limit);
  const lines = [
    `${formatBytes(contents.compressedSize)} zipped, ${formatBytes(contents.size)} unzipped, ` +
      `${contents.files} files; largest contributors:`,
    `  ${"unzipped".padStart(10)}  ${"zipped".padStart(11)}`,
    ...shown.map(groupLine),
  ];
  if (rest.length > 0) {
    const size = rest.reduce((sum, g) => sum + g.size, 0);
    lines.push(`  … and ${rest.length} more groups, ${formatBytes(size)} unzipped together`);
  }
  for (const note of contents.notes) lines.push(`  note: ${note}`);
  return lines;
}

/** One group: its sizes, its name and what it is. */
export function groupLine(group: ContentGroup): string {
  const zipped = `${group.estimated ? "~ " : ""}${formatBytes(group.compressedSize)}`;
  return `  ${formatBytes(group.size).padStart(10)}  ${zipped.padStart(11)}  ${describeGroup(group)}`;
}

/** `aws-sdk (npm, inlined in index.js)`, `numpy 1.26.4 (Python, 812 files)`, `own files (…)`. */
export function describeGroup(group: ContentGroup): string {
  const count = `${group.files} file${group.files === 1 ? "" : "s"}`;
  switch (group.kind) {
    case "bundled":
      return (
        `${escapeText(group.name)} (npm, inlined in ${(group.bundles ?? []).map(escapeText).join(", ")}` +
        `, ${group.files} source file${group.files === 1 ? "" : "s"})`
      );
    case "npm":
      return `${escapeText(group.name)} (npm, ${count})`;
    case "python":
      return `${escapeText(group.name)} ${escapeText(group.version ?? "")} (Python, ${count})`;
    case "own":
      return `own files (${count}; largest ${escapeText(group.largest.name)}, ${formatBytes(group.largest.size)})`;
  }
}

/** The identity of a group across two packages: its kind and name. */
export function groupId(group: Pick<ContentGroup, "kind" | "name">): string {
  return `${group.kind}:${group.name}`;
}
