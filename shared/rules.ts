/**
 * Checks of option and input values, shared by the engine's option table and
 * the provider's field table so that a value is judged by one rule wherever
 * it is given (CLI flag, `build()` option, Pulumi input).
 */
import { show } from "./format";

/** What is wrong with a value, as the end of "<field> …", or undefined when it is fine. */
export type Rule = (value: unknown) => string | undefined;

/** The one wording of a failed rule: `compressionLevel must be …; got 11`. */
export function problem(field: string, rule: Rule, value: unknown): string | undefined {
  const wrong = rule(value);
  return wrong === undefined ? undefined : `${field} ${wrong}; got ${show(value)}`;
}

export const isString: Rule = (v) => (typeof v === "string" ? undefined : "must be a string");

export const nonEmpty: Rule = (v) =>
  typeof v === "string" && v.trim() !== "" ? undefined : "must be a non-empty string";

export const isBoolean: Rule = (v) =>
  typeof v === "boolean" ? undefined : "must be true or false";

export const oneOf =
  (...allowed: readonly string[]): Rule =>
  (v) =>
    allowed.includes(v as string)
      ? undefined
      : `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`;

export const stringList: Rule = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string")
    ? undefined
    : "must be a list of strings";

export const stringMap: Rule = (v) =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === "string")
    ? undefined
    : "must be a map of string to string";

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
  (min: number, max: number, what = `from ${min} to ${max}`): Rule =>
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
