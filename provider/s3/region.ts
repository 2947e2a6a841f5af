import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

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
