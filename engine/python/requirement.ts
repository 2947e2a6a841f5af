/**
 * PEP 508 requirements (`requests[socks]>=2.31,<3; python_version < "3.13"`)
 * and PEP 503 names, as `pyproject.toml` and lockfiles write them.
 */
import { normalizeSpecifiers } from "./version";

/** A requirement, split into its parts. */
export interface Requirement {
  /** As written. */
  readonly name: string;
  /** Normalized extras, sorted. */
  readonly extras: readonly string[];
  /** The version specifiers as written, e.g. `>=2.31,<3`; empty for any version. */
  readonly specifier: string;
  /** A direct reference (`name @ url`), when it is one. */
  readonly url?: string;
  readonly marker?: string;
}

/** PEP 503: `Foo.Bar_baz` → `foo-bar-baz`, the form names are compared in. */
export function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, "-");
}

/** A PEP 508 name (distributions, extras, dependency groups): letters, digits, `.`, `_`, `-`, alphanumeric at both ends. */
const NAME = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
const WHOLE_NAME = new RegExp(`^${NAME}$`);

/** Whether `text` is a PEP 508 name, exactly: no spaces, no version, nothing after it. */
export function isName(text: string): boolean {
  return WHOLE_NAME.test(text);
}

const REQUIREMENT = new RegExp(
  `^\\s*(${NAME})\\s*(?:\\[([^\\]]*)\\])?\\s*(?:@\\s*([^\\s;]+)\\s*|\\(?\\s*([^;()]*?)\\s*\\)?\\s*)(?:;\\s*(.*?))?\\s*$`,
);

/** The parts of a PEP 508 requirement string, or undefined when it is not one. */
export function parseRequirement(text: string): Requirement | undefined {
  const m = REQUIREMENT.exec(text);
  if (!m) return undefined;
  const [, name, extras, url, specifier, marker] = m;
  return {
    name,
    extras: (extras ?? "")
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean)
      .map(normalizeName)
      .sort(),
    specifier: specifier ?? "",
    ...(url && { url }),
    ...(marker && { marker }),
  };
}

/**
 * What a requirement asks for, in one spelling whatever the spacing, the
 * order of clauses or the case of the name: `requests[socks]<3,>=2.31`. The
 * marker is left out: tools rewrite markers (uv simplifies them against
 * `requires-python`), so comparing them would report changes nobody made.
 */
export function requirementKey(
  requirement: Pick<Requirement, "name" | "extras" | "specifier" | "url">,
): string {
  const extras = requirement.extras.length ? `[${[...requirement.extras].sort().join(",")}]` : "";
  const what = requirement.url
    ? ` @ ${requirement.url}`
    : normalizeSpecifiers(requirement.specifier);
  return `${normalizeName(requirement.name)}${extras}${what}`;
}
