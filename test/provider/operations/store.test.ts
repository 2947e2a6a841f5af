import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { configure, s3Settings } from "../../../provider/operations/store";

const config = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe("s3Settings", () => {
  test("takes region and profile from the stack config when the inputs leave them out", () => {
    configure(config({ "aws:region": "eu-west-3", "aws:profile": "deploy" }));
    const settings = s3Settings({ bucket: "b", sourcePath: "s", sourceKey: "k" });
    assert.equal(settings.region, "eu-west-3");
    assert.equal(settings.profile, "deploy");
  });

  test("inputs win over the stack config", () => {
    configure(config({ "aws:region": "eu-west-3" }));
    const settings = s3Settings({
      bucket: "b",
      sourcePath: "s",
      sourceKey: "k",
      region: "us-west-2",
    });
    assert.equal(settings.region, "us-west-2");
  });

  test("passes the connection inputs through and never any credential", () => {
    configure(config({}));
    const settings = s3Settings({
      bucket: "b",
      sourcePath: "s",
      sourceKey: "k",
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      checksums: "when_required",
    });
    assert.deepEqual(settings, {
      region: undefined,
      profile: undefined,
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      checksums: "when_required",
    });
  });
});
