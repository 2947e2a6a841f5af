/**
 * Where and how to reach S3: the settings, their rules, and what they resolve
 * to (endpoint, region). No SDK here: `check` and `diff`, which a preview
 * runs for every resource, read these rules, and a preview never pays for
 * loading the AWS SDK (./client.ts creates the client from these settings).
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LambdaPackageError } from "../../shared/errors";
import type { ValueRule } from "../../shared/rules";

/** How the SDK checksums requests; see `S3Settings.checksums`. */
export const CHECKSUM_MODES = ["when_supported", "when_required"] as const;

/** Where and how to reach S3. Credentials are never part of it: the SDK's default chain supplies them. */
export interface S3Settings {
  /** AWS region. @default AWS_REGION / profile's region / "us-east-1" */
  region?: string;
  /** Named profile from ~/.aws/config for the ambient credential chain. @default AWS_PROFILE */
  profile?: string;
  /** S3 endpoint URL for S3-compatible stores. @default AWS_ENDPOINT_URL_S3 / the AWS endpoint */
  endpoint?: string;
  /** Path-style addressing (MinIO etc.). @default true when endpoint is set, else false */
  forcePathStyle?: boolean;
  /**
   * "when_supported" (SDK default: CRC32 on every request, plus our SHA-256 on uploads) or
   * "when_required" for stores that reject the SDK's default checksums (no checksum headers
   * unless an operation requires them). @default "when_supported"
   */
  checksums?: (typeof CHECKSUM_MODES)[number];
  /** Attempts per request (SDK standard retry mode). @default 3 */
  maxAttempts?: number;
  /**
   * Whether AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL may choose the endpoint when `endpoint` is
   * unset; false pins AWS's own. @default true
   */
  endpointFromEnvironment?: boolean;
}

/** S3's naming rules for buckets (lowercase, digits, dots, hyphens; no ".."). */
export const bucketName: ValueRule = (v) =>
  typeof v === "string" && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) && !v.includes("..")
    ? undefined
    : "is not a valid S3 bucket name; use 3 to 63 lowercase letters, digits, hyphens and dots, " +
      "starting and ending with a letter or digit";

/** An S3 endpoint must be an http(s) URL. */
export const endpointUrl: ValueRule = (value) => {
  try {
    const { protocol } = new URL(value as string);
    return protocol === "http:" || protocol === "https:" ? undefined : "must be an http(s) URL";
  } catch {
    return `must be a URL such as "http://127.0.0.1:9000"`;
  }
};

/** The endpoint in effect: the setting, else the SDK's standard environment variables. */
export function resolveEndpoint(settings: S3Settings): string | undefined {
  const fromEnvironment = settings.endpointFromEnvironment ?? true;
  const endpoint =
    settings.endpoint ??
    (fromEnvironment
      ? (process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL)
      : undefined);
  if (endpoint === undefined || endpoint.trim() === "") return undefined;
  const wrong = endpointUrl(endpoint);
  if (wrong)
    throw invalidSetting("endpoint", `"${endpoint}" ${wrong}`, "give e.g. http://127.0.0.1:9000");
  return endpoint;
}

/** `bucket "x" in region r at endpoint e`, for messages. */
export function describeTarget(settings: S3Settings, bucket: string): string {
  let endpoint: string;
  try {
    endpoint = resolveEndpoint(settings) ?? "the AWS endpoint";
  } catch {
    endpoint = String(settings.endpoint);
  }
  return `bucket "${bucket}" in region ${resolveRegion(settings.region, settings.profile)} at endpoint ${endpoint}`;
}

export function invalidSetting(field: string, what: string, fix: string): LambdaPackageError {
  return new LambdaPackageError("S3_SETTINGS_INVALID", `${field}: ${what}; ${fix}.`, { field });
}

/**
 * The region the SDK would pick, resolved synchronously so messages and
 * console URLs can name it: AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * `region` in the shared config file, then "us-east-1" (where the SDK would
 * otherwise fail with "Region is missing").
 */
export function resolveRegion(region: string | undefined, profile: string | undefined): string {
  return (
    region ??
    nonEmpty(process.env.AWS_REGION) ??
    nonEmpty(process.env.AWS_DEFAULT_REGION) ??
    profileRegion(profile ?? nonEmpty(process.env.AWS_PROFILE) ?? "default") ??
    "us-east-1"
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** `region` of `[profile NAME]` (or `[default]`) in AWS_CONFIG_FILE / ~/.aws/config. */
function profileRegion(profile: string): string | undefined {
  const file = process.env.AWS_CONFIG_FILE ?? path.join(os.homedir(), ".aws", "config");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined; // no config file is the common case, not an error
  }
  const wanted = profile === "default" ? ["default", "profile default"] : [`profile ${profile}`];
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) {
      inSection = wanted.includes(section[1].replace(/\s+/g, " "));
      continue;
    }
    const entry = /^region\s*=\s*(\S+)$/.exec(line);
    if (inSection && entry) return entry[1];
  }
  return undefined;
}
