export * from "./provider";
export * from "./component";
import type { BuildOptions, BuildResult } from "./engine";

export { gitSourceKey, gitSourceKeys } from "./engine/git";
export { LambdaPackageError } from "./shared/errors";

/**
 * Builds a reproducible Lambda zip: see `build` in engine/build.ts. Loaded
 * when first called: a Pulumi program imports this package for `LambdaCode`
 * and `gitSourceKey`, and loading the build engine with it would cost every
 * preview some 80 ms of CPU for code only the provider runs.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const engine = await import("./engine/build");
  return engine.build(options);
}
export type {
  BuildOptions,
  BuildResult,
  Architecture,
  GitSourceKeyOptions,
  PythonMode,
  BundleOptions,
  BundleFormat,
} from "./engine";
