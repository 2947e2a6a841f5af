import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The package root: the directory holding `packagers/` and `package.json`.
 * Found by walking up, so it is the same from `engine/packager/*.ts` (tests
 * on sources) and from `dist/engine/packager/*.js` (the published package).
 */
export const packageRoot: string = findPackageRoot(__dirname);

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "packagers")) && existsSync(path.join(dir, "package.json"))) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(
        `No packagers/ directory above ${start}: the package is installed incompletely.`,
      );
    }
  }
}

/** Where the built-in packagers live. */
export const builtinPackagersDir: string = path.join(packageRoot, "packagers");
