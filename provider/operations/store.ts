import type { LambdaPackageInputs } from "../args";
import type { LambdaPackageOutputs } from "../outputs";
import { resolveEndpoint, resolveRegion, type S3Settings } from "../s3/settings";

/** Stack config seen by `configure()`: defaults for inputs the program leaves out. */
let stackDefaults: { region?: string; profile?: string } = {};

export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Reads `aws:region` and `aws:profile` from the stack config, as @pulumi/aws users set them. */
export function configure(config: ConfigSource): void {
  stackDefaults = { region: config.get("aws:region"), profile: config.get("aws:profile") };
}

/**
 * Connection settings for a new object: inputs first, then stack config; the
 * SDK's own chain (AWS_REGION, AWS_ENDPOINT_URL_S3, the profile) fills the rest.
 */
export function s3Settings(inputs: LambdaPackageInputs): S3Settings {
  return {
    region: inputs.region ?? stackDefaults.region,
    profile: inputs.profile ?? stackDefaults.profile,
    endpoint: inputs.endpoint,
    forcePathStyle: inputs.forcePathStyle,
    checksums: inputs.checksums,
  };
}

/** The store an object was written to, as its outputs record it. */
export interface RecordedStore {
  /** Region the object was written in. */
  storeRegion: string;
  /** Endpoint it was written to; "" for AWS's own. */
  storeEndpoint: string;
}

/** Where `settings` lead right now: what a create records. */
export function storeOf(settings: S3Settings): RecordedStore {
  return {
    storeRegion: resolveRegion(settings.region, settings.profile),
    storeEndpoint: resolveEndpoint(settings) ?? "",
  };
}

/**
 * Connection settings for an object that exists: the store recorded when it
 * was written, whatever the environment says now, so a refresh or delete
 * with AWS_ENDPOINT_URL_S3 pointing elsewhere never mistakes the wrong store
 * for the object's. Explicit inputs win (changing them moves the object,
 * which replaces it). States written before stores were recorded fall back
 * to the settings of a new object.
 */
export function recordedSettings(props: LambdaPackageOutputs): S3Settings {
  const settings = s3Settings(props);
  if (props.storeRegion === undefined || props.storeEndpoint === undefined) return settings;
  return {
    ...settings,
    region: props.region ?? props.storeRegion,
    endpoint: props.endpoint ?? (props.storeEndpoint || undefined),
    // Recorded as AWS's own endpoint: no environment variable may redirect it.
    endpointFromEnvironment: false,
  };
}
