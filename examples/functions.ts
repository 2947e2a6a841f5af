import * as aws from "@pulumi/aws";
import type { S3Code } from "../component";

/** The two example functions on real AWS, each pinned to its uploaded object version. */
export function deployFunctions(code: { python: S3Code; node: S3Code }): void {
  const role = new aws.iam.Role("hello-role", {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
  });
  new aws.iam.RolePolicyAttachment("hello-logs", {
    role: role.name,
    policyArn: aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole,
  });
  new aws.lambda.Function("hello-python", {
    ...code.python,
    role: role.arn,
    runtime: "python3.12",
    handler: "hello.handler.handler",
  });
  new aws.lambda.Function("hello-node", {
    ...code.node,
    role: role.arn,
    runtime: "nodejs22.x",
    handler: "index.handler",
  });
}
