/**
 * The handler check: the `handler` Lambda will call is in the package. The
 * module must be there (as the runtime looks for it), and define the name,
 * as far as that can be known without running the function's code: a
 * bundle's exports from esbuild, a Python module's top-level definitions, a
 * JavaScript file's exports from its text. A wrong handler fails the build
 * with the names the package does hold that are nearest to it.
 */
import { open } from "node:fs/promises";
import { LambdaPackageError } from "../../shared/errors";
import { escapeText } from "../../shared/format";
import type { BundledOutput } from "../contents/bundled";
import { javascriptExports } from "./javascript";
import { nearestNames } from "./nearest";
import { pythonNames, type DefinedNames } from "./python";
import { moduleFiles, parseHandler, type HandlerLanguage } from "./spec";

export {
  handlerRule,
  moduleFiles,
  parseHandler,
  type HandlerLanguage,
  type HandlerTarget,
} from "./spec";
export { modulePathProblem } from "./preview";

/** A module larger than this is not read for its names (none of ours is near it). */
const MAX_MODULE_BYTES = 16 * 1024 * 1024;

/** One file of the package: its name, and where its bytes are (a range of an archive, or a file). */
export interface PackageFile {
  readonly name: string;
  readonly sourceFile: string;
  readonly size: number;
  readonly offset?: number;
}

const COMPILED_PYTHON = (module: string) =>
  new RegExp(`^${module.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\.[^/]*\\.so|\\.pyc)$`);

/** Which reading of `handler` applies to a runtime: undefined when the runtime does not say. */
export function handlerLanguage(runtime: string): HandlerLanguage | undefined {
  if (/^python/.test(runtime)) return "python";
  if (/^nodejs/.test(runtime)) return "nodejs";
  return undefined;
}

/**
 * Checks `handler` against the package's files: throws `HANDLER_NOT_FOUND`
 * when its module is not in the package or certainly does not define its
 * name; logs what could not be settled. `runtime` picks the reading; a
 * runtime that does not say (`copy`, `generic`) tries both.
 */
export async function checkHandler(
  handler: string,
  runtime: string,
  files: readonly PackageFile[],
  bundles: readonly BundledOutput[],
  what: string,
  log: (line: string) => void,
): Promise<void> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const language = handlerLanguage(runtime);
  const languages: HandlerLanguage[] = language ? [language] : ["nodejs", "python"];
  for (const lang of languages) {
    const target = parseHandler(handler, lang);
    const found = moduleFiles(target.module, lang).find((name) => byName.has(name));
    const compiled =
      lang === "python"
        ? files.find((f) => COMPILED_PYTHON(target.module).test(f.name))
        : undefined;
    if (!found && compiled) {
      log(
        `lambda-package: handler ${handler}: ${escapeText(compiled.name)} is compiled; its names are not checked`,
      );
      return;
    }
    // Lambda's Node.js runtime falls back to a package of that name in node_modules.
    const installed = `node_modules/${target.module}/package.json`;
    if (!found && lang === "nodejs" && byName.has(installed)) {
      log(
        `lambda-package: handler ${handler}: the module is the installed package ${escapeText(target.module)}; its exports are not checked`,
      );
      return;
    }
    if (!found) continue;
    const bundle = bundles.find((b) => b.file === found);
    const defined: DefinedNames = bundle
      ? { names: new Set(bundle.exports ?? []), complete: bundle.exports !== undefined }
      : await namesOf(byName.get(found)!, lang);
    if (defined.names.has(target.name)) return;
    if (!defined.complete) {
      log(
        `lambda-package: handler ${handler}: ${escapeText(found)} is there; whether it ` +
          `defines "${target.name}" cannot be told without running it`,
      );
      return;
    }
    const near = nearestNames(
      target.name,
      [...defined.names].filter((n) => n !== "default"),
    );
    const source = bundle ? ` (the bundle of ${bundle.entry}; esbuild lists its exports)` : "";
    throw new LambdaPackageError(
      "HANDLER_NOT_FOUND",
      `The handler "${handler}" of ${what} names "${target.name}" in ${escapeText(found)}${source}, ` +
        `which ${lang === "python" ? "does not define it at its top level" : "does not export it"}. ` +
        (near.length > 0
          ? `It ${lang === "python" ? "defines" : "exports"}: ${near.map(escapeText).join(", ")}. `
          : `It ${lang === "python" ? "defines" : "exports"} nothing Lambda could call. `) +
        `Fix handler, or ${lang === "python" ? "define" : "export"} ${target.name} there.`,
      { field: "handler" },
    );
  }
  throw moduleMissing(handler, languages, files, what);
}

function moduleMissing(
  handler: string,
  languages: readonly HandlerLanguage[],
  files: readonly PackageFile[],
  what: string,
): LambdaPackageError {
  const tried = languages.flatMap((lang) => moduleFiles(parseHandler(handler, lang).module, lang));
  const extensions = languages.flatMap((lang) => (lang === "python" ? [/\.py$/] : [/\.(c|m)?js$/]));
  // Modules the handler could name instead: the package's own, not its dependencies'.
  const modules = files
    .map((f) => f.name)
    .filter((name) => extensions.some((e) => e.test(name)))
    .filter((name) => !/(^|\/)(node_modules|[^/]+\.dist-info)\//.test(name));
  const near = nearestNames(tried[0], modules);
  return new LambdaPackageError(
    "HANDLER_NOT_FOUND",
    `The handler "${handler}" of ${what} names a module the package does not hold: Lambda would ` +
      `look for ${tried.map((t) => escapeText(t)).join(", ")}. ` +
      (near.length > 0
        ? `Nearest modules in the package: ${near.map(escapeText).join(", ")}. `
        : "The package holds no module of that language. ") +
      `Fix handler (the module path is relative to the package's root, without extension).`,
    { field: "handler" },
  );
}

async function namesOf(file: PackageFile, language: HandlerLanguage): Promise<DefinedNames> {
  if (file.size > MAX_MODULE_BYTES) return { names: new Set(), complete: false };
  const handle = await open(file.sourceFile);
  try {
    const buffer = Buffer.alloc(file.size);
    await handle.read(buffer, 0, file.size, file.offset ?? 0);
    const text = buffer.toString("utf8");
    return language === "python" ? pythonNames(text) : javascriptExports(text);
  } finally {
    await handle.close();
  }
}
