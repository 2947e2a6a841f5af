/**
 * Size budgets: ceilings the user sets on a package's zipped and unzipped
 * size, below Lambda's own limits, checked when the zip is written and
 * before anything is uploaded. A package over budget fails with its largest
 * contributors, so the failure says what to cut.
 */
import { LambdaPackageError } from "../../shared/errors";
import { formatBytes } from "../../shared/format";
import type { FieldRule, ValueRule } from "../../shared/rules";
import type { PackageContents } from "./groups";
import { contentsLines } from "./report";

/** `{ zipped: "10 MiB", unzipped: "50 MiB" }`: either or both. */
export interface SizeBudget {
  /**
   * Most bytes the zip may have: a number of bytes, or a size such as `"10 MiB"` or `"8MB"`
   * (KB, MB, GB are powers of 1000; KiB, MiB, GiB of 1024).
   * @default none: no ceiling of your own
   */
  readonly zipped?: number | string;
  /**
   * Most bytes the files may take unzipped, in the same form; Lambda's own limit of 250 MiB
   * (code and layers together) is checked in any case.
   * @default none: no ceiling of your own
   */
  readonly unzipped?: number | string;
}

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Bytes a size stands for: a whole number of bytes, or `"50 MiB"`; undefined when it is not one. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === "number")
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match && UNITS[match[2].toLowerCase()];
  if (!match || unit === undefined || unit === null) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

const size: ValueRule = (v) =>
  parseSize(v) === undefined
    ? 'must be a number of bytes above 0 or a size such as "50 MiB" or "8MB" (B, KB, MB, GB, KiB, MiB, GiB)'
    : undefined;

/** The fields of `sizeBudget`, for the option table. */
export const SIZE_BUDGET_FIELDS: Readonly<Record<keyof SizeBudget, FieldRule>> = {
  zipped: { rule: size },
  unzipped: { rule: size },
};

/** Which sizes of a package are over `budget`: each with its size and ceiling. */
export function overBudget(
  budget: SizeBudget | undefined,
  zipSize: number,
  unzippedSize: number,
): { which: "zipped" | "unzipped"; actual: number; limit: number }[] {
  if (!budget) return [];
  return (
    [
      ["zipped", zipSize, parseSize(budget.zipped)],
      ["unzipped", unzippedSize, parseSize(budget.unzipped)],
    ] as const
  ).flatMap(([which, actual, limit]) =>
    limit !== undefined && actual > limit ? [{ which, actual, limit }] : [],
  );
}

/**
 * Fails when the package is over `budget`: what is over, by how much, the
 * largest contributors and what to do. `zipSize` is the zip's size in bytes.
 */
export function checkBudget(
  budget: SizeBudget | undefined,
  zipSize: number,
  contents: PackageContents,
  what: string,
): void {
  const over = overBudget(budget, zipSize, contents.size);
  if (over.length === 0) return;
  const said = over
    .map(
      ({ which, actual, limit }) =>
        `${formatBytes(actual)} ${which} (${actual} bytes), over its sizeBudget.${which} of ` +
        `${formatBytes(limit)} (${limit} bytes)`,
    )
    .join(" and ");
  throw new LambdaPackageError(
    "PACKAGE_OVER_BUDGET",
    `The package for ${what} is ${said}; nothing was uploaded.\n` +
      `${contentsLines(contents, 5).join("\n")}\n` +
      `To fix: exclude what the function does not need (exclude), leave a package the runtime ` +
      `provides out of a bundle (bundle.externals, e.g. @aws-sdk/*), move large dependencies to ` +
      `a layer, or raise sizeBudget if the growth is meant.`,
    { field: "sizeBudget" },
  );
}
