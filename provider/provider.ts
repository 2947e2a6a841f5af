import type * as pulumi from "@pulumi/pulumi";

/*
 * The object Pulumi serializes into every LambdaPackage's state. It stays a
 * thin, self-contained shim: each method requires the implementation at call
 * time, so nothing that cannot be serialized (S3 clients, zlib, workers) is
 * captured, and a state written by an older version runs today's code.
 */

/** By package name first: that is what resolves in a user's project, wherever it is checked out. */
const IMPL_BY_NAME = "pulumi-lambda-package/dist/provider/impl/index.js";
/** The file next to this one, for programs inside this repository (the demo, our tests). */
const IMPL_BY_PATH = require.resolve("./impl");

function load(): typeof import("./impl") {
  try {
    return require(IMPL_BY_NAME);
  } catch (error) {
    const missing = (error as { code?: string }).code === "MODULE_NOT_FOUND";
    if (!missing || !String((error as Error).message).includes(IMPL_BY_NAME)) throw error;
    return require(IMPL_BY_PATH);
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
    return load().remove(id, props);
  },
} satisfies pulumi.dynamic.ResourceProvider;
