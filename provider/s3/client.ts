import { S3Client } from "@aws-sdk/client-s3";
// Types only (no runtime import): @smithy/types comes with @aws-sdk/client-s3.
import type { FinalizeRequestMiddleware, MetadataBearer } from "@smithy/types";
import {
  CHECKSUM_MODES,
  invalidSetting,
  resolveEndpoint,
  resolveRegion,
  type S3Settings,
} from "./settings";

// A dead endpoint fails fast; a stalled socket (no byte either way) fails
// and is retried instead of hanging `pulumi up` forever.
const CONNECTION_TIMEOUT_MS = 10_000;
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/** An S3 client for `settings`; credentials come from the SDK's default chain (env, profile, SSO, role). */
export function createS3Client(settings: S3Settings): S3Client {
  const endpoint = resolveEndpoint(settings);
  const maxAttempts = settings.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) {
    throw invalidSetting(
      "maxAttempts",
      `${maxAttempts} is out of range`,
      "give an integer from 1 to 20",
    );
  }
  const checksums = checksumMode(settings.checksums);
  const client = new S3Client({
    region: resolveRegion(settings.region, settings.profile),
    profile: settings.profile,
    endpoint,
    forcePathStyle: settings.forcePathStyle ?? endpoint !== undefined,
    // With no endpoint of our own, the SDK would read AWS_ENDPOINT_URL_S3 itself.
    ignoreConfiguredEndpointUrls: settings.endpointFromEnvironment === false,
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
  if (!CHECKSUM_MODES.includes(value)) {
    throw invalidSetting(
      "checksums",
      `"${String(value)}" is not allowed`,
      `use ${CHECKSUM_MODES.map((m) => `"${m}"`).join(" or ")}`,
    );
  }
  return value === "when_supported" ? "WHEN_SUPPORTED" : "WHEN_REQUIRED";
}
