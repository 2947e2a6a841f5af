/**
 * The Pulumi CLI run offline, for tests and benchmarks (the shell's version
 * is scripts/pulumi-env.sh): a local file:// backend, no update checks, no
 * plugin downloads, this checkout's tools first on PATH, and the S3
 * credentials of a MinIO.
 */
import path from "node:path";
import type { S3Endpoint } from "./minio";
import { repoRoot } from "./minio";

/** `process.env` with what the CLI needs to run offline in `work` against `store`. */
export function offlinePulumiEnv(work: string, store: S3Endpoint): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: [
      path.join(repoRoot(), ".tools/bin"),
      path.dirname(process.execPath),
      process.env.PATH,
    ].join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
    PULUMI_HOME: path.join(work, "pulumi-home"),
    // The stacks hold test secrets only; a fixed passphrase keeps the CLI non-interactive.
    PULUMI_CONFIG_PASSPHRASE: "offline-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    AWS_ACCESS_KEY_ID: store.accessKeyId,
    AWS_SECRET_ACCESS_KEY: store.secretAccessKey,
    AWS_SESSION_TOKEN: store.sessionToken,
    AWS_REGION: store.region,
    AWS_PROFILE: undefined,
  };
}
