/**
 * The provider's operations, loaded at call time through the stable entry
 * point (../entry.ts) by the serialized shim (../provider.ts). Plain inputs
 * in, Pulumi's result shapes out; each operation keeps Pulumi's name down
 * through the layers (`delete` → `deleteVersion` → S3 `deleteVersion`).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LambdaPackageInputs } from "../args";
import type { LambdaPackageOutputs } from "../outputs";
import { checkInputs } from "./check";
import { diffInputs } from "./diff";
import { createVersion, deleteVersion, readVersion, updateVersion } from "./lifecycle";
import { configure } from "./settings";

type Props = Record<string, unknown>;
const asInputs = (props: Props) => props as unknown as LambdaPackageInputs;
const asOutputs = (props: Props) => props as unknown as LambdaPackageOutputs;

export const operations = {
  async configure(request: pulumi.dynamic.ConfigureRequest): Promise<void> {
    configure(request.config);
  },

  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkInputs(news);
    return { inputs, failures };
  },

  async diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    const { changes, replaces } = diffInputs(olds, asInputs(news));
    // Create-before-delete is safe: deletes name the recorded versionId.
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    const outs = await createVersion(asInputs(inputs));
    return { id: `s3://${outs.bucket}/${outs.key}`, outs };
  },

  async update(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    const { repackage } = diffInputs(olds, asInputs(news));
    return { outs: await updateVersion(asOutputs(olds), asInputs(news), repackage.length > 0) };
  },

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    const outs = await readVersion(asOutputs(props));
    // An empty id tells the engine the resource is gone.
    return outs ? { id, props: outs } : { id: "", props: {} };
  },

  async delete(_id: string, props: Props): Promise<void> {
    await deleteVersion(asOutputs(props));
  },
} satisfies Required<pulumi.dynamic.ResourceProvider>;
