/** Finding and running packagers: the scripts that stage a Lambda's files. */
export { CONTRACT_VARIABLES, packagerEnvironment, type PackagerDirs } from "./env";
export { listPackagers, resolvePackager, type PackagerSpec } from "./resolve";
export { builtinPackagersDir, packageRoot } from "./root";
export { EMPTY_ZIP, runPackager, STDERR_TAIL_LINES, type RunPackagerOptions } from "./run";
