/**
 * PEP 508 environment markers (`sys_platform == "win32" and python_version <
 * "3.11"`), parsed and evaluated for an environment that is not this
 * machine's: the Lambda runtime a package is built for. PEP 751's `extras`
 * and `dependency_groups` (`'dev' in dependency_groups`) are understood too.
 */
import { show } from "../../shared/format";
import { matchesSpecifier, parseSpecifiers, parseVersion } from "./version";
import { normalizeName } from "./requirement";

/** The values markers are evaluated against. */
export interface MarkerEnvironment {
  /** `python_version`, `sys_platform`, `platform_machine`, ...: every PEP 508 variable. */
  readonly values: Readonly<Record<string, string>>;
  /** Extras asked for: `extra == "x"` (PEP 508) and `"x" in extras` (PEP 751). Normalized names. */
  readonly extras: ReadonlySet<string>;
  /** Dependency groups asked for: `"x" in dependency_groups` (PEP 751). Normalized names. */
  readonly dependencyGroups: ReadonlySet<string>;
}

type Operand = { readonly variable: string } | { readonly literal: string };

/**
 * A parsed marker expression. `a and b and c` is one node of three markers,
 * not a chain of pairs: a marker's depth is its nesting of parentheses only,
 * which the parser bounds, so evaluating it cannot run out of stack.
 */
export type Marker =
  | { readonly op: "and" | "or"; readonly markers: readonly Marker[] }
  | {
      readonly op: "compare";
      readonly left: Operand;
      readonly operator: string;
      readonly right: Operand;
    };

/** A marker that could not be parsed; the caller says where it was. */
export class MarkerSyntaxError extends Error {}

/**
 * Bounds on a marker, far above what lockers write (uv and Poetry write a few
 * dozen comparisons at most) and well inside what the recursive parser and
 * evaluator can take: a lockfile is input, and a marker past these is refused
 * as unreadable rather than crashing the build or taking minutes.
 */
const MAX_LENGTH = 100_000;
const MAX_COMPARISONS = 1_000;
const MAX_DEPTH = 50;

/** The variables of PEP 508, plus the older dotted spellings packaging still accepts. */
const ALIASES: Record<string, string> = {
  "os.name": "os_name",
  "sys.platform": "sys_platform",
  "platform.version": "platform_version",
  "platform.machine": "platform_machine",
  "platform.python_implementation": "platform_python_implementation",
  python_implementation: "platform_python_implementation",
};
const VARIABLES = new Set([
  "python_version",
  "python_full_version",
  "os_name",
  "sys_platform",
  "platform_release",
  "platform_system",
  "platform_version",
  "platform_machine",
  "platform_python_implementation",
  "implementation_name",
  "implementation_version",
  "extra",
  "extras",
  "dependency_groups",
  ...Object.keys(ALIASES),
]);

const TOKEN =
  /\s*(?:(\()|(\))|('[^']*'|"[^"]*")|(===|==|!=|<=|>=|~=|<|>)|(not\s+in\b)|(in\b)|(and\b)|(or\b)|([A-Za-z_][A-Za-z0-9_.]*))/y;

type Token =
  | { kind: "(" | ")" | "and" | "or" }
  | { kind: "string"; value: string }
  | { kind: "operator"; value: string }
  | { kind: "name"; value: string };

/** Only whitespace from `lastIndex` to the end. */
const TRAILING_SPACE = /\s*$/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    TRAILING_SPACE.lastIndex = TOKEN.lastIndex;
    if (TRAILING_SPACE.test(text)) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new MarkerSyntaxError(`unexpected text at ${show(text.slice(at).trim())}`);
    const [, open, close, string, operator, notIn, inOp, and, or, name] = m;
    if (open) tokens.push({ kind: "(" });
    else if (close) tokens.push({ kind: ")" });
    else if (string) tokens.push({ kind: "string", value: string.slice(1, -1) });
    else if (operator) tokens.push({ kind: "operator", value: operator });
    else if (notIn) tokens.push({ kind: "operator", value: "not in" });
    else if (inOp) tokens.push({ kind: "operator", value: "in" });
    else if (and) tokens.push({ kind: "and" });
    else if (or) tokens.push({ kind: "or" });
    else tokens.push({ kind: "name", value: name });
  }
  return tokens;
}

