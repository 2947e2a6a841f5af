/**
 * pylock.toml (PEP 751, https://packaging.python.org/en/latest/specifications/pylock-toml/):
 * a flat list of `[[packages]]`, each installed when its `marker` holds. The
 * markers may ask for extras and dependency groups (`'dev' in
 * dependency_groups`); the groups in effect are the file's `default-groups`
 * plus those asked for. PEP 751 records nothing of `pyproject.toml`, so a
 * stale pylock.toml cannot be told from a fresh one.
 */
import path from "node:path";
import { LambdaPackageError } from "../../../shared/errors";
import { show } from "../../../shared/format";
import { markerHolds, MarkerSyntaxError } from "../markers";
import { normalizeName } from "../requirement";
import { markerEnvironment } from "../target";
import { parseSpecifiers, parseVersion, satisfies } from "../version";
import {
  fileName,
  HASH_HEX_LENGTHS,
  type LockedFile,
  type LockedPackage,
  type LockedSource,
  type LockRequest,
  type LockSelection,
} from "./model";
import { readToml, TomlReader, type TomlTable } from "./toml";

const FIX = "Regenerate it with the tool that wrote it (e.g. `uv export -o pylock.toml`).";

/** The packages pylock.toml in `request.sourcePath` pins for the request; undefined without one. */
export function readPylock(request: LockRequest): LockSelection | undefined {
  const file = path.join(request.sourcePath, "pylock.toml");
  const data = readToml(file, FIX);
  if (!data) return undefined;
  const r = new TomlReader(file, FIX);
  const version = r.string(data["lock-version"], "lock-version");
  if (version.split(".")[0] !== "1") {
    throw new LambdaPackageError(
      "PYTHON_LOCK_UNSUPPORTED",
      `${file} is lock-version ${version}; lambda-package reads PEP 751 lock-version 1. ${FIX}`,
    );
  }
  const python = parseVersion(`${request.target.python.join(".")}.0`)!;
  const fitsPython = (requires: string | undefined) => {
    const specifiers = requires === undefined ? [] : parseSpecifiers(requires);
    return !specifiers || satisfies(python, specifiers);
  };
  const requires = r.optionalString(data["requires-python"], "requires-python");
  if (!fitsPython(requires)) {
    throw new LambdaPackageError(
      "PYTHON_VERSION_MISMATCH",
      `${file} is locked for Python ${requires}, which ${request.target.runtime} is not. ` +
        "Set runtime to a Python the lock allows, or lock again for it.",
      { field: "runtime" },
    );
  }
  const extras = r.names(data.extras, "extras").map(normalizeName);
  const groups = r.names(data["dependency-groups"], "dependency-groups").map(normalizeName);
  checkSelection(r, request, extras, groups);
  const defaults = r.names(data["default-groups"], "default-groups");
  const env = markerEnvironment(request.target, request.extras, [...defaults, ...request.groups]);
  const selected: LockedPackage[] = [];
  const seen = new Map<string, string>();
  r.tables(data.packages, "[[packages]]").forEach((p, i) => {
    const name = r.name(p.name, `[[packages]] #${i + 1} name`);
    const at = `package ${name}`;
    // Read whether or not its marker holds: a lock with a malformed version or
    // hash is refused on every target alike.
    const version = r.optionalVersion(p.version, `${at}: version`);
    const source = sourceOf(r, p, at, request.sourcePath);
    const marker = r.optionalString(p.marker, `${at}: marker`);
    let holds: boolean;
    try {
      holds = markerHolds(marker, env);
    } catch (error) {
      if (!(error instanceof MarkerSyntaxError)) throw error;
      return r.fail(`${at}: the marker ${show(marker)}`, `cannot be read (${error.message})`);
    }
    if (!holds) return;
    const other = seen.get(normalizeName(name));
    if (other !== undefined) {
      r.fail(
        at,
        `is locked twice for ${request.target.runtime} (versions ${other} and ${version ?? "?"}): their markers must exclude each other`,
      );
    }
    seen.set(normalizeName(name), version ?? "?");
    // The project itself (`uv export` writes it as `directory = { path = "." }`) is the
    // function's source, included as it is.
    if (source.kind === "directory" && source.path === path.resolve(request.sourcePath)) return;
    const packageRequires = r.optionalString(p["requires-python"], `${at}: requires-python`);
    if (!fitsPython(packageRequires)) {
      throw new LambdaPackageError(
        "PYTHON_VERSION_MISMATCH",
        `${file}: ${name} ${version ?? ""} requires Python ${packageRequires}, which ${request.target.runtime} is not. ` +
          "Set runtime to a Python the lock allows, or lock again for it.",
        { field: "runtime" },
      );
    }
    selected.push({ name, version, source });
  });
  return { lockfile: "pylock.toml", packages: selected };
}

function checkSelection(r: TomlReader, request: LockRequest, extras: string[], groups: string[]) {
  const available = (known: string[]) => (known.length ? [...known].sort().join(", ") : "none");
  const badExtras = request.extras.filter((e) => !extras.includes(normalizeName(e)));
  if (badExtras.length) {
    throw new LambdaPackageError(
      "PYTHON_EXTRA_UNKNOWN",
      `pythonExtras asks for ${badExtras.join(", ")}, which ${r.file} was not locked with (its extras: ${available(extras)}). ` +
        "Fix pythonExtras, or lock again with the extra.",
      { field: "pythonExtras" },
    );
  }
  const badGroups = request.groups.filter((g) => !groups.includes(normalizeName(g)));
  if (badGroups.length) {
    throw new LambdaPackageError(
      "PYTHON_GROUP_UNKNOWN",
      `pythonGroups asks for ${badGroups.join(", ")}, which ${r.file} was not locked with (its dependency-groups: ${available(groups)}). ` +
        "Fix pythonGroups, or lock again with the group.",
      { field: "pythonGroups" },
    );
  }
}

function sourceOf(r: TomlReader, p: TomlTable, at: string, sourcePath: string): LockedSource {
  if (p.directory !== undefined) {
    const dir = r.table(p.directory, `${at}: directory`);
    return {
      kind: "directory",
      path: path.resolve(sourcePath, r.string(dir.path, `${at}: directory.path`)),
    };
  }
  if (p.vcs !== undefined) return { kind: "unsupported", what: "a version control system (vcs)" };
  if (p.archive !== undefined) return { kind: "unsupported", what: "an archive (archive)" };
  const files: LockedFile[] = [];
  const file = (f: TomlTable, where: string): LockedFile => {
    const location = r.optionalString(f.name ?? f.url ?? f.path, `${where} name`);
    if (location === undefined) r.fail(where, "has no name, url or path");
    const hashes = r.optionalTable(f.hashes, `${where} hashes`);
    // PEP 751 allows algorithms pip cannot check: those are left out, unread.
    return {
      filename: r.text(fileName(location), `${where} file name`),
      hashes: Object.keys(HASH_HEX_LENGTHS)
        .filter((alg) => hashes[alg] !== undefined)
        .map((alg) => `${alg}:${r.hexDigest(alg, hashes[alg], `${where} hashes.${alg}`)}`),
    };
  };
  if (p.sdist !== undefined) files.push(file(r.table(p.sdist, `${at}: sdist`), `${at}: sdist`));
  r.tables(p.wheels, `${at}: wheels`).forEach((w, i) => files.push(file(w, `${at}: wheels[${i}]`)));
  return { kind: "index", index: r.optionalString(p.index, `${at}: index`), files };
}
