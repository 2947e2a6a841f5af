/**
 * PEP 440 versions and specifiers, as far as lockfiles and markers need them:
 * comparing `python_version` in a marker, matching a lockfile's
 * `requires-python`, and writing versions the way pip and uv print them.
 */

/** A parsed PEP 440 version. */
export interface Version {
  readonly epoch: number;
  readonly release: readonly number[];
  /** `a`, `b` or `rc` and its number. */
  readonly pre?: readonly [string, number];
  readonly post?: number;
  readonly dev?: number;
  /** The local label's parts, numbers as numbers. */
  readonly local?: readonly (string | number)[];
}

// The pattern of PEP 440 (Appendix B), which accepts every spelling it allows.
const VERSION =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

const PRE_LABEL: Record<string, string> = {
  alpha: "a",
  a: "a",
  beta: "b",
  b: "b",
  c: "rc",
  rc: "rc",
  pre: "rc",
  preview: "rc",
};

/** The version `text` spells, or undefined when it is not a PEP 440 version. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text);
  if (!m) return undefined;
  const [, epoch, release, preLabel, preN, postImplicit, postLabel, postN, devLabel, devN, local] =
    m;
  return {
    epoch: epoch ? Number(epoch) : 0,
    release: release.split(".").map(Number),
    ...(preLabel && { pre: [PRE_LABEL[preLabel.toLowerCase()], Number(preN ?? 0)] as const }),
    ...((postImplicit !== undefined || postLabel) && { post: Number(postImplicit ?? postN ?? 0) }),
    ...(devLabel && { dev: Number(devN ?? 0) }),
    ...(local && {
      local: local
        .toLowerCase()
        .split(/[-_.]/)
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
    }),
  };
}

/** The normalized spelling: `1.0.0-Alpha1` → `1.0.0a1`. */
export function formatVersion(v: Version): string {
  return (
    (v.epoch ? `${v.epoch}!` : "") +
    v.release.join(".") +
    (v.pre ? `${v.pre[0]}${v.pre[1]}` : "") +
    (v.post !== undefined ? `.post${v.post}` : "") +
    (v.dev !== undefined ? `.dev${v.dev}` : "") +
    (v.local ? `+${v.local.join(".")}` : "")
  );
}

/** `text` normalized when it is a version, else as it is. */
export function normalizeVersionText(text: string): string {
  const version = parseVersion(text);
  return version ? formatVersion(version) : text.trim();
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

const PRE_ORDER = ["a", "b", "rc"];

/** Where the pre-release part sorts: a dev-only release before its pre-releases, a final one after. */
function preKey(v: Version): number[] {
  if (v.pre) return [0, PRE_ORDER.indexOf(v.pre[0]), v.pre[1]];
  if (v.post === undefined && v.dev !== undefined) return [-1];
  return [1];
}

function compareLocal(a: Version["local"], b: Version["local"]): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (x === y) continue;
    // Numbers sort after strings; like types compare naturally.
    if (typeof x !== typeof y) return typeof x === "number" ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Orders two versions as PEP 440 does: negative, zero or positive. */
export function compareVersions(a: Version, b: Version): number {
  return (
    Math.sign(a.epoch - b.epoch) ||
    compareNumbers(a.release, b.release) ||
    compareNumbers(preKey(a), preKey(b)) ||
    compareNumbers([a.post ?? -1], [b.post ?? -1]) ||
    compareNumbers([a.dev ?? Infinity], [b.dev ?? Infinity]) ||
    compareLocal(a.local, b.local)
  );
}

const withoutLocal = (v: Version): Version => ({ ...v, local: undefined });
const isPre = (v: Version) => v.pre !== undefined || v.dev !== undefined;
const baseRelease = (v: Version): Version => ({ epoch: v.epoch, release: v.release });

/** One clause of a specifier: `>=3.9`, `==3.*`, `~=1.4.2`. */
export interface Specifier {
  readonly operator: string;
  readonly version: string;
}

const SPECIFIER = /^\s*(===|==|!=|<=|>=|~=|<|>)\s*([^\s,;]+)\s*$/;

/** The clauses of a specifier set such as `>=3.9, <4`, or undefined when one is not one. */
export function parseSpecifiers(text: string): Specifier[] | undefined {
  if (text.trim() === "") return [];
  const clauses: Specifier[] = [];
  for (const part of text.split(",")) {
    const m = SPECIFIER.exec(part);
    if (!m) return undefined;
    const [, operator, version] = m;
    const wildcard = version.endsWith(".*");
    if (operator === "===") {
      clauses.push({ operator, version });
      continue;
    }
    if (wildcard && operator !== "==" && operator !== "!=") return undefined;
    if (!parseVersion(wildcard ? version.slice(0, -2) : version)) return undefined;
    clauses.push({ operator, version });
  }
  return clauses;
}

/** A specifier set spelled the same way whatever the spacing and order: `<4,>=3.9`. */
export function normalizeSpecifiers(text: string): string {
  const clauses = parseSpecifiers(text);
  if (!clauses) return text.replace(/\s+/g, "");
  return clauses
    .map(({ operator, version }) =>
      operator === "===" || version.endsWith(".*")
        ? `${operator}${version}`
        : `${operator}${normalizeVersionText(version)}`,
    )
    .sort()
    .join(",");
}

/** Whether `version` satisfies one clause, pre-releases allowed (as markers evaluate them). */
export function matchesSpecifier(
  version: Version,
  { operator, version: text }: Specifier,
): boolean {
  if (operator === "===") return formatVersion(version) === text.trim().toLowerCase();
  if (text.endsWith(".*")) {
    const prefix = parseVersion(text.slice(0, -2))!;
    const head = {
      ...baseRelease(version),
      release: version.release.slice(0, prefix.release.length),
    };
    const equal = compareVersions(head, baseRelease(prefix)) === 0;
    return operator === "==" ? equal : !equal;
  }
  const spec = parseVersion(text)!;
  const candidate = spec.local ? version : withoutLocal(version);
  const order = compareVersions(candidate, spec);
  switch (operator) {
    case "==":
      return order === 0;
    case "!=":
      return order !== 0;
    case "<=":
      return order <= 0;
    case ">=":
      return order >= 0;
    case "<":
      // <V excludes V's own pre-releases unless V is one.
      return (
        order < 0 &&
        (isPre(spec) ||
          !isPre(version) ||
          compareVersions(baseRelease(version), baseRelease(spec)) !== 0)
      );
    case ">":
      // >V excludes V's post-releases (unless V is one) and V with a local label.
      return (
        order > 0 &&
        (spec.post !== undefined ||
          version.post === undefined ||
          compareVersions(baseRelease(version), baseRelease(spec)) !== 0) &&
        compareVersions(withoutLocal(version), spec) !== 0
      );
    case "~=": {
      const prefix = spec.release.slice(0, -1);
      const head = { epoch: version.epoch, release: version.release.slice(0, prefix.length) };
      return order >= 0 && compareVersions(head, { epoch: spec.epoch, release: prefix }) === 0;
    }
    default:
      return false;
  }
}

/** Whether `version` satisfies every clause of `specifiers`. */
export function satisfies(version: Version, specifiers: readonly Specifier[]): boolean {
  return specifiers.every((specifier) => matchesSpecifier(version, specifier));
}
