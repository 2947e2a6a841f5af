/**
 * Reading the TOML files of a Python project (lockfiles, `pyproject.toml`):
 * a syntax error or a value of the wrong shape is an error naming the file
 * and the key, never a crash deep in a reader. This is where every value of
 * a lockfile enters, and so where it is checked against its grammar: no
 * string holds a control character, and names, versions and hashes are what
 * PEP 508, PEP 440 and pip's `--hash` say they are, before any of them is
 * compared, printed or written into a file pip reads.
 */
import { parse, TomlError } from "smol-toml";
import { readTextIfPresent } from "../../../shared/files";
import { LambdaPackageError } from "../../../shared/errors";
import { isName } from "../requirement";
import { parseVersion } from "../version";
import { hasUnsafeCharacter, show } from "../../../shared/format";
import { HASH_HEX_LENGTHS } from "./model";

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
    return this.text(this.anyString(value, where), where);
  }

  /** A string, unchecked: for the grammars below, none of which admits a control character. */
  private anyString(value: unknown, where: string): string {
    return typeof value === "string" ? value : this.fail(where, "should be a string");
  }

  /**
   * `text` (read here, or made from what was: a decoded file name, a table's key) when it holds
   * no control character. pip reads its requirements files with Python's `splitlines`, which
   * breaks lines at several of them besides `\n`: in a name, version, hash or path, any would
   * start a line of its own (`-r /etc/passwd`) in the file pip reads.
   */
  text(text: string, where: string): string {
    if (!hasUnsafeCharacter(text)) return text;
    return this.fail(where, `is ${show(text)}, which holds a control character`);
  }

  /** A PEP 508 name: a distribution, an extra, a dependency group. */
  name(value: unknown, where: string): string {
    const name = this.anyString(value, where);
    if (isName(name)) return name;
    return this.fail(
      where,
      `is ${show(name)}, not a package name (PEP 508: letters, digits, ".", "_" and "-", ` +
        "beginning and ending with a letter or digit)",
    );
  }

  names(value: unknown, where: string): string[] {
    return this.array(value, where).map((item, i) => this.name(item, `${where}[${i}]`));
  }

  /** The keys of a table that are names (extras, groups), checked as names. */
  nameKeys(table: TomlTable, where: string): string[] {
    return Object.keys(table).map((key) => this.name(key, `${where} key`));
  }

  /** A PEP 440 version, as written: pip gets it as `name==<version>`. */
  version(value: unknown, where: string): string {
    const version = this.anyString(value, where);
    // parseVersion forgives surrounding whitespace; a version pip gets may hold none.
    if (parseVersion(version) && !/\s/.test(version)) return version;
    return this.fail(where, `is ${show(version)}, not a PEP 440 version`);
  }

  optionalVersion(value: unknown, where: string): string | undefined {
    return value === undefined ? undefined : this.version(value, where);
  }

  /** `<algorithm>:<hex>`, of an algorithm pip checks: pip gets it as `--hash=<algorithm>:<hex>`. */
  hash(value: unknown, where: string): string {
    const hash = this.anyString(value, where);
    const colon = hash.indexOf(":");
    const algorithm = hash.slice(0, Math.max(colon, 0));
    if (colon < 0 || !Object.hasOwn(HASH_HEX_LENGTHS, algorithm)) {
      const known = Object.keys(HASH_HEX_LENGTHS).reverse();
      return this.fail(
        where,
        `is ${show(hash)}, not a hash pip can check (\`<algorithm>:<hex>\`; pip checks ` +
          `${known.slice(0, -1).join(", ")} and ${known.at(-1)})`,
      );
    }
    this.hexDigest(algorithm, hash.slice(colon + 1), where, hash);
    return hash;
  }

  /** A digest of `algorithm` (one of HASH_HEX_LENGTHS): exactly its number of hex digits; `whole` is the value it came from. */
  hexDigest(algorithm: string, value: unknown, where: string, whole?: string): string {
    const hex = this.anyString(value, where);
    const length = HASH_HEX_LENGTHS[algorithm];
    if (new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) return hex;
    return this.fail(
      where,
      `is ${show(whole ?? hex)}, not ${length} hexadecimal digits` +
        (whole === undefined ? "" : ` after "${algorithm}:"`),
    );
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
