/** The names nearest to one that was not found, for "did you mean" in an error. */

/** How many near names an error lists. */
export const NEAREST_SHOWN = 5;

/** Up to `NEAREST_SHOWN` of `names`, nearest to `wanted` first (edit distance, case ignored). */
export function nearestNames(wanted: string, names: Iterable<string>): string[] {
  const target = wanted.toLowerCase();
  return [...new Set(names)]
    .map((name) => ({ name, distance: distance(target, name.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, NEAREST_SHOWN)
    .map((n) => n.name);
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
