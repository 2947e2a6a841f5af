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
    // A require at call time, by name: what the closure serializer stores is this string.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(ENTRY) as typeof Entry;
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

type Operations = typeof Entry.operations;

/**
 * The dynamic provider of `LambdaPackage`. Exported for tests and tooling: its
 * methods can be called directly with plain inputs.
 */
export const lambdaPackageProvider = {
  configure: (...args: Parameters<Operations["configure"]>) => load().configure(...args),
  check: (...args: Parameters<Operations["check"]>) => load().check(...args),
  diff: (...args: Parameters<Operations["diff"]>) => load().diff(...args),
  create: (...args: Parameters<Operations["create"]>) => load().create(...args),
  update: (...args: Parameters<Operations["update"]>) => load().update(...args),
  read: (...args: Parameters<Operations["read"]>) => load().read(...args),
  delete: (...args: Parameters<Operations["delete"]>) => load().delete(...args),
} satisfies pulumi.dynamic.ResourceProvider;
