import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  explainPipFailure,
  hashMismatches,
  missingRequirement,
} from "../../../engine/python/pip-log";
import { pythonTarget } from "../../../engine/python/target";

// pip 23's words, as it printed them in this project's tests.
const MISMATCH = `Processing ./w/greeting-1.0.0-py3-none-any.whl (from -r bad.txt (line 1))
ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.
    greeting==1.0.0 from file:///tmp/w/greeting-1.0.0-py3-none-any.whl (from -r bad.txt (line 1)):
        Expected sha256 0000000000000000000000000000000000000000000000000000000000000000
             Got        0756a2af614ad74223453f2e244f64de87dec8c34461f5d6402e1495a111a33d
`;
const MISSING = `Looking in links: w
ERROR: Could not find a version that satisfies the requirement fastcalc==0.3.0 (from versions: none)
ERROR: No matching distribution found for fastcalc==0.3.0
`;
const target = pythonTarget("python3.12");

describe("pip's failures, explained", () => {
  test("reads the package, the file and the hash pip got from a hash mismatch", () => {
    assert.deepEqual(hashMismatches(MISMATCH), [
      {
        name: "greeting",
        version: "1.0.0",
        url: "file:///tmp/w/greeting-1.0.0-py3-none-any.whl",
        got: "0756a2af614ad74223453f2e244f64de87dec8c34461f5d6402e1495a111a33d",
      },
    ]);
    const error = explainPipFailure(MISMATCH, "/src/poetry.lock", "poetry.lock", target);
    assert.equal(error.code, "PYTHON_HASH_MISMATCH");
    assert.match(
      error.message,
      /whose hashes \/src\/poetry\.lock does not list:\n {2}- greeting 1\.0\.0: file:\/\/\/tmp\/w\/greeting/,
    );
    assert.match(error.message, /lock again \(poetry lock --regenerate\)/);
  });

  test("a locked package pip cannot find means the index is not the lock's", () => {
    assert.equal(missingRequirement(MISSING), "fastcalc==0.3.0");
    const error = explainPipFailure(MISSING, "/src/uv.lock", "uv.lock", target);
    assert.equal(error.code, "PYTHON_NO_WHEEL");
    assert.match(error.message, /none of the files \/src\/uv\.lock pins for fastcalc==0\.3\.0/);
    assert.match(error.message, /point pip at the index the lock was made from/);
  });

  test("a requirement pip cannot find, nor build, has no wheel for Lambda", () => {
    const error = explainPipFailure(MISSING, "/src/requirements.txt", "requirements.txt", target);
    assert.equal(error.code, "PYTHON_NO_WHEEL");
    assert.match(error.message, /- fastcalc==0\.3\.0\n/);
  });

  test("Requires-Python checked against pip's own Python says to use the runtime's", () => {
    const log = "ERROR: Package 'needs312' requires a different Python: 3.11.7 not in '>=3.13'\n";
    const error = explainPipFailure(
      log,
      "/src/requirements.txt",
      "requirements.txt",
      pythonTarget("python3.13"),
    );
    assert.equal(error.code, "PYTHON_VERSION_MISMATCH");
    assert.match(
      error.message,
      /requires Python >=3\.13, and pip checks that against the Python it runs on \(3\.11\.7\)/,
    );
    assert.match(error.message, /"python3\.13 -m pip"/);
  });

  test('for "local", a distribution pip cannot find is pip\'s own error, not a Lambda platform one', () => {
    const error = explainPipFailure(
      MISSING,
      "/src/requirements.txt",
      "requirements.txt",
      pythonTarget("python3.12", "local"),
    );
    assert.equal(error.code, "PYTHON_INSTALL_FAILED");
    assert.match(error.message, /ERROR: No matching distribution found for fastcalc==0\.3\.0/);
  });

  test("anything else quotes pip's errors", () => {
    const error = explainPipFailure(
      "ERROR: disk full\n",
      "/src/requirements.txt",
      "requirements.txt",
      target,
    );
    assert.equal(error.code, "PYTHON_INSTALL_FAILED");
    assert.match(
      error.message,
      /could not install \/src\/requirements\.txt for python3\.12 .*:\nERROR: disk full\nSee pip's messages above\./,
    );
  });
});
