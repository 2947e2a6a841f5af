/**
 * What a `pyproject.toml` asks for (PEP 621 `[project]` dependencies and
 * extras, PEP 735 `[dependency-groups]`, uv's `dev-dependencies`), to tell
 * whether a lockfile was made from it.
 */
import { LambdaPackageError } from "../../../shared/errors";
import { normalizeName } from "../requirement";
import type { TomlReader, TomlTable } from "./toml";

export interface ProjectRequirements {
  /** `[project] dependencies`, or undefined when the project declares them `dynamic`. */
  readonly dependencies?: readonly string[];
  /** `[project.optional-dependencies]` by normalized extra. */
  readonly optional: Readonly<Record<string, readonly string[]>>;
  /** Dependency groups by normalized name, `{include-group = …}` expanded. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
}

/** The requirements `pyproject` (already parsed) declares; `reader` names the file in errors. */
export function projectRequirements(pyproject: TomlTable, reader: TomlReader): ProjectRequirements {
  const project = reader.optionalTable(pyproject.project, "[project]");
  const dynamic = reader.strings(project.dynamic, "[project] dynamic");
  const optional: Record<string, string[]> = {};
  const extras = reader.optionalTable(
    project["optional-dependencies"],
    "[project.optional-dependencies]",
  );
  for (const [extra, list] of Object.entries(extras)) {
    optional[normalizeName(extra)] = reader.strings(
      list,
      `[project.optional-dependencies] ${extra}`,
    );
  }
  return {
    dependencies: dynamic.includes("dependencies")
      ? undefined
      : reader.strings(project.dependencies, "[project] dependencies"),
    optional,
    groups: dependencyGroups(pyproject, reader),
  };
}

/** PEP 735 groups, includes expanded, plus uv's `[tool.uv] dev-dependencies` as `dev`. */
function dependencyGroups(pyproject: TomlTable, reader: TomlReader): Record<string, string[]> {
  const declared = reader.optionalTable(pyproject["dependency-groups"], "[dependency-groups]");
  const byName = new Map(
    Object.entries(declared).map(([name, list]) => [normalizeName(name), list]),
  );
  const expand = (name: string, seen: readonly string[]): string[] => {
    if (seen.includes(name)) {
      throw new LambdaPackageError(
        "PYTHON_LOCK_INVALID",
        `${reader.file}: [dependency-groups] ${[...seen, name].join(" → ")} includes itself. Remove the cycle.`,
      );
    }
    return reader.array(byName.get(name), `[dependency-groups] ${name}`).flatMap((item, i) => {
      if (typeof item === "string") return [item];
      const include = reader.table(item, `[dependency-groups] ${name}[${i}]`)["include-group"];
      return expand(
        normalizeName(reader.string(include, `[dependency-groups] ${name}[${i}] include-group`)),
        [...seen, name],
      );
    });
  };
  const groups: Record<string, string[]> = {};
  for (const name of byName.keys()) groups[name] = expand(name, []);
  const uv = reader.optionalTable(reader.optionalTable(pyproject.tool, "[tool]").uv, "[tool.uv]");
  const dev = reader.strings(uv["dev-dependencies"], "[tool.uv] dev-dependencies");
  if (dev.length) groups.dev = [...(groups.dev ?? []), ...dev];
  return groups;
}
