import { LambdaPackageError } from "../errors";
import type { RunPackagerOptions } from "./run";
import { packageRoot } from "./root";

/**
 * Names that look like credentials, matched on the upper-cased name. Packagers
 * run third-party code (pip builds, npm install scripts) that can read and log
 * its environment; it has no business with the deploying user's keys.
 */
const CREDENTIAL_PATTERNS: readonly RegExp[] = [
  /(^|_)TOKEN(_|$)/, // GITHUB_TOKEN, NPM_TOKEN, AWS_SESSION_TOKEN, PULUMI_ACCESS_TOKEN, *_TOKEN_FILE
  /SECRET/, // AWS_SECRET_ACCESS_KEY, CLIENT_SECRET, *_SECRET_*
  /PASSWORD|PASSWD|PASSPHRASE/, // DB_PASSWORD, PULUMI_CONFIG_PASSPHRASE(_FILE)
  /(^|_)API_?KEY$/, // OPENAI_API_KEY, *_APIKEY
  /(^|_)ACCESS_KEY(_ID)?$/, // AWS_ACCESS_KEY_ID
  /(^|_)PRIVATE_KEY$/,
  /(^|_)AUTH(_?TOKEN)?$/, // npm_config__auth, npm_config__authToken
  /CREDENTIALS?(_|$)/, // AWS_SHARED_CREDENTIALS_FILE, GOOGLE_APPLICATION_CREDENTIALS
];

/** The variables every packager gets (packagers/README.md), set by the engine only. */
export const CONTRACT_VARIABLES = [
  "RUNTIME",
  "SOURCE_PATH",
  "PACKAGE_ZIP",
  "TF_PATH",
  "BUILD_DIR",
  "ARCHITECTURE",
  "LAYER",
  "PYTHON_MODE",
] as const;

/** Whether a variable of this name is dropped unless credentials are inherited. */
export function isCredentialName(name: string): boolean {
  const upper = name.toUpperCase();
  return CREDENTIAL_PATTERNS.some((pattern) => pattern.test(upper));
}

/**
 * The packager's environment: the parent's minus anything that looks like a
 * credential (unless `inheritCredentials`), then the contract variables, then
 * `env` (explicit values always pass, credential-like or not).
 */
export function packagerEnvironment(options: RunPackagerOptions): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (!options.inheritCredentials && isCredentialName(name)) continue;
    result[name] = value;
  }
  Object.assign(result, contractVariables(options));
  for (const [name, value] of Object.entries(options.env ?? {})) {
    assertNotContract(name);
    result[name] = value;
  }
  return result;
}

function contractVariables(options: RunPackagerOptions): Record<string, string> {
  return {
    RUNTIME: options.runtime,
    SOURCE_PATH: options.sourcePath,
    PACKAGE_ZIP: options.packageZip,
    TF_PATH: packageRoot,
    BUILD_DIR: options.buildDir,
    ARCHITECTURE: options.architecture ?? "",
    LAYER: options.layer ? "1" : "0",
    PYTHON_MODE: options.pythonMode ?? "requirements",
  };
}

const OPTION_FOR: Readonly<Record<string, string>> = {
  RUNTIME: "runtime",
  ARCHITECTURE: "architecture",
  LAYER: "layer",
  PYTHON_MODE: "pythonMode",
  SOURCE_PATH: "sourcePath",
};

// Overriding BUILD_DIR or PACKAGE_ZIP would make the engine zip a directory
// the packager never wrote; the options say the same thing without that trap.
function assertNotContract(name: string): void {
  if (!(CONTRACT_VARIABLES as readonly string[]).includes(name)) return;
  const option = OPTION_FOR[name];
  throw new LambdaPackageError(
    "ENV_RESERVED",
    `env.${name} is set by lambda-package for every packager and cannot be overridden. ` +
      (option ? `Use the ${option} option instead.` : "Remove it from env."),
  );
}
