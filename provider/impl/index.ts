/**
 * The provider's behaviour, loaded at call time by the serialized shim in
 * ../provider.ts. Plain inputs in, Pulumi's result shapes out.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LambdaPackageInputs } from "../args";
import { checkInputs } from "./check";
import { diffInputs } from "./diff";
import { publish, refresh, unpublish } from "./lifecycle";
import { COMPUTED_OUTPUTS, type LambdaPackageOutputs } from "./outputs";
import { configure as configureDefaults } from "./settings";

type Props = Record<string, unknown>;

export async function configure(request: pulumi.dynamic.ConfigureRequest): Promise<void> {
  configureDefaults(request.config);
}

export async function check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
  const { inputs, failures } = checkInputs(news);
  return { inputs, failures };
}

export async function diff(
  _id: string,
  olds: Props,
  news: Props,
): Promise<pulumi.dynamic.DiffResult> {
  const { changes, replaces } = diffInputs(olds, news as unknown as LambdaPackageInputs);
  // Create-before-delete is safe: deletes name the recorded versionId.
  return { changes, replaces, deleteBeforeReplace: false };
}

export async function create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
  const outs = await publish(inputs as unknown as LambdaPackageInputs);
  return { id: `s3://${outs.bucket}/${outs.key}`, outs };
}

export async function update(
  _id: string,
  olds: Props,
  news: Props,
): Promise<pulumi.dynamic.UpdateResult> {
  const inputs = news as unknown as LambdaPackageInputs;
  const { repackage } = diffInputs(olds, inputs);
  if (repackage.length === 0) {
    // Only settings changed (e.g. retainOnDelete): keep the object, record the inputs.
    const old = olds as unknown as LambdaPackageOutputs;
    return { outs: { ...pickComputed(old), ...inputs, key: old.key, bucket: old.bucket } };
  }
  return { outs: await publish(inputs) };
}

export async function read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
  const outs = await refresh(props as unknown as LambdaPackageOutputs);
  // An empty id tells the engine the resource is gone.
  return outs ? { id, props: outs } : { id: "", props: {} };
}

export async function remove(_id: string, props: Props): Promise<void> {
  await unpublish(props as unknown as LambdaPackageOutputs);
}

function pickComputed(old: LambdaPackageOutputs): Props {
  return Object.fromEntries(COMPUTED_OUTPUTS.map((name) => [name, old[name]]));
}
