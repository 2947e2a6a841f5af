import type { LambdaPackageInputs } from "../args";
import type { S3Settings } from "../s3";

/** Stack config seen by `configure()`: defaults for inputs the program leaves out. */
let stackDefaults: { region?: string; profile?: string } = {};

export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Reads `aws:region` and `aws:profile` from the stack config, as @pulumi/aws users set them. */
export function configure(config: ConfigSource): void {
  stackDefaults = { region: config.get("aws:region"), profile: config.get("aws:profile") };
}

/** Connection settings: inputs first, then stack config; the SDK's own chain fills the rest. */
export function s3Settings(inputs: LambdaPackageInputs): S3Settings {
  return {
    region: inputs.region ?? stackDefaults.region,
    profile: inputs.profile ?? stackDefaults.profile,
    endpoint: inputs.endpoint,
    forcePathStyle: inputs.forcePathStyle,
    checksums: inputs.checksums,
  };
}
