/*
 * The dynamic provider as Pulumi stores it in every LambdaPackage's state.
 * This module's exports are the provider: in a project that installed this
 * package, Pulumi's closure serializer then stores a reference to it,
 * `require("pulumi-lambda-package/dynamic-provider")`, instead of code (a
 * few hundred bytes of state per resource, not a few thousand). Each method
 * requires the implementation at call time, by package name, so nothing that
 * cannot be serialized is captured where the code is stored by value (a
 * program inside this repository), no path of this machine is stored, and a
 * state written by an older version runs today's code.
 */
import type * as Implementation from "./entry";

/**
 * The implementation's stable name ("exports" in package.json). States store
 * this module's name, and serialized copies of it store this one: neither
 * ever changes. It resolves from the program's directory, where the package
 * is installed.
 */
const IMPLEMENTATION = "pulumi-lambda-package/dynamic-provider/implementation";

type Operations = typeof Implementation.operations;

function load(): Operations {
  try {
    // A require at call time, by name: what a by-value serialization stores is this string.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(IMPLEMENTATION) as typeof Implementation).operations;
  } catch (error) {
    const missing = (error as { code?: string }).code === "MODULE_NOT_FOUND";
    if (!missing || !String((error as Error).message).includes(IMPLEMENTATION)) throw error;
    throw new Error(
      `${IMPLEMENTATION} cannot be loaded from ${process.cwd()}: the LambdaPackage resources in ` +
        `this state need the pulumi-lambda-package package installed in the Pulumi project. ` +
        `Run: npm install pulumi-lambda-package`,
      { cause: error },
    );
  }
}

export const configure = (...args: Parameters<Operations["configure"]>) =>
  load().configure(...args);
export const check = (...args: Parameters<Operations["check"]>) => load().check(...args);
export const diff = (...args: Parameters<Operations["diff"]>) => load().diff(...args);
export const create = (...args: Parameters<Operations["create"]>) => load().create(...args);
export const update = (...args: Parameters<Operations["update"]>) => load().update(...args);
export const read = (...args: Parameters<Operations["read"]>) => load().read(...args);
const deleteOperation = (...args: Parameters<Operations["delete"]>) => load().delete(...args);
export { deleteOperation as delete };
