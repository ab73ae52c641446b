import { checkEndpointUrl, type EndpointPolicy } from './endpoint.js';
import { classify, DEFAULT_RETRY_POLICY, type Outcome, type RetryPolicy } from './outcome.js';
import { inlineEncryptor, type Encryptor } from './encrypt-pool.js';
import { checkTopic, pushRequest, type BuildRequestInput } from './request.js';
import type { PushTransport } from './transport.js';
import type { VapidSigner } from './vapid.js';

export interface PushTarget {
  endpoint: string;
  p256dh: Uint8Array;
  auth: Uint8Array;
}

export interface PushMessage {
  payload: Uint8Array;
  ttl: number;
  urgency: BuildRequestInput['urgency'];
  topic?: string | undefined;
  /** The attempt this is, from 1 (decides backoff and giving up). */
  attempt: number;
}

export interface SendReport {
  outcome: Outcome;
  /** HTTP status, or null without a response. */
  status: number | null;
  detail: string;
}

export interface PushSenderOptions {
  signer: VapidSigner;
  transport: PushTransport;
  policy: EndpointPolicy;
  now: () => number;
  retry?: RetryPolicy;
  random?: () => number;
  /** Where encryption runs. Default in this thread ({@link inlineEncryptor}). */
  encryptor?: Encryptor;
}

/**
 * Sends one message to one subscription and says what it means: checks the endpoint again (the
 * allowed hosts may have changed since subscribe time), encrypts (here or in an encryption thread),
 * builds the request with the cached VAPID header, hands it to the transport, classifies the answer. Never throws.
 */
export class PushSender {
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly encryptor: Encryptor;
  constructor(private readonly opts: PushSenderOptions) {
    this.retry = opts.retry ?? DEFAULT_RETRY_POLICY;
    this.random = opts.random ?? Math.random;
    this.encryptor = opts.encryptor ?? inlineEncryptor;
  }

  async send(target: PushTarget, msg: PushMessage): Promise<SendReport> {
    const check = checkEndpointUrl(target.endpoint, this.opts.policy);
    if (!check.ok) return { outcome: { kind: 'fail', result: 'invalid', reason: check.reason }, status: null, detail: check.reason };
    let req;
    try {
      checkTopic(msg.topic);
      const body = await this.encryptor.encrypt({ uaPublic: target.p256dh, authSecret: target.auth, plaintext: msg.payload });
      req = pushRequest({ endpoint: target.endpoint, ttl: msg.ttl, urgency: msg.urgency, topic: msg.topic, authorization: this.opts.signer.authorization(target.endpoint) }, body);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { outcome: { kind: 'fail', result: 'invalid', reason }, status: null, detail: reason };
    }
    const res = await this.opts.transport.send(req);
    if (res.forbiddenAddress) return { outcome: { kind: 'fail', result: 'forbidden_address', reason: res.detail }, status: null, detail: res.detail };
    const outcome = classify({ status: res.status, retryAfter: res.retryAfter, attempt: msg.attempt, now: this.opts.now(), detail: res.detail }, this.retry, this.random);
    return { outcome, status: res.status, detail: res.detail };
  }
}

/** Bounds how many sends run at once (WARDBELL_PUSH_CONCURRENCY). */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private idlers: Array<() => void> = [];
  constructor(readonly max: number) {}

  get inFlight(): number {
    return this.active;
  }

  /** Resolves when a slot is free; call `release` when done. */
  acquire(): Promise<void> | void {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) return next();
    this.active--;
    if (this.active === 0 && this.idlers.length) {
      const idlers = this.idlers;
      this.idlers = [];
      for (const r of idlers) r();
    }
  }

  /** Resolves when nothing runs. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }
}
