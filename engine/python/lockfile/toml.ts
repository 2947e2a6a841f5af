/**
 * Reading the TOML files of a Python project (lockfiles, `pyproject.toml`):
 * a syntax error or a value of the wrong shape is an error naming the file
 * and the key, never a crash deep in a reader.
 */
import { parse, TomlError } from "smol-toml";
import { readTextIfPresent } from "../../../shared/files";
import { LambdaPackageError } from "../../../shared/errors";

export type TomlTable = Record<string, unknown>;

/** The parsed file, or undefined when there is none. */
export function readToml(file: string, fix: string): TomlTable | undefined {
  const text = readTextIfPresent(file);
  if (text === undefined) return undefined;
  try {
    // Integers as BigInt keep 1 and 1.0 apart, as Python's json does (Poetry's content-hash).
    return parse(text, { integersAsBigInt: true });
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    throw new LambdaPackageError(
      "PYTHON_LOCK_INVALID",
      `${file} is not valid TOML (line ${error.line}, column ${error.column}: ` +
        `${error.message.split("\n")[0]}). ${fix}`,
      { cause: error },
    );
  }
}

/** Typed access to a parsed TOML value, naming the file and key when it has the wrong shape. */
export class TomlReader {
  constructor(
    /** The file, for messages. */
    readonly file: string,
    /** How to repair the file, for messages: "Regenerate it with `uv lock`." */
    readonly fix: string,
  ) {}

  fail(where: string, what: string): never {
    throw new LambdaPackageError(
      "PYTHON_LOCK_INVALID",
      `${this.file}: ${where} ${what}. ${this.fix}`,
    );
  }

  table(value: unknown, where: string): TomlTable {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return value as TomlTable;
    }
    return this.fail(where, "should be a table");
  }

  optionalTable(value: unknown, where: string): TomlTable {
    return value === undefined ? {} : this.table(value, where);
  }

  string(value: unknown, where: string): string {
    return typeof value === "string" ? value : this.fail(where, "should be a string");
  }

  optionalString(value: unknown, where: string): string | undefined {
    return value === undefined ? undefined : this.string(value, where);
  }

  array(value: unknown, where: string): unknown[] {
    if (value === undefined) return [];
    return Array.isArray(value) ? value : this.fail(where, "should be an array");
  }

  strings(value: unknown, where: string): string[] {
    return this.array(value, where).map((item, i) => this.string(item, `${where}[${i}]`));
  }

  tables(value: unknown, where: string): TomlTable[] {
    return this.array(value, where).map((item, i) => this.table(item, `${where}[${i}]`));
  }
}
