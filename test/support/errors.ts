import assert from "node:assert/strict";
import { LambdaPackageError } from "../../shared/errors";

/** The message of the LambdaPackageError with `code` that `fn` throws; fails the test otherwise. */
export function failure(fn: () => unknown, code: string): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof LambdaPackageError, String(error));
    assert.equal(error.code, code, error.message);
    return error.message;
  }
  return assert.fail(`expected ${code}`);
}
