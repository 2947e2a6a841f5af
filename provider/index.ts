export type { LambdaPackageArgs, LambdaPackageInputs } from "./args";
export type { LambdaPackageOutputs } from "./impl/outputs";
export { lambdaPackageProvider } from "./provider";
export { LambdaPackage } from "./resource";
