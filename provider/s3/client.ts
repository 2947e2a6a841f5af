import { S3Client } from "@aws-sdk/client-s3";
// Types only (no runtime import): @smithy/types comes with @aws-sdk/client-s3.
import type { FinalizeRequestMiddleware, MetadataBearer } from "@smithy/types";
import { LambdaPackageError } from "../../engine/errors";
import { resolveRegion } from "./region";

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
  checksums?: "when_supported" | "when_required";
  /** Attempts per request (SDK standard retry mode). @default 3 */
  maxAttempts?: number;
}

// A dead endpoint fails fast; a stalled socket (no byte either way) fails
// and is retried instead of hanging `pulumi up` forever.
const CONNECTION_TIMEOUT_MS = 10_000;
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/** The endpoint in effect: the setting, else the SDK's standard environment variables. */
export function resolveEndpoint(settings: S3Settings): string | undefined {
  const endpoint =
    settings.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  if (endpoint === undefined || endpoint.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid("endpoint", `"${endpoint}" is not a URL`, "give e.g. http://127.0.0.1:9000");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid("endpoint", `"${endpoint}" is not http(s)`, "give e.g. https://s3.example.com");
  }
  return endpoint;
}

/** An S3 client for `settings`; credentials come from the SDK's default chain (env, profile, SSO, role). */
export function createS3Client(settings: S3Settings): S3Client {
  const endpoint = resolveEndpoint(settings);
  const maxAttempts = settings.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) {
    throw invalid("maxAttempts", `${maxAttempts} is out of range`, "give an integer from 1 to 20");
  }
  const checksums = checksumMode(settings.checksums);
  const client = new S3Client({
    region: resolveRegion(settings.region, settings.profile),
    profile: settings.profile,
    endpoint,
    forcePathStyle: settings.forcePathStyle ?? endpoint !== undefined,
    maxAttempts,
    retryMode: "standard",
    // Unset, the SDK reads AWS_REQUEST_CHECKSUM_CALCULATION and the shared config.
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
    },
  });
  client.middlewareStack.addRelativeTo(unsignedPayload, {
    relation: "before",
    toMiddleware: "httpSigningMiddleware",
    name: "unsignedPayload",
  });
  return client;
}

/**
 * A body that carries `x-amz-checksum-sha256` (a signed header the store
 * verifies) needs no second SHA-256 for the signature: UNSIGNED-PAYLOAD spares
 * the client and the store a pass over every byte, integrity intact.
 */
const unsignedPayload: FinalizeRequestMiddleware<object, MetadataBearer> =
  (next) => async (args) => {
    const headers = (args.request as { headers?: Record<string, string> }).headers;
    if (headers?.["x-amz-checksum-sha256"] && !headers["x-amz-content-sha256"]) {
      headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
    }
    return next(args);
  };

function checksumMode(
  value: S3Settings["checksums"],
): "WHEN_SUPPORTED" | "WHEN_REQUIRED" | undefined {
  if (value === undefined) return undefined;
  if (value === "when_supported") return "WHEN_SUPPORTED";
  if (value === "when_required") return "WHEN_REQUIRED";
  throw invalid(
    "checksums",
    `"${String(value)}" is not allowed`,
    'use "when_supported" or "when_required"',
  );
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

function invalid(field: string, what: string, fix: string): LambdaPackageError {
  return new LambdaPackageError("S3_SETTINGS_INVALID", `${field}: ${what}; ${fix}.`);
}
