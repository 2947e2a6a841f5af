export * from "./provider";
export * from "./component";
export { build, gitSourceKey, gitSourceKeys, LambdaPackageError } from "./engine";
export type {
  BuildOptions,
  BuildResult,
  Architecture,
  GitSourceKeyOptions,
  PythonMode,
  BundleOptions,
  BundleFormat,
} from "./engine";
