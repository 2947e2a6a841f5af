/**
 * What a package holds that will not run, or that is seldom meant to ship,
 * said before anything is zipped: a Node.js package of TypeScript with no
 * JavaScript to run is an error (Lambda's Node.js runtimes do not run `.ts`);
 * a Pulumi project, a zip or a large git-ignored directory inside the
 * package is a warning.
 */
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { escapeText, formatBytes } from "../../shared/format";
import { isWithin } from "../../shared/paths";
import type { NormalizedBuildOptions } from "../options";
import { builtinPackagersDir } from "../packager";
import type { Preflight } from "../preflight";
import type { StagedFile } from "./walk";

const JAVASCRIPT = /\.(c|m)?js$/;
const TYPESCRIPT = /\.(c|m)?tsx?$/;
/** A path with a `node_modules` part: a test, where splitting every name cost tens of ms. */
const IN_NODE_MODULES = /(?:^|\/)node_modules(?:\/|$)/;
/** How many names a call-out lists before "and N more". */
const NAMES_SHOWN = 3;
/**
 * A git-ignored directory this large is called out: ignored files are packaged (a local
 * setting, a generated file), but this much is more often build output or data.
 */
const LARGE_IGNORED = { bytes: 10 * 1024 * 1024, files: 1000 } as const;

export function calloutContents(
  files: readonly StagedFile[],
  options: NormalizedBuildOptions,
  packager: Preflight,
  log: (line: string) => void,
): void {
  const own = files.filter((f) => !IN_NODE_MODULES.test(f.name));
  const builtinNodejs =
    path.dirname(packager.script) === builtinPackagersDir && /^nodejs/.test(packager.runtime);
  if (builtinNodejs && !options.bundle && !options.layer) {
    const typescript = own.filter((f) => TYPESCRIPT.test(f.name) && !f.name.endsWith(".d.ts"));
    if (typescript.length > 0 && !own.some((f) => JAVASCRIPT.test(f.name))) {
      const entry =
        typescript.find((f) => /(^|\/)(handler|index)\.tsx?$/.test(f.name)) ?? typescript[0];
      throw new LambdaPackageError(
        "TYPESCRIPT_WITHOUT_BUNDLE",
        `The package of ${packager.sourcePath} holds TypeScript (${names(typescript)}) and no ` +
          `JavaScript: Lambda's ${packager.runtime} runtime does not run .ts files, so the ` +
          `function could not start. Set bundle: { entry: "${escapeText(entry.name)}" } to compile ` +
          `and bundle it, or compile it first and point sourcePath at the JavaScript.`,
        { field: "bundle" },
      );
    }
  }
  const pulumi = own.filter((f) => /(^|\/)Pulumi\.ya?ml$/.test(f.name));
  if (pulumi.length > 0)
    log(
      `lambda-package: warning: the package holds a Pulumi project (${names(pulumi)}), with its ` +
        `stack settings: is sourcePath the program's directory? Point it at the function's ` +
        `code, or exclude the program.`,
    );
  const zips = own.filter((f) => /\.zip$/i.test(f.name));
  if (zips.length > 0)
    log(
      `lambda-package: warning: the package holds zip files (${names(zips)}), often an earlier ` +
        `build's output; exclude them (exclude: ["*.zip"]) unless the function reads them.`,
    );
}

/**
 * Warns of each git-ignored directory of `sourcePath` whose packaged files pass
 * `LARGE_IGNORED`, naming its size and how to leave it out. `node_modules` is left
 * alone: installed dependencies are git-ignored and meant to ship.
 */
export function calloutIgnored(
  files: readonly StagedFile[],
  ignored: readonly string[],
  sourcePath: string,
  log: (line: string) => void,
): void {
  for (const entry of ignored) {
    if (path.basename(entry) === "node_modules") continue;
    const held = files.filter((f) => f.offset === undefined && isWithin(f.sourceFile, entry));
    const bytes = held.reduce((sum, f) => sum + f.size, 0);
    if (held.length < LARGE_IGNORED.files && bytes < LARGE_IGNORED.bytes) continue;
    const name = escapeText(path.relative(sourcePath, entry).split(path.sep).join("/"));
    log(
      `lambda-package: warning: the package holds ${name}/, which git ignores: ` +
        `${held.length.toLocaleString("en-US")} files, ${formatBytes(bytes)}, often build output ` +
        `or local data. Git-ignored files are packaged; exclude it (exclude: ["${name}/"]) ` +
        `unless the function reads it.`,
    );
  }
}

function names(files: readonly StagedFile[]): string {
  const shown = files.slice(0, NAMES_SHOWN).map((f) => escapeText(f.name));
  const more = files.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}
