/**
 * Keeps credentials out of everything the CLI prints. Credentials never come from our options, but
 * they can still reach a message: an SDK error that echoes a header, a token pasted into the wrong
 * flag and quoted back by the validator, a stop reason that carries an error message. The CLI passes
 * every line it writes through `redactor(env)`.
 */

/** Environment variables whose values are secrets (the AWS credential chain and Bedrock API keys). */
export const SECRET_ENV = [
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK',
] as const;

export const REDACTED = '[REDACTED]';

// A value shorter than this is not redacted: replacing every "a" or "test" in a message would make
// it unreadable, and no real AWS secret (40 characters), session token or API key is that short.
const MIN_SECRET_LENGTH = 8;

// Secrets recognizable by their shape even when they are not in our environment: an Authorization
// header, Bedrock API keys (long-term ones are base64 of "BedrockAPIKey-...", short-term ones
// start "bedrock-api-key-"), and credentials-file lines.
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=%-]{8,}/gi, `$1${REDACTED}`],
  [/\bbedrock-api-key-[A-Za-z0-9._~+/=%-]+/g, REDACTED],
  [/\bABSK[A-Za-z0-9+/=]{16,}/g, REDACTED],
  [/\b(aws_secret_access_key|aws_session_token|aws_security_token)(\s*[=:]\s*)\S+/gi, `$1$2${REDACTED}`],
  // The password in a URL's user info (`--endpoint https://user:pass@proxy`), wherever it is quoted.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/gi, `$1${REDACTED}@`],
];

/** A function that removes the secrets in `env` (and secret-shaped text) from a piece of output. */
export function redactor(env: NodeJS.ProcessEnv): (text: string) => string {
  const values = SECRET_ENV.map((name) => env[name]?.trim() ?? '').filter(
    (value) => value.length >= MIN_SECRET_LENGTH,
  );
  // A secret in a URL or a query string is percent-encoded (session tokens hold + / =).
  const secrets = [...new Set([...values, ...values.map(encodeURIComponent)])]
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  };
}

/**
 * Whether a value given as an option (say `-m`) is, or holds, a secret: one from the environment or
 * one recognizable by its shape. Such a value is refused, because an option's value travels on into
 * requests, the results file and the summary, beyond what the output redaction sees.
 */
export function holdsSecret(value: string, env: NodeJS.ProcessEnv): boolean {
  return redactor(env)(value) !== value;
}
