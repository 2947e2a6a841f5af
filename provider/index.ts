export type { LambdaPackageArgs, LambdaPackageInputs, PackageInputs } from "./args";
export type { LambdaPackageOutputs, PackageOutputs } from "./outputs";
export * as lambdaPackageProvider from "./provider";
export { LambdaPackage } from "./resource";
