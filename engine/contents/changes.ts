import type { ContentGroup, PackageContents } from "./groups";
import { groupId } from "./report";

/** One group whose size differs between two packages; a side without it has undefined. */
export interface GroupChange {
  readonly kind: ContentGroup["kind"];
  readonly name: string;
  readonly before?: ContentGroup;
  readonly after?: ContentGroup;
  /** Unzipped bytes after minus before. */
  readonly delta: number;
}

/** The groups whose unzipped size changed from `before` to `after`, largest change first. */
export function groupChanges(before: PackageContents, after: PackageContents): GroupChange[] {
  const a = new Map(before.groups.map((g) => [groupId(g), g]));
  const b = new Map(after.groups.map((g) => [groupId(g), g]));
  const changes: GroupChange[] = [];
  for (const id of new Set([...a.keys(), ...b.keys()])) {
    const old = a.get(id);
    const now = b.get(id);
    const delta = (now?.size ?? 0) - (old?.size ?? 0);
    if (delta === 0) continue;
    const { kind, name } = (now ?? old)!;
    changes.push({ kind, name, before: old, after: now, delta });
  }
  return changes.sort(
    (x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (groupId(x) < groupId(y) ? -1 : 1),
  );
}
