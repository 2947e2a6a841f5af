/**
 * Names that look like credentials, matched on the upper-cased name. One list
 * for both uses: the engine withholds such variables from packagers (which run
 * third-party code that can read and log its environment), and the provider
 * refuses them in `packagerEnv` (inputs are stored in state in plain text).
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

/** Whether an environment variable of this name looks like a credential. */
export function isCredentialName(name: string): boolean {
  const upper = name.toUpperCase();
  return CREDENTIAL_PATTERNS.some((pattern) => pattern.test(upper));
}
