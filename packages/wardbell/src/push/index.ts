/**
 * Web Push (RFC 8030/8291/8292). The factory is `create.ts`, the routes' use cases `api.ts`, the
 * outbox worker `worker.ts` (over `outbox.ts` and `settle.ts`), the tables `store.ts` and their
 * migrations `migrations.ts`.
 */
export { createPush, type Push, type PushDeps } from './create.js';
export type { PushApi } from './api.js';
export { pushMigrations } from './migrations.js';
export { loadOrCreatePushKeys } from './keys.js';
export { encryptPushPayload, checkSubscriptionKeys, MAX_PLAINTEXT_OCTETS, EncryptionError } from './ece.js';
export { VapidSigner, generateVapidKeys, buildVapidJwt, vapidAuthorization, checkVapidClaims, vapidAudience, type VapidKeys } from './vapid.js';
export { buildPushRequest, type PushRequest } from './request.js';
export { buildPayload, urgencyOf, ttlOf, topicOf, clickUrlOf, type PushPayload, type PushNotification } from './payload.js';
export { classify, DEFAULT_RETRY_POLICY, type Outcome, type AttemptResult, type RetryPolicy } from './outcome.js';
export { MAX_ENDPOINT_LENGTH, checkEndpointUrl, checkEndpointDns, isNonPublicAddress, hostAllowed, guardedLookup, type EndpointPolicy } from './endpoint.js';
export { createKeyBox, type KeyBox } from './at-rest.js';
export { createHttpsTransport, type PushTransport, type PushResponse } from './transport.js';
export { PushSender, Limiter } from './sender.js';
export { EncryptPool, inlineEncryptor, type Encryptor } from './encrypt-pool.js';
export { PushWorker } from './worker.js';
export { SubscriptionManager, type PushSubscriptionData, type SubscriptionView } from './manager.js';
export { SubscriptionBackup, BackupFileSchema, type BackupFile, type PushStats } from './backup.js';
export { subscriptionWants } from './outbox.js';
export { pushDb, type PushTables, type PushOutboxTable } from './store.js';
export { SERVICE_WORKER_JS } from './sw.js';
export { pushOutboxQueue } from './enqueue.js';
