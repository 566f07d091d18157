import { createHmac, randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlphanumeric(length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}

const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** 32 alphanumeric characters, like the OpenAPI examples (`oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD`). */
export const newAgentId = (): string => randomAlphanumeric(32);

/** 32 alphanumeric characters, like the OpenAPI examples (`Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6`). */
export const newCallId = (): string => randomAlphanumeric(32);

/** `llm_` followed by 26 hex digits, the shape Retell gives Retell LLM ids. */
export const newLlmId = (): string => `llm_${randomHex(13)}`;

/** Twilio call SIDs are `CA` + 32 hex digits; Retell surfaces them in `telephony_identifier`. */
export const newTwilioCallSid = (): string => `CA${randomHex(16)}`;

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * Web-call access tokens are JWTs at Retell. Frontends sometimes decode them (e.g. to read `exp`), so the emulator
 * issues a real HS256 JWT signed with the API key rather than an opaque string.
 */
export function newWebCallAccessToken(callId: string, expiresAtMs: number, signingKey: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({ sub: callId, video: { room: `web_call_${callId}`, roomJoin: true }, exp: Math.floor(expiresAtMs / 1000) }),
  );
  const signature = base64url(createHmac('sha256', signingKey).update(`${header}.${payload}`).digest());
  return `${header}.${payload}.${signature}`;
}
