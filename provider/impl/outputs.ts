import type { LambdaPackageInputs } from "../args";
import type { Layout } from "./layout";

/** Everything the provider records: the inputs it diffs on, echoed, and what the upload gave. */
export interface LambdaPackageOutputs extends LambdaPackageInputs {
  bucket: string;
  key: string;
  versionId: string;
  sha256: string;
  sourceCodeHash: string;
  size: number;
  unzippedSize: number;
  fileCount: number;
  sourceKey: string;
  consoleUrl: string;
  s3Uri: string;
  layout: Layout;
}

/** Names of the outputs that only the provider computes; unknown until upload in preview. */
export const COMPUTED_OUTPUTS = [
  "versionId",
  "sha256",
  "sourceCodeHash",
  "size",
  "unzippedSize",
  "fileCount",
  "consoleUrl",
  "s3Uri",
  "layout",
] as const;
