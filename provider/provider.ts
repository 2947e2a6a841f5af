import type * as pulumi from "@pulumi/pulumi";
import type * as Entry from "./entry";

/*
 * The object Pulumi serializes into every LambdaPackage's state. It stays a
 * thin, self-contained shim: each method requires the implementation at call
 * time, by package name, so nothing that cannot be serialized (S3 clients,
 * zlib, workers) is captured, no path of this machine is stored, and a state
 * written by an older version runs today's code.
 */

/**
 * The implementation's stable entry point ("exports" in package.json). Every
 * state stores this name: it never changes. It resolves from the program's
 * directory, where the package is installed.
 */
const ENTRY = "pulumi-lambda-package/dynamic-provider";

function load(): typeof Entry {
  try {
    return require(ENTRY);
  } catch (error) {
    const missing = (error as { code?: string }).code === "MODULE_NOT_FOUND";
    if (!missing || !String((error as Error).message).includes(ENTRY)) throw error;
    throw new Error(
      `${ENTRY} cannot be loaded from ${process.cwd()}: the LambdaPackage resources in this ` +
        `state need the pulumi-lambda-package package installed in the Pulumi project. ` +
        `Run: npm install pulumi-lambda-package`,
      { cause: error },
    );
  }
}

/**
 * The dynamic provider of `LambdaPackage`. Exported for tests and tooling: its
 * methods can be called directly with plain inputs.
 */
export const lambdaPackageProvider = {
  async configure(request: pulumi.dynamic.ConfigureRequest): Promise<void> {
    return load().configure(request);
  },
  async check(olds: any, news: any): Promise<pulumi.dynamic.CheckResult> {
    return load().check(olds, news);
  },
  async diff(id: string, olds: any, news: any): Promise<pulumi.dynamic.DiffResult> {
    return load().diff(id, olds, news);
  },
  async create(inputs: any): Promise<pulumi.dynamic.CreateResult> {
    return load().create(inputs);
  },
  async update(id: string, olds: any, news: any): Promise<pulumi.dynamic.UpdateResult> {
    return load().update(id, olds, news);
  },
  async read(id: string, props: any): Promise<pulumi.dynamic.ReadResult> {
    return load().read(id, props);
  },
  async delete(id: string, props: any): Promise<void> {
    return load().delete(id, props);
  },
} satisfies pulumi.dynamic.ResourceProvider;
