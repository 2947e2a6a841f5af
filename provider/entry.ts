/**
 * The dynamic provider's implementation, loaded at call time by the provider
 * module Pulumi stores in states (./provider.ts), at the stable name
 * `pulumi-lambda-package/dynamic-provider/implementation` (package.json
 * "exports"). States written by 0.1.0 load it by that release's path,
 * `pulumi-lambda-package/dist/provider/impl/index.js`, which "exports" maps
 * here as well, and call `remove` for delete: both stay, so those states
 * still diff, update and delete.
 */
import { operations } from "./operations";

export { operations };
export const { configure, check, diff, create, update, read } = operations;
const deleteOperation = operations.delete;
export { deleteOperation as delete, deleteOperation as remove };
