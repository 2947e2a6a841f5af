/**
 * What a package holds that will not run, or that is seldom meant to ship,
 * said before anything is zipped: a Node.js package of TypeScript with no
 * JavaScript to run is an error (Lambda's Node.js runtimes do not run `.ts`);
 * a Pulumi project or a zip inside the package is a warning.
 */
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import { escapeText } from "../../shared/format";
import type { NormalizedBuildOptions } from "../options";
import { builtinPackagersDir } from "../packager";
import type { Preflight } from "../preflight";
import type { StagedFile } from "./walk";

const JAVASCRIPT = /\.(c|m)?js$/;
const TYPESCRIPT = /\.(c|m)?tsx?$/;
/** How many names a call-out lists before "and N more". */
const NAMES_SHOWN = 3;

export function calloutContents(
  files: readonly StagedFile[],
  options: NormalizedBuildOptions,
  packager: Preflight,
  log: (line: string) => void,
): void {
  const own = files.filter((f) => !f.name.split("/").includes("node_modules"));
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

function names(files: readonly StagedFile[]): string {
  const shown = files.slice(0, NAMES_SHOWN).map((f) => escapeText(f.name));
  const more = files.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}
