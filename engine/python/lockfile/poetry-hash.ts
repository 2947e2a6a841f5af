/**
 * Poetry's `content-hash`: the SHA-256 of the parts of `pyproject.toml` that
 * decide the lock, as Python's `json.dumps(…, sort_keys=True)` writes them
 * (poetry/packages/locker.py, `Locker._get_content_hash`). A lock whose hash
 * differs was made from another pyproject.toml: Poetry itself then refuses
 * to install ("pyproject.toml changed significantly since poetry.lock was
 * last generated").
 */
import { createHash } from "node:crypto";
import type { TomlTable } from "./toml";

/** `[tool.poetry]` keys that count, and those counted even when absent (as `null`). */
const LEGACY_KEYS = ["dependencies", "source", "extras", "dev-dependencies"];
const RELEVANT_KEYS = [...LEGACY_KEYS, "group"];
const PROJECT_KEYS = ["requires-python", "dependencies", "optional-dependencies"];

/**
 * The content-hash Poetry writes for `pyproject`. Poetry 2.3 added
 * `[dependency-groups]` to it; `withDependencyGroups: false` gives the hash of
 * older Poetry versions.
 */
export function poetryContentHash(pyproject: TomlTable, withDependencyGroups = true): string {
  const table = (value: unknown): TomlTable =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as TomlTable)
      : {};
  const project = table(pyproject.project);
  const groups = withDependencyGroups ? table(pyproject["dependency-groups"]) : {};
  const poetry = table(table(pyproject.tool).poetry);

  const relevantProject: TomlTable = {};
  for (const key of PROJECT_KEYS) {
    if (project[key] !== undefined) relevantProject[key] = project[key];
  }
  const hasProject = Object.keys(relevantProject).length > 0;
  const hasGroups = Object.keys(groups).length > 0;
  const relevantPoetry: TomlTable = {};
  for (const key of RELEVANT_KEYS) {
    const value = poetry[key];
    // Absent legacy keys count as null, unless [project] or [dependency-groups] has content.
    if (value === undefined && (!LEGACY_KEYS.includes(key) || hasProject || hasGroups)) continue;
    relevantPoetry[key] = value ?? null;
  }
  let content: TomlTable = {};
  if (hasProject) content.project = relevantProject;
  if (hasGroups) content["dependency-groups"] = groups;
  if (hasProject || hasGroups) content.tool = { poetry: relevantPoetry };
  // Without [project] content, the [tool.poetry] keys sit at the top, as they always did.
  else content = relevantPoetry;
  return createHash("sha256").update(pythonJson(content)).digest("hex");
}

/** `json.dumps(value, sort_keys=True)` as Python writes it: ", " and ": " separators, ASCII only. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return pythonFloat(value);
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${pythonString(key)}: ${pythonJson((value as TomlTable)[key])}`);
  return `{${entries.join(", ")}}`;
}

/** TOML floats are Python floats: `1.0`, not `1` (integers arrive as BigInt). */
function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? value.toFixed(1) : String(value);
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** Everything outside printable ASCII is `\uXXXX` (UTF-16 code units, as Python writes them). */
function pythonString(text: string): string {
  let out = '"';
  for (const unit of text.split("")) {
    const code = unit.charCodeAt(0);
    if (ESCAPES[unit]) out += ESCAPES[unit];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += unit;
  }
  return `${out}"`;
}
