import { readFileSync } from "node:fs";
import path from "node:path";
// The one function, not the package: `check` runs this in every preview, and the whole of
// semver is some fifty modules to load.
import validSemver from "semver/functions/valid";

/** Reads the project version from `pyproject.toml` ([project].version) or `package.json`. */
export function readProjectVersion(
  sourcePath: string,
  from: "pyproject.toml" | "package.json",
): { version?: string; problem?: string } {
  const file = path.join(sourcePath, from);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {
      problem: `versionFrom is "${from}" but ${file} cannot be read; create it or set "version".`,
    };
  }
  const version = from === "package.json" ? packageJsonVersion(text) : pyprojectVersion(text);
  if (version === undefined) {
    const where = from === "package.json" ? `"version"` : `[project] version = "…"`;
    return { problem: `${file} has no ${where}; add one or set "version".` };
  }
  return { version };
}

function packageJsonVersion(text: string): string | undefined {
  try {
    const value = (JSON.parse(text) as { version?: unknown }).version;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Just enough TOML for `[project]` → `version = "x"`: no TOML dependency for one string. */
function pyprojectVersion(text: string): string | undefined {
  let inProject = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line.startsWith("[")) inProject = line === "[project]";
    const match = inProject && /^version\s*=\s*["']([^"']+)["']$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

export function semverProblem(version: string): string | undefined {
  if (validSemver(version) === version) return undefined;
  return `"${version}" is not a semantic version (major.minor.patch, e.g. "1.4.2" or "2.0.0-rc.1").`;
}
