import ignore, { type Ignore } from "ignore";

/** Always left out: VCS data and caches that differ between machines. */
export const DEFAULT_EXCLUDES: readonly string[] = [".git", ".DS_Store", "node_modules/.cache"];

/**
 * Gitignore-style matcher over package paths (the `ignore` package, which
 * follows the gitignore spec: `!` negation, `dir/`, `**`, anchored `/x`).
 */
export function excludeMatcher(patterns: readonly string[] = []): Ignore {
  return ignore().add([...DEFAULT_EXCLUDES, ...patterns]);
}
