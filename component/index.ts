export { LambdaCode, type LambdaCodeArgs, type S3Code } from "./lambda-code";
