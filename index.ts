export * from "./provider";
export * from "./component";
export { build, LambdaPackageError } from "./engine";
export type {
  BuildOptions,
  BuildResult,
  Architecture,
  PythonMode,
  BundleOptions,
  BundleFormat,
} from "./engine";
