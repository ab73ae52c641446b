import { encryptPushPayload, type EncryptInput } from './ece.js';

/** One HTTP request to a push service, fully built (pure data): what the transport sends. */
export interface PushRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface BuildRequestInput {
  endpoint: string;
  p256dh: Uint8Array;
  auth: Uint8Array;
  /** The plaintext (JSON of the payload). */
  payload: Uint8Array;
  /** RFC 8030 Section 5.2, seconds. */
  ttl: number;
  /** RFC 8030 Section 5.3. */
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** RFC 8030 Section 5.4: up to 32 base64url characters. */
  topic?: string | undefined;
  /** RFC 8292 Section 3 header value (`vapid t=..., k=...`). */
  authorization: string;
  /** Test vectors only (see {@link EncryptInput.fixed}). */
  fixed?: EncryptInput['fixed'];
}

const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Builds the request of RFC 8030 Section 5 with an RFC 8291 body: POST to the endpoint with TTL,
 * Urgency, Topic, `Content-Encoding: aes128gcm` and the VAPID Authorization. Pure apart from the
 * fresh key pair and salt each encryption draws.
 */
export function buildPushRequest(input: BuildRequestInput): PushRequest {
  checkTopic(input.topic);
  return pushRequest(input, encryptPushPayload({ uaPublic: input.p256dh, authSecret: input.auth, plaintext: input.payload, fixed: input.fixed }));
}

/** Throws for a Topic RFC 8030 Section 5.4 does not allow. */
export function checkTopic(topic: string | undefined): void {
  if (topic !== undefined && !TOPIC.test(topic)) throw new Error('Topic must be 1 to 32 base64url characters (RFC 8030 Section 5.4)');
}

/** The request around a body already encrypted (by {@link encryptPushPayload}, maybe in another thread). */
export function pushRequest(input: Omit<BuildRequestInput, 'p256dh' | 'auth' | 'payload' | 'fixed'>, body: Buffer): PushRequest {
  checkTopic(input.topic);
  const headers: Record<string, string> = {
    TTL: String(Math.max(0, Math.floor(input.ttl))),
    Urgency: input.urgency,
    'Content-Encoding': 'aes128gcm',
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(body.length),
    Authorization: input.authorization,
  };
  if (input.topic !== undefined) headers.Topic = input.topic;
  return { url: input.endpoint, headers, body };
}
