import assert from "node:assert/strict";
import { test } from "node:test";
import { objectOf, problem, stringMap } from "../../shared/rules";

test("a map of strings names the wrong entry and its type, and never quotes a value", () => {
  const env = { TOKEN_URL: "https://u:hunter2@example", COUNT: 3 };
  assert.equal(
    problem("packagerEnv", stringMap, env),
    "packagerEnv.COUNT must be a string; got a number",
  );
  assert.equal(
    problem("packagerEnv", stringMap, "A=hunter2"),
    "packagerEnv must be a map of string to string; got a string",
  );
});

test("a map of strings inside an object is not quoted either", () => {
  const bundle = objectOf({ define: { rule: stringMap } });
  assert.equal(
    problem("bundle", bundle, { define: ["hunter2"] }),
    "bundle.define must be a map of string to string; got a list",
  );
  assert.equal(
    problem("bundle", bundle, { define: { KEY: null } }),
    "bundle.define.KEY must be a string; got null",
  );
});
