/**
 * The `handler` input as Lambda reads it: `index.handler`, `src/api.main`,
 * `app.handler`, `pkg.module.func`. Node.js takes the module path up to the
 * first `.` after the last `/` and the exported name after it; Python takes
 * everything before the last `.` as the module (`/` read as `.`) and the
 * function after it.
 */
import type { ValueRule } from "../../shared/rules";

/** Which runtime's reading of a handler applies. */
export type HandlerLanguage = "python" | "nodejs";

/** A handler taken apart: the module's path in the package without extension, and the name. */
export interface HandlerTarget {
  /** `src/api` for `src/api.main` (Python `pkg.mod.func`: `pkg/mod`). */
  readonly module: string;
  /** The exported or defined name that Lambda calls: `main`. */
  readonly name: string;
}

/** Syntax shared by both readings: a module path, a dot, a name; no `..`, no leading `/`. */
export const handlerRule: ValueRule = (v) =>
  typeof v === "string" &&
  /^(?:[\w.@-]+\/)*[\w@-][\w@-]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v) &&
  !v.split("/").some((part) => part === "." || part === "..")
    ? undefined
    : 'must be Lambda\'s handler: a module path, a dot and a name, e.g. "app.handler", "index.handler" or "src/api.main"';

/** The module and name Lambda looks for, as the runtime of `language` reads `handler`. */
export function parseHandler(handler: string, language: HandlerLanguage): HandlerTarget {
  const slash = handler.lastIndexOf("/");
  const dir = handler.slice(0, slash + 1);
  const last = handler.slice(slash + 1);
  if (language === "nodejs") {
    const dot = last.indexOf(".");
    // `index.handlers.api` calls `handlers.api` of index: the export Lambda reads first is `handlers`.
    return { module: dir + last.slice(0, dot), name: last.slice(dot + 1).split(".")[0] };
  }
  const dot = handler.lastIndexOf(".");
  return { module: handler.slice(0, dot).replace(/\./g, "/"), name: handler.slice(dot + 1) };
}

/**
 * The files Lambda tries for a module, in its order: Node.js's runtime takes
 * the file without extension, then `.js`, `.mjs`, `.cjs`; Python's the
 * module, then the package's `__init__.py`. Compiled forms (`.so`, `.pyc`)
 * count as there, with names unknown.
 */
export function moduleFiles(module: string, language: HandlerLanguage): string[] {
  return language === "nodejs"
    ? [module, `${module}.js`, `${module}.mjs`, `${module}.cjs`]
    : [`${module}.py`, `${module}/__init__.py`];
}
