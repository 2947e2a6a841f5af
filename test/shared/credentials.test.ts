import assert from "node:assert/strict";
import { test } from "node:test";
import { isCredentialName } from "../../shared/credentials";

test("isCredentialName matches names case-insensitively", () => {
  assert.equal(isCredentialName("aws_secret_access_key"), true);
  assert.equal(isCredentialName("My_Api_Key"), true);
  assert.equal(isCredentialName("HOME"), false);
});
