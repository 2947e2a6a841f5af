/**
 * The S3 clients of one process, kept by what they were made from. A stack
 * of 50 functions is 50 operations in one provider process: each used to make
 * its own client (the SDK resolving its configuration chain, new connections
 * to the store) and destroy it at the end. Operations with the same settings
 * in the same environment now share one client, and its kept-alive
 * connections, for the life of the process.
 */
import { createHash } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import { createS3Client } from "./client";
import { resolveEndpoint, resolveRegion, type S3Settings } from "./settings";

/** More than a process meets unless its environment keeps changing (tests do). */
const MAX_KEPT = 8;

interface Kept {
  readonly client: S3Client;
  /** Operations using it now: a client left out of the map is destroyed when the last ends. */
  users: number;
  kept: boolean;
}

const kept = new Map<string, Kept>();

/**
 * Runs `use` with the process's client for `settings`, made on first use.
 * Two operations share a client only when everything the SDK would read to
 * make one is the same: the settings, where they resolve to, and every
 * `AWS_*` variable of the environment (credentials, profile, config files,
 * checksum modes), which count by a digest, never as text.
 */
export async function withS3Client<T>(
  settings: S3Settings,
  use: (client: S3Client) => Promise<T>,
): Promise<T> {
  const key = keyOf(settings);
  let entry = kept.get(key);
  if (!entry) {
    entry = { client: createS3Client(settings), users: 0, kept: true };
    kept.set(key, entry);
    if (kept.size > MAX_KEPT) release(kept.keys().next().value!);
  }
  entry.users++;
  try {
    return await use(entry.client);
  } finally {
    entry.users--;
    if (!entry.kept && entry.users === 0) entry.client.destroy();
  }
}

/** Leaves the client for `key` out of the map; it is destroyed once no operation uses it. */
function release(key: string): void {
  const entry = kept.get(key)!;
  kept.delete(key);
  entry.kept = false;
  if (entry.users === 0) entry.client.destroy();
}

function keyOf(settings: S3Settings): string {
  const environment = createHash("sha256");
  for (const name of Object.keys(process.env)
    .filter((n) => n.startsWith("AWS_"))
    .sort())
    environment.update(`${name}=${process.env[name]}\0`);
  return JSON.stringify([
    settings,
    resolveEndpoint(settings) ?? null,
    resolveRegion(settings.region, settings.profile),
    environment.digest("hex"),
  ]);
}
