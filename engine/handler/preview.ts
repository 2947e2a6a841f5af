/**
 * What can be said of `handler` before anything is built, from the options
 * and the source directory alone: a layer has no handler; a bundle writes
 * known files, so a handler naming another module cannot exist; a copied
 * Node.js function's module must be a file of the source (the packager
 * copies it as it is). A Python module may come from a dependency, which
 * only the build installs, so it is left to the build.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { escapeText } from "../../shared/format";
import { bundleEntries, bundleFileName, type NormalizedBundleOptions } from "../bundle/options";
import { moduleFiles, parseHandler } from "./spec";

/** The options the preview check reads, already checked by their rules. */
export interface HandlerContext {
  readonly handler: string;
  readonly sourcePath: string;
  /** The packager's `RUNTIME`. */
  readonly runtime: string;
  /** Whether the packager is a built-in one, whose layout is known. */
  readonly builtin: boolean;
  readonly layer: boolean;
  readonly bundle?: Pick<NormalizedBundleOptions, "format" | "entry" | "entries">;
}

/** Why the handler's module cannot be in the package, or undefined when it may be. */
export function modulePathProblem(context: HandlerContext): string | undefined {
  const { handler, sourcePath, runtime, builtin, layer, bundle } = context;
  if (layer) {
    return `handler is set, and layer is true: a layer holds code for functions and has no handler. Remove one of them.`;
  }
  if (!builtin || !/^nodejs/.test(runtime)) return undefined;
  const target = parseHandler(handler, "nodejs");
  if (bundle) {
    const outputs = bundleEntries(bundle).map(([name]) => bundleFileName(bundle, name));
    if (outputs.some((file) => moduleFiles(target.module, "nodejs").includes(file)))
      return undefined;
    const stems = outputs.map((file) => file.replace(/\.(c|m)?js$/, ""));
    return (
      `handler "${escapeText(handler)}" names the module ${escapeText(target.module)}, and the ` +
      `bundle writes ${outputs.join(", ")}: Lambda would find no such module. Set handler to ` +
      `${stems.map((stem) => `"${stem}.${target.name}"`).join(" or ")}.`
    );
  }
  const candidates = moduleFiles(target.module, "nodejs");
  if (candidates.some((file) => existsSync(path.join(sourcePath, file)))) return undefined;
  // Lambda's Node.js runtime falls back to a package of that name in node_modules.
  if (dependencies(sourcePath).has(target.module.split("/")[0])) return undefined;
  return (
    `handler "${escapeText(handler)}" names the module ${escapeText(target.module)}, and ` +
    `${sourcePath} has none of ${candidates.join(", ")}, which the package would hold as they ` +
    `are. Fix handler (the path is relative to sourcePath, without extension), or point ` +
    `sourcePath at the directory holding the module.`
  );
}

function dependencies(sourcePath: string): Set<string> {
  try {
    const manifest = JSON.parse(readFileSync(path.join(sourcePath, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    return new Set(Object.keys(manifest.dependencies ?? {}));
  } catch {
    return new Set();
  }
}
