import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPureWheel, isSdist, parseWheelName, wheelFits } from "../../../engine/python/wheel";
import { pythonTarget } from "../../../engine/python/target";

describe("wheel names and Lambda", () => {
  test("a wheel name gives its project, version and every tag its sets stand for", () => {
    const wheel = parseWheelName(
      "charset_normalizer-3.4.4-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
    );
    assert.equal(wheel?.name, "charset_normalizer");
    assert.equal(wheel?.version, "3.4.4");
    assert.deepEqual(
      wheel?.tags.map((t) => t.platform),
      ["manylinux2014_x86_64", "manylinux_2_17_x86_64"],
    );
    assert.equal(parseWheelName("x-1.0-2-py3-none-any.whl")?.tags.length, 1, "with a build tag");
    assert.equal(parseWheelName("x-1.0.tar.gz"), undefined);
    assert.ok(
      isSdist("x-1.0.tar.gz") && isSdist("x-1.0.zip") && !isSdist("x-1.0-py3-none-any.whl"),
    );
  });

  test("pure wheels are the ones with no ABI and any platform", () => {
    assert.ok(isPureWheel("idna-3.11-py3-none-any.whl"));
    assert.ok(isPureWheel("colorama-0.4.5-py2.py3-none-any.whl"));
    assert.ok(!isPureWheel("x-1.0-cp311-cp311-linux_x86_64.whl"));
    assert.ok(!isPureWheel("modern-1.0-py3-none-manylinux_2_34_x86_64.whl"));
  });

  test("Lambda's python3.12 on x86_64 loads its own ABI, abi3 and pure wheels for glibc 2.34 or older", () => {
    const target = pythonTarget("python3.12");
    for (const fits of [
      "a-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
      "a-1-cp312-cp312-manylinux_2_34_x86_64.whl",
      "a-1-cp38-abi3-manylinux_2_28_x86_64.whl",
      "a-1-cp312-cp312-manylinux1_x86_64.whl",
      "a-1-py3-none-any.whl",
      "a-1-py2.py3-none-any.whl",
      "a-1-py312-none-any.whl",
    ]) {
      assert.ok(wheelFits(fits, target), fits);
    }
    for (const misfit of [
      "a-1-cp312-cp312-manylinux_2_35_x86_64.whl",
      "a-1-cp311-cp311-manylinux_2_17_x86_64.whl",
      "a-1-cp313-abi3-manylinux_2_17_x86_64.whl",
      "a-1-cp312-cp312-manylinux_2_17_aarch64.whl",
      "a-1-cp312-cp312-musllinux_1_2_x86_64.whl",
      "a-1-cp312-cp312-macosx_11_0_arm64.whl",
      "a-1-cp312-cp312-win_amd64.whl",
      "a-1-cp312-cp312-linux_x86_64.whl",
      "a-1-py313-none-any.whl",
      "a-1-py2-none-any.whl",
    ]) {
      assert.ok(!wheelFits(misfit, target), misfit);
    }
  });

  test("Amazon Linux 2's glibc 2.26 rejects a wheel for 2.28; arm64 wants aarch64", () => {
    assert.ok(!wheelFits("a-1-cp311-cp311-manylinux_2_28_x86_64.whl", pythonTarget("python3.11")));
    assert.ok(wheelFits("a-1-cp311-cp311-manylinux_2_26_x86_64.whl", pythonTarget("python3.11")));
    assert.ok(
      wheelFits("a-1-cp311-cp311-manylinux2014_aarch64.whl", pythonTarget("python3.11", "arm64")),
    );
    assert.ok(
      !wheelFits("a-1-cp311-cp311-manylinux1_x86_64.whl", pythonTarget("python3.11", "arm64")),
    );
  });
});
