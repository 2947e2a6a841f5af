/**
 * The provider's operations, loaded at call time through the stable entry
 * point (../entry.ts) by the serialized shim (../provider.ts). Plain inputs
 * in, Pulumi's result shapes out; each operation keeps Pulumi's name down
 * through the layers (`delete` → `deleteVersion` → S3 `deleteVersion`).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LambdaPackageInputs } from "../args";
import type { LambdaPackageOutputs } from "../outputs";
import { checkInputs, type Failure } from "./check";
import { diffInputs } from "./diff";
import { keyPrefixOf } from "./layout";
import { withSourceKey } from "./source-key";
import { onResourceRow } from "./log";
import { configure } from "./store";

/** What Pulumi hands the operations: plain objects of resolved values. */
type Props = object;
const asInputs = (props: Props) => props as LambdaPackageInputs;
// Pulumi's result types leave every field optional; ours say what is always there.
type Checked = { inputs: LambdaPackageInputs; failures: Failure[] };
type Created = { id: string; outs: LambdaPackageOutputs };
type Updated = { outs: LambdaPackageOutputs };
type Read = { id: string; props: LambdaPackageOutputs };
const asOutputs = (props: Props) => props as LambdaPackageOutputs;

export const operations = {
  configure: (request: pulumi.dynamic.ConfigureRequest): Promise<void> => {
    configure(request.config);
    return Promise.resolve();
  },

  check: (_olds: Props, news: Props): Promise<Checked> =>
    Promise.resolve(checkInputs(news as Record<string, unknown>)),

  diff: async (_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> => {
    const previous = olds as Record<string, unknown>;
    const keyed = await withSourceKey(previous, asInputs(news));
    const { changes, replaces } = diffInputs(previous, keyed);
    // Create-before-delete is safe: deletes name the recorded versionId.
    return { changes, replaces, deleteBeforeReplace: false };
  },

  create: (inputs: Props): Promise<Created> =>
    onResourceRow(urnOf(inputs), async () => {
      const { createVersion } = await lifecycle();
      const outs = await createVersion(asInputs(inputs));
      return { id: idOf(outs), outs };
    }),

  update: (_id: string, olds: Props, news: Props): Promise<Updated> =>
    onResourceRow(urnOf(news), async () => {
      const previous = olds as Record<string, unknown>;
      const diff = diffInputs(previous, await withSourceKey(previous, asInputs(news)));
      const { updateVersion } = await lifecycle();
      return { outs: await updateVersion(asOutputs(olds), asInputs(news), diff) };
    }),

  read: (id: string, props: Props): Promise<Read> =>
    onResourceRow(urnOf(props), async () => {
      const { readVersion } = await lifecycle();
      const outs = await readVersion(asOutputs(props));
      // An empty id tells the engine the resource is gone.
      return outs ? { id, props: outs } : { id: "", props: {} as LambdaPackageOutputs };
    }),

  delete: (_id: string, props: Props): Promise<void> =>
    onResourceRow(urnOf(props), async () => {
      const { deleteVersion } = await lifecycle();
      return deleteVersion(asOutputs(props));
    }),
} satisfies Required<pulumi.dynamic.ResourceProvider>;

/**
 * What changes the store, loaded by the first operation that does: `check`
 * and `diff`, all a no-op preview runs, need neither the AWS SDK nor the
 * build engine, and loading them took longer than diffing 20 resources.
 */
function lifecycle(): Promise<typeof import("./lifecycle")> {
  return import("./lifecycle");
}

/**
 * The resource's URN, which `LambdaPackage` passes as the input `__urn` (the
 * dynamic provider is not told it), so its lines go on its own row.
 */
function urnOf(props: Props): unknown {
  return (props as { __urn?: unknown }).__urn;
}

/**
 * The object's URI; for a content-addressed object, whose key follows its
 * bytes and moves on an update (which cannot change an id), the URI of its
 * prefix, so the id never names a key the resource has left.
 */
function idOf(outs: LambdaPackageOutputs): string {
  return outs.layout === "content"
    ? `s3://${outs.bucket}/${keyPrefixOf(outs) ? `${keyPrefixOf(outs)}/` : ""}`
    : `s3://${outs.bucket}/${outs.key}`;
}
