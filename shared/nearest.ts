/**
 * The names among `candidates` closest to a mistyped `name`, best first: those
 * that start with it or that it starts with (`--packagers` for
 * `--packagers-dir`), then those within an edit distance of a third of its
 * length. For "did you mean" in errors; none when nothing is close.
 */
export function nearestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const wanted = name.toLowerCase();
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  const scored: { candidate: string; score: number }[] = [];
  for (const candidate of new Set(candidates)) {
    const lower = candidate.toLowerCase();
    const prefix = lower.startsWith(wanted) || wanted.startsWith(lower);
    const distance = editDistance(wanted, lower);
    if (prefix && Math.min(wanted.length, lower.length) >= 3) scored.push({ candidate, score: 0 });
    else if (distance <= limit) scored.push({ candidate, score: distance });
  }
  scored.sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, max).map(({ candidate }) => candidate);
}

/** Levenshtein distance: insertions, deletions and substitutions, one each. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
