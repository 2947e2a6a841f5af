import * as pulumi from "@pulumi/pulumi";
import type { LambdaPackageArgs } from "./args";
import { COMPUTED_OUTPUTS, type PackageOutputs } from "./outputs";
import * as dynamicProvider from "./provider";

/** The outputs of `PackageOutputs` as the resource's properties, with their docs. */
type OutputProperties = { readonly [K in keyof PackageOutputs]: pulumi.Output<PackageOutputs[K]> };

// Declaration merging gives the class one property per output, each with its
// doc, without declaring them a second time here.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface LambdaPackage extends OutputProperties {}

/** The resource's type token, as `pulumi.dynamic.Resource` makes it of the module and type below. */
const TYPE = "pulumi-nodejs:dynamic/lambda-package:LambdaPackage";

/**
 * One Lambda code package in S3: built from `sourcePath` by a packager and
 * uploaded as a new object version whenever `sourceKey` (or another input
 * that shapes the package) changes. Manages that object and nothing else.
 *
 * `pulumi import` does not work for dynamic resources; `pulumi refresh` notices
 * a version deleted out of band, and the next `pulumi up` uploads it again.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class LambdaPackage extends pulumi.dynamic.Resource {
  constructor(name: string, args: LambdaPackageArgs, opts?: pulumi.CustomResourceOptions) {
    // Output-only properties go in as undefined, so the engine treats them as
    // unknown in preview instead of missing (pulumi/pulumi#5174).
    const outputs = Object.fromEntries(COMPUTED_OUTPUTS.map((name) => [name, undefined]));
    const secretPackagerEnv = args.secretPackagerEnv ?? secretNames(args.packagerEnv);
    // The provider is not told the URN of the resource it works on; given it, its lines go on
    // this resource's row of `pulumi up` rather than the stack's (operations/log.ts). Not a
    // field of the table: no diff, check or doc reads it, so a state without it is no change.
    const __urn = pulumi.createUrn(name, TYPE, opts?.parent);
    // As it registers a resource, the SDK makes four promises for each property (two dozen
    // here, the computed outputs included) and gives each the stack trace of its making, which
    // the SDK's source-map support maps frame by frame: for a report of promises left unresolved
    // at exit, which names each by resource and property anyway. That was about 20 ms of the
    // program's CPU per function, twice a do-nothing resource's, in every preview and every
    // `up` (`npm run bench:program`), so no frame is taken while this resource registers. The
    // SDK takes the resource's source position with a limit of its own, which is unchanged; an
    // error thrown while registering gets the stack of the constructor's caller instead of none.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      // The provider module itself, so Pulumi stores a reference to it, not its code.
      super(
        dynamicProvider,
        name,
        // sourceKey too: left out, it is still an output (the automatic key).
        { key: undefined, sourceKey: undefined, ...outputs, ...args, secretPackagerEnv, __urn },
        opts,
        "lambda-package",
        "LambdaPackage",
      );
    } catch (error) {
      Error.stackTraceLimit = stackTraceLimit;
      if (error instanceof Error && !/\n\s+at /.test(error.stack ?? ""))
        Error.captureStackTrace(error, LambdaPackage);
      throw error;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}

/**
 * The names of the `packagerEnv` entries given as secrets. The provider sees
 * every value in plain text (dynamic providers get secrets decrypted), so
 * which ones were secret is found here, in the program, and passed on.
 */
function secretNames(env: LambdaPackageArgs["packagerEnv"]): pulumi.Input<string[]> | undefined {
  if (env === undefined) return undefined;
  if (pulumi.Output.isInstance(env)) {
    const whole = pulumi.output(env);
    return pulumi
      .all([pulumi.isSecret(whole), whole])
      .apply(([secret, values]) => (secret ? Object.keys(values) : []));
  }
  const names = Object.entries(env).map(async ([name, value]) =>
    pulumi.Output.isInstance(value) && (await pulumi.isSecret(value)) ? [name] : [],
  );
  return pulumi.output(Promise.all(names)).apply((found) => found.flat());
}