/** Parses a marker expression; throws `MarkerSyntaxError` saying what is wrong. */
export function parseMarker(text: string): Marker {
  if (text.length > MAX_LENGTH)
    throw new MarkerSyntaxError(`it is more than ${MAX_LENGTH} characters long`);
  const quoted = show(text);
  const tokens = tokenize(text);
  let at = 0;
  let comparisons = 0;
  let depth = 0;
  const peek = () => tokens[at];
  const expect = (kind: Token["kind"]) => {
    const token = tokens[at++];
    if (token?.kind !== kind) throw new MarkerSyntaxError(`expected ${kind} in ${quoted}`);
    return token;
  };
  const operand = (): Operand => {
    const token = tokens[at++];
    if (token?.kind === "string") return { literal: token.value };
    if (token?.kind === "name" && VARIABLES.has(token.value)) {
      return { variable: ALIASES[token.value] ?? token.value };
    }
    const what = token && "value" in token ? `"${token.value}"` : (token?.kind ?? "the end");
    throw new MarkerSyntaxError(
      `expected a marker variable or a quoted string, got ${what} in ${quoted}`,
    );
  };
  const atom = (): Marker => {
    if (peek()?.kind === "(") {
      if (++depth > MAX_DEPTH)
        throw new MarkerSyntaxError(`it nests parentheses more than ${MAX_DEPTH} deep`);
      at++;
      const inner = or();
      expect(")");
      depth--;
      return inner;
    }
    if (++comparisons > MAX_COMPARISONS)
      throw new MarkerSyntaxError(`it has more than ${MAX_COMPARISONS} comparisons`);
    const left = operand();
    const operator = expect("operator") as { value: string };
    return { op: "compare", left, operator: operator.value, right: operand() };
  };
  /** `next ("and"|"or" next)*` as one node, or `next`'s marker alone. */
  const list = (op: "and" | "or", next: () => Marker) => (): Marker => {
    const markers = [next()];
    while (peek()?.kind === op) {
      at++;
      markers.push(next());
    }
    return markers.length === 1 ? markers[0] : { op, markers };
  };
  const and = list("and", atom);
  const or = list("or", and);
  const marker = or();
  if (at < tokens.length)
    throw new MarkerSyntaxError(`unexpected text after a complete marker in ${quoted}`);
  return marker;
}

/** Whether `marker` holds in `env`. */
export function evaluateMarker(marker: Marker, env: MarkerEnvironment): boolean {
  switch (marker.op) {
    case "and":
      return marker.markers.every((m) => evaluateMarker(m, env));
    case "or":
      return marker.markers.some((m) => evaluateMarker(m, env));
    case "compare":
      return compare(marker, env);
  }
}

/** Parses and evaluates; an empty or missing marker always holds. */
export function markerHolds(text: string | undefined, env: MarkerEnvironment): boolean {
  if (text === undefined || text.trim() === "") return true;
  return evaluateMarker(parseMarker(text), env);
}

const SETS = { extra: "extras", extras: "extras", dependency_groups: "dependencyGroups" } as const;

function compare(marker: Extract<Marker, { op: "compare" }>, env: MarkerEnvironment): boolean {
  const { left, right, operator } = marker;
  // Extras and groups are sets of names, compared by their normalized form
  // (PEP 685): `extra == "Foo_Bar"` holds when foo-bar is asked for.
  const setName = (o: Operand) => ("variable" in o && o.variable in SETS ? o.variable : undefined);
  const set = setName(left) ?? setName(right);
  if (set) {
    const names = env[SETS[set as keyof typeof SETS]];
    const other = setName(left) ? right : left;
    if (!("literal" in other)) return false;
    const member = names.has(normalizeName(other.literal));
    if (operator === "==" || operator === "in") return member;
    if (operator === "!=" || operator === "not in") return !member;
    return false;
  }
  const value = (o: Operand) => ("literal" in o ? o.literal : (env.values[o.variable] ?? ""));
  return compareValues(value(left), operator, value(right));
}

/**
 * As `packaging` does: a version comparison when the right side makes a valid
 * specifier with the operator, else a comparison of the strings.
 */
function compareValues(left: string, operator: string, right: string): boolean {
  if (operator !== "in" && operator !== "not in") {
    const specifiers = parseSpecifiers(`${operator}${right}`);
    const version = parseVersion(left);
    if (specifiers?.length === 1 && version) return matchesSpecifier(version, specifiers[0]);
  }
  switch (operator) {
    case "==":
    case "===":
      return left === right;
    case "!=":
      return left !== right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "in":
      return right.includes(left);
    case "not in":
      return !right.includes(left);
    default:
      return false;
  }
}
