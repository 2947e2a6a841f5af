/**
 * Checks of option and input values, shared by the engine's option table and
 * the provider's field table so that a value is judged by one rule wherever
 * it is given (CLI flag, `build()` option, Pulumi input).
 */
import { show } from "./format";

/**
 * What is wrong with a value, as the end of "<field> …", or, for a value that
 * is an object of fields, which field is wrong and how; undefined when it is fine.
 */
export type Rule = (value: unknown) => string | FieldProblem | undefined;

/** A rule of a plain value (not an object of fields): its problem is always a phrase. */
export type ValueRule = (value: unknown) => string | undefined;

/** A problem with one field of an object value: the message names that field, not the object. */
export interface FieldProblem {
  /** The field's path inside the value, e.g. `format` (or `a.b` for deeper objects). */
  readonly field: string;
  /** The end of "<field> …", e.g. `must be one of "cjs", "esm"`. */
  readonly wrong: string;
  /**
   * The field's value; undefined when the problem is that it is missing, or
   * when the value must not be quoted and `wrong` names its type instead.
   */
  readonly value: unknown;
}

/**
 * The rules whose values no message may quote, since they may hold secrets (a
 * packager's environment, given with `pulumi.secret`): their problems name the
 * entry that is wrong and the type of its value instead.
 */
const UNQUOTED = new WeakSet<Rule>();

function unquoted<R extends Rule>(rule: R): R {
  UNQUOTED.add(rule);
  return rule;
}

/** What a value is, for messages that must not quote it: `a number`, `a list`. */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "boolean") return "true or false";
  if (value === undefined) return "nothing";
  return `a ${typeof value}`;
}

/** The one wording of a failed rule: `compressionLevel must be …; got 11`. */
export function problem(field: string, rule: Rule, value: unknown): string | undefined {
  const wrong = rule(value);
  if (wrong === undefined) return undefined;
  if (typeof wrong === "string")
    return UNQUOTED.has(rule) ? `${field} ${wrong}` : `${field} ${wrong}; got ${show(value)}`;
  const got = wrong.value === undefined ? "" : `; got ${show(wrong.value)}`;
  return `${field}.${wrong.field} ${wrong.wrong}${got}`;
}

export const isString: ValueRule = (v) => (typeof v === "string" ? undefined : "must be a string");

export const nonEmpty: ValueRule = (v) =>
  typeof v === "string" && v.trim() !== "" ? undefined : "must be a non-empty string";

export const isBoolean: ValueRule = (v) =>
  typeof v === "boolean" ? undefined : "must be true or false";

export const oneOf =
  (...allowed: readonly string[]): ValueRule =>
  (v) =>
    allowed.includes(v as string)
      ? undefined
      : `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`;

export const stringList: ValueRule = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string")
    ? undefined
    : "must be a list of strings";

/**
 * A map of string to string, e.g. a packager's environment: a problem names
 * the entry and its value's type, never a value, since values may be secrets.
 */
export const stringMap: Rule = unquoted((v) => {
  if (v === null || typeof v !== "object" || Array.isArray(v))
    return `must be a map of string to string; got ${kindOf(v)}`;
  for (const [name, entry] of Object.entries(v as Record<string, unknown>)) {
    if (typeof entry !== "string")
      return { field: name, wrong: `must be a string; got ${kindOf(entry)}`, value: undefined };
  }
  return undefined;
});

/**
 * A list of package, extra or group names as Python spells them (PEP 508:
 * letters, digits and `.`, `-`, `_` inside), e.g. `["dev", "postgres"]`.
 */
export const nameList: Rule = (v) =>
  Array.isArray(v) &&
  v.every((x) => typeof x === "string" && /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(x))
    ? undefined
    : 'must be a list of names of letters, digits and . - _ (PEP 508), e.g. ["dev"]';

/** A whole number from `min` to `max`; `what` says what the ends mean. */
export const wholeNumber =
  (min: number, max: number, what = `from ${min} to ${max}`): ValueRule =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? undefined
      : `must be a whole number ${what}`;

/** Every rule must pass; the first failure is reported. */
export const all =
  (...rules: readonly Rule[]): Rule =>
  (v) => {
    for (const rule of rules) {
      const wrong = rule(v);
      if (wrong !== undefined) return wrong;
    }
    return undefined;
  };

/** One field of an object value: its rule, and its default or, when it must be given, what to give. */
export interface FieldRule {
  readonly rule: Rule;
  /** The value in effect when the field is left out, if there is one. */
  readonly default?: unknown;
  /** For fields that must be given: what to give, for the error. */
  readonly required?: string;
}

/**
 * An object of the named fields, each checked by its rule. A problem names
 * the field (`bundle.format must be one of …`); a field that is not named is
 * a problem too, since a misspelt field would otherwise be ignored in silence.
 */
export const objectOf =
  (fields: Readonly<Record<string, FieldRule>>): Rule =>
  (v) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      return `must be an object with the fields ${Object.keys(fields).join(", ")}`;
    }
    const value = v as Record<string, unknown>;
    for (const name of Object.keys(value)) {
      if (!(name in fields) && value[name] !== undefined) {
        const known = Object.keys(fields).join(", ");
        return {
          field: name,
          wrong: `is not a field (the fields are ${known})`,
          value: value[name],
        };
      }
    }
    for (const [name, spec] of Object.entries(fields)) {
      const field = value[name];
      if (field === undefined) {
        if (spec.required !== undefined)
          return { field: name, wrong: `is required (${spec.required})`, value: undefined };
        continue;
      }
      const wrong = spec.rule(field);
      if (wrong === undefined) continue;
      if (typeof wrong === "string")
        return { field: name, wrong, value: UNQUOTED.has(spec.rule) ? undefined : field };
      return { ...wrong, field: `${name}.${wrong.field}` };
    }
    return undefined;
  };

/** The object with the defaults of its fields filled in where they are left out. */
export function withFieldDefaults(
  fields: Readonly<Record<string, FieldRule>>,
  value: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const filled: Record<string, unknown> = { ...value };
  for (const [name, spec] of Object.entries(fields)) {
    if (filled[name] === undefined && "default" in spec) filled[name] = spec.default;
  }
  return filled;
}
