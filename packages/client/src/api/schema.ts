/**
 * The Wardbell HTTP API's types, generated from its OpenAPI description by openapi-typescript:
 * `npm run generate:api`. Do not edit; test/client/api-types.test.ts fails when it is stale.
 */
export interface paths {
    "/api/admin/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's API keys
         * @description Role admin, or an API key with scope `admin`. The keys of the caller's tenant, newest first, revoked ones included; never the keys themselves. Platform keys are managed with `wardbell api-key`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The keys. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            apiKeys: components["schemas"]["ApiKey"][];
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create an API key for the tenant
         * @description Role admin, or an API key with scope `admin`. A tenant key for the caller's tenant, sent as `Authorization: Bearer wbk_...`. The key is in this answer only: it is stored as a SHA-256 hash and cannot be shown again, so a retry creates another key (revoke the one whose answer was lost).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ApiKeyCreate"];
                };
            };
            responses: {
                /** @description Created: `key` is shown this once. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @example wbk_abcdefghijklmnop_... */
                            key: string;
                            apiKey: components["schemas"]["ApiKey"];
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API key
         * @description Role admin, or an API key with scope `admin`. The key stops working at once in this process and within 10 s in every other. Revoking a revoked key answers with it again.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            apiKey: components["schemas"]["ApiKey"];
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description No such key in this tenant. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The process is running. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ok";
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness
         * @description Ready when storage (and Redis, when scaled out) answers, the identity provider's keys are held (with WARDBELL_JWKS_URL), and the process is not shutting down. A check that is ready but degraded says how (the JWKS could not be fetched again: tokens are verified with the keys already held).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ready. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "ready";
                            checks: {
                                [key: string]: string;
                            };
                        };
                    };
                };
                /** @description Not ready. */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            status: "unavailable";
                            checks: {
                                [key: string]: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description The service's metrics in the Prometheus text format: its counters and gauges (`wardbell_*`), the histograms `wardbell_http_request_duration_seconds`, `wardbell_sse_publish_to_write_seconds` and `wardbell_push_delivery_seconds`, and the standard process and Node.js metrics. Open to whoever reaches this port: set WARDBELL_METRICS_TOKEN to require a bearer token, or WARDBELL_METRICS_PORT to serve it on a port of its own.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Text exposition format 0.0.4. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sse": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Open the event stream
         * @description Server-Sent Events for the caller: events addressed to them, to their granted topics and to their whole tenant. Sends `retry:` and an id-only block on connect; `Last-Event-ID` (header or `lastEventId`) replays exactly what was missed, or sends an `event: reset` when that cannot be done (refetch state). `event: ping` every heartbeat interval. Access ends with the credential: when the token that opened the stream (or obtained its ticket) stops being accepted (`exp` plus 30 s of clock skew), and when the user's sessions are revoked or the user is removed from the directory (within 2 s, in every process), the stream gets `event: access-ended` (data: {reason: token_expired | sessions_revoked | removed_from_directory}) and ends; a client gets a fresh token and resumes with its Last-Event-ID, losing nothing.
         */
        get: {
            parameters: {
                query?: {
                    /** @description Comma-separated topics to narrow the stream to (default: every granted topic). */
                    topics?: string;
                    /** @description Resume position when a Last-Event-ID header cannot be sent. */
                    lastEventId?: string;
                    /** @description Single-use ticket from POST /api/sse/ticket (for native EventSource). */
                    ticket?: string;
                };
                header?: {
                    "last-event-id"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The event stream. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description A requested topic is not granted to the identity. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Too many open connections for this user. Or `rate_limited`: more than 600 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sse/ticket": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Get a single-use stream ticket
         * @description For browsers whose native EventSource cannot send headers: a ticket valid once, for 60 s, for `GET /api/sse?ticket=...`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The ticket. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SseTicket"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 600 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Publish a realtime event
         * @description Role `service` or `admin`. Appends to the tenant's log and delivers to the matching open streams. The tenant is always the caller's.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes a retry safe. Within 24 h and the tenant, the same key with the same request (route, caller, body) answers the first success's status and body again (header `Idempotent-Replayed: true`) and does nothing else, in any process and after restarts. The same key with another request: 422 `idempotency_key_reused`. While the first is still running: 409 `idempotency_key_in_flight`. A request that failed keeps nothing: retry it with the same key. 1 to 200 printable ASCII characters. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PublishEvent"];
                };
            };
            responses: {
                /** @description Accepted: logged and handed to delivery. */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Published"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_in_flight`: a request with this Idempotency-Key is still running; retry shortly. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_reused`: this Idempotency-Key was used with another request in the last 24 hours. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 60,000 per user, 120,000 per tenant, 240,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/scheduled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a notification later
         * @description The body of `POST /api/notifications` plus `sendAt`. Who may: role service or admin (any audience in the tenant), or a manager (only `ward:<own ward>`).
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes a retry safe. Within 24 h and the tenant, the same key with the same request (route, caller, body) answers the first success's status and body again (header `Idempotent-Replayed: true`) and does nothing else, in any process and after restarts. The same key with another request: 422 `idempotency_key_reused`. While the first is still running: 409 `idempotency_key_in_flight`. A request that failed keeps nothing: retry it with the same key. 1 to 200 printable ASCII characters. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ScheduledNotificationRequest"];
                };
            };
            responses: {
                /** @description The same key, recognised by the scheduler itself after the first answer was lost: the first one. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            scheduled: components["schemas"]["ScheduledNotification"];
                        };
                    };
                };
                /** @description Scheduled. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            scheduled: components["schemas"]["ScheduledNotification"];
                        };
                    };
                };
                /** @description Malformed body; a time in the past or more than 366 days ahead; or `unknown_recipients`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_in_flight`: a request with this Idempotency-Key is still running; retry shortly. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_reused`: this Idempotency-Key was used with another request in the last 24 hours. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 30,000 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/scheduled/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A scheduled notification
         * @description Service and admin see the tenant's; others only their own.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The scheduled notification. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            scheduled: components["schemas"]["ScheduledNotification"];
                        };
                    };
                };
                /** @description The id is not one this service issues. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Unknown id, or another tenant's (never told apart). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Cancel a scheduled notification */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Cancelled. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            scheduled: components["schemas"]["ScheduledNotification"];
                        };
                    };
                };
                /** @description The id is not one this service issues. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Unknown id, or another tenant's (never told apart). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description It is being sent right now, was already sent, or failed. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/receipts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Report notifications displayed or opened on this device
         * @description Pages and the service worker say when they showed a notification and when the user opened it, in one batched call (@wardbell/client and @wardbell/react send it). Authenticated by the user's bearer token, or by the `X-Wardbell-Action-Token` of a push, which reports for that notification only. Safe to repeat: each step keeps its earliest time. Notifications the caller did not receive are listed as `unknown` and not recorded.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    "x-wardbell-action-token"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ReceiptReport"];
                };
            };
            responses: {
                /** @description Recorded. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReceiptReportResult"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 600 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/receipts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who a notification reached, who saw it and who answered
         * @description For its sender (the caller of an emergency call), role service or admin: a summary and, per recipient, when it was written to one of their streams, accepted by a push service (and for which device), displayed, opened, read, and when and how they acted. The same live: `receipts.updated` (the summary) to the sender and `role:service`, at most once a second per notification.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The receipts, recipients in user id order. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Receipts"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description No such notification sent by the caller (also for other tenants' ids). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}/actions/{actionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Press an action button
         * @description Runs the workflow behind the notification (approve a swap, accept an emergency call) and says what happened. Authenticated by the bearer token, or by the `X-Wardbell-Action-Token` a push carries (service worker).
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    "x-wardbell-action-token"?: string;
                };
                path: {
                    id: string;
                    actionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description What happened. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ActionResult"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Not in the caller's inbox (also for other users' and tenants' ids). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Already answered, already decided, or already filled. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 600 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's inbox, newest first */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    status?: "unread" | "read";
                    type?: "schedule_published" | "schedule_updated" | "swap_requested" | "swap_approved" | "swap_rejected" | "emergency_call" | "shift_reminder" | "general";
                    priority?: "low" | "medium" | "high" | "urgent";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of the inbox. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InboxPage"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Send a notification
         * @description Role service or admin (any audience in the tenant), or manager (only `ward:<own ward>`). One transaction per send. The key is the `Idempotency-Key` header or, as an alias, the `idempotencyKey` field (both: they must be equal).
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes a retry safe. Within 24 h and the tenant, the same key with the same request (route, caller, body) answers the first success's status and body again (header `Idempotent-Replayed: true`) and does nothing else, in any process and after restarts. The same key with another request: 422 `idempotency_key_reused`. While the first is still running: 409 `idempotency_key_in_flight`. A request that failed keeps nothing: retry it with the same key. 1 to 200 printable ASCII characters. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SendNotification"];
                };
            };
            responses: {
                /** @description The same key, recognised by the send itself after the first answer was lost (a process stopped between the two): the first result, nothing sent again. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            notification: components["schemas"]["Notification"];
                            recipients: number;
                            grouped: boolean;
                            duplicate: boolean;
                        };
                    };
                };
                /** @description Created and delivered (or grouped). */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SendResult"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_in_flight`: a request with this Idempotency-Key is still running; retry shortly. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_reused`: this Idempotency-Key was used with another request in the last 24 hours. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 30,000 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        /**
         * Delete the listed notifications of the caller, or all of them
         * @description Say which: `?ids=<id>,<id>` or `?all=true`. A request with neither (or both) is a 400 and deletes nothing.
         */
        delete: {
            parameters: {
                query?: {
                    /** @description Comma-separated ids (1 to 500) of the caller's notifications to delete. */
                    ids?: string;
                    /** @description `true` deletes every notification of the caller. Exactly one of `ids` and `all` must be given. */
                    all?: "true";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deleted: number;
                            unreadCount: number;
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Mark some or all read */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["MarkRead"];
                };
            };
            responses: {
                /** @description Updated. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            updated: number;
                            unreadCount: number;
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/notifications/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's delivery preferences
         * @description The saved preferences, and in `locked` what cannot be switched off (priority urgent and type emergency_call reach the inbox, the stream and push at once, in quiet hours too, and are never grouped: "Urgent notifications always reach you").
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Preferences, with what is locked. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PreferencesView"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        /**
         * Replace the caller's delivery preferences
         * @description Channels per type (inbox with SSE, push) and quiet hours in the user's time zone during which push waits. What is locked cannot be switched off (priority urgent and type emergency_call reach the inbox, the stream and push at once, in quiet hours too, and are never grouped: "Urgent notifications always reach you"): a body that switches it off is accepted and that part ignored (not an error), and the answer shows it on. The body may carry `locked` as GET answered it (ignored), so GET, change, PUT works.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["Preferences"];
                };
            };
            responses: {
                /** @description Saved: the preferences in force, with what is locked. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PreferencesView"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One notification of the caller's inbox */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The notification. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InboxItem"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Not in the caller's inbox (also for other users' and tenants' ids). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete one */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deleted: number;
                            unreadCount: number;
                        };
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Not in the caller's inbox (also for other users' and tenants' ids). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Mark one read, or unread again
         * @description `read: true` marks it read, `read: false` unread again; the unread count moves in the same transaction, and the caller's other pages get `inbox.updated` (`read` or `unread`, and the count).
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": {
                        read: boolean;
                    };
                };
            };
            responses: {
                /** @description Updated. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            updated: number;
                            unreadCount: number;
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Not in the caller's inbox (also for other users' and tenants' ids). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/tenant/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's settings
         * @description Role admin, or an API key with scope `admin`. The caller's tenant's settings; a tenant that set nothing has the defaults (`lockScreen: full`). With `lockScreen: generic` every push of the tenant (also those already queued) carries only a generic text and the notification's id: a title from its type, priority and ward ("Urgent call, Ward 3", "Urgent notification", "Shift swap request", "New notification", ...), the body "Open the app to see the details.", buttons with generic labels (Accept, Decline, Approve, Reject; others are left out) and the action token, no data; never the title, body, data, sender or labels of the notification. A send may ask for this for one notification (`lockScreen: generic` in `POST /api/notifications`) whatever the tenant's setting.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The settings. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TenantSettings"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        /**
         * Replace the tenant's settings
         * @description Role admin, or an API key with scope `admin`. Every field is required; the same body again changes nothing (idempotent). Applies to pushes sent from now on, in every process. With `lockScreen: generic` every push of the tenant (also those already queued) carries only a generic text and the notification's id: a title from its type, priority and ward ("Urgent call, Ward 3", "Urgent notification", "Shift swap request", "New notification", ...), the body "Open the app to see the details.", buttons with generic labels (Accept, Decline, Approve, Reject; others are left out) and the action token, no data; never the title, body, data, sender or labels of the notification. A send may ask for this for one notification (`lockScreen: generic` in `POST /api/notifications`) whatever the tenant's setting.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["TenantSettings"];
                };
            };
            responses: {
                /** @description Saved: the settings now in force. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TenantSettings"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/directory/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List staff members */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    after?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page, by user id. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            members: components["schemas"]["Member"][];
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        /**
         * Add or update staff members
         * @description Role service or admin. The scheduling application keeps the directory in step with its staff, so ward, role and tenant notifications reach everyone, also staff who never connected.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["MemberUpsert"];
                };
            };
            responses: {
                /** @description Saved. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            upserted: number;
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        post?: never;
        /**
         * Remove staff members
         * @description Role service or admin. A removed member stops receiving at once: their open streams end (`access-ended`, reason removed_from_directory) within 2 s in every process, and their tokens and tickets issued before now are refused (a token issued later, after they are re-hired, works again).
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": {
                        userIds: string[];
                    };
                };
            };
            responses: {
                /** @description Removed. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            removed: number;
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/directory/revocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke staff members' sessions
         * @description Role service or admin. Every token of these users issued before now, and every ticket such a token obtained, is refused from now on; their open streams end (`access-ended`, reason sessions_revoked) within 2 s in every process. They stay in the directory; a token issued after now works. Repeating it moves the boundary to the new now.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SessionRevocation"];
                };
            };
            responses: {
                /** @description Revoked. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            revoked: number;
                            /** Format: date-time */
                            revokedBefore: string;
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/published": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A schedule was published
         * @description Role service or admin; the tenant is the caller's. The affected staff get a `schedule_published` notification and their pages a `schedule.published` event (data: scheduleId, period, url, notificationId).
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes a retry safe. Within 24 h and the tenant, the same key with the same request (route, caller, body) answers the first success's status and body again (header `Idempotent-Replayed: true`) and does nothing else, in any process and after restarts. The same key with another request: 422 `idempotency_key_reused`. While the first is still running: 409 `idempotency_key_in_flight`. A request that failed keeps nothing: retry it with the same key. 1 to 200 printable ASCII characters. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SchedulePublished"];
                };
            };
            responses: {
                /** @description The same key, recognised by the send itself after the first answer was lost (a process stopped between the two): the first result, nothing sent again. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleResult"];
                    };
                };
                /** @description Sent. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleResult"];
                    };
                };
                /** @description Malformed body, or `unknown_recipients`: staff missing from the directory (add them with PUT /api/directory/members). */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_in_flight`: a request with this Idempotency-Key is still running; retry shortly. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_reused`: this Idempotency-Key was used with another request in the last 24 hours. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 30,000 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/updated": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A schedule changed
         * @description Role service or admin; the tenant is the caller's. A `schedule.updated` event at once (data: scheduleId, changes, summary), then a `schedule_updated` notification grouped per schedule: updates within 10 minutes collapse into one inbox entry with a count.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes a retry safe. Within 24 h and the tenant, the same key with the same request (route, caller, body) answers the first success's status and body again (header `Idempotent-Replayed: true`) and does nothing else, in any process and after restarts. The same key with another request: 422 `idempotency_key_reused`. While the first is still running: 409 `idempotency_key_in_flight`. A request that failed keeps nothing: retry it with the same key. 1 to 200 printable ASCII characters. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ScheduleUpdated"];
                };
            };
            responses: {
                /** @description Sent (grouped: true when folded into the last update). */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ScheduleResult"];
                    };
                };
                /** @description Malformed body, or `unknown_recipients`: staff missing from the directory (add them with PUT /api/directory/members). */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_in_flight`: a request with this Idempotency-Key is still running; retry shortly. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_reused`: this Idempotency-Key was used with another request in the last 24 hours. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 30,000 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/swaps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask a staff member to swap a shift
         * @description Role service or admin; the tenant is the caller's. The target gets `swap_requested` (priority high) with Approve and Reject, and a `swap.requested` event. The target's first press decides, once: `POST /api/notifications/{id}/actions/approve|reject`. Then the requester gets `swap_approved` or `swap_rejected` and a `swap.approved`/`swap.rejected` event, and so does the `role:service` topic (data: {swap}). A second press answers 409.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes a retry safe. Within 24 h and the tenant, the same key with the same request (route, caller, body) answers the first success's status and body again (header `Idempotent-Replayed: true`) and does nothing else, in any process and after restarts. The same key with another request: 422 `idempotency_key_reused`. While the first is still running: 409 `idempotency_key_in_flight`. A request that failed keeps nothing: retry it with the same key. 1 to 200 printable ASCII characters. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SwapRequest"];
                };
            };
            responses: {
                /** @description Requested. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            swap: components["schemas"]["Swap"];
                        };
                    };
                };
                /** @description Malformed body, or `unknown_recipients`: staff missing from the directory (add them with PUT /api/directory/members). Also: requester and target are the same. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_in_flight`: a request with this Idempotency-Key is still running; retry shortly. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_reused`: this Idempotency-Key was used with another request in the last 24 hours. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 30,000 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/swaps/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A swap and its decision */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The swap. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            swap: components["schemas"]["Swap"];
                        };
                    };
                };
                /** @description The id is not one this service issues. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Unknown id, or another tenant's (never told apart). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/emergency-calls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's calls, newest first
         * @description Role service or admin; the tenant is the caller's. For the review after a shift: filtered by `status` and creation time (`from` inclusive, `to` exclusive), in cursor pages.
         */
        get: {
            parameters: {
                query?: {
                    status?: "open" | "escalated" | "filled" | "cancelled" | "expired";
                    /** @description Calls made at or after this time. */
                    from?: string;
                    /** @description Calls made before this time. */
                    to?: string;
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of calls. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EmergencyCallPage"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Call for staff now
         * @description Role service or admin; the tenant is the caller's. An `urgent` `emergency_call` notification with "Accept now" (`accept`) and "Can't come" (`decline`) and an `emergency.called` event to the audience. Accepts (`POST /api/notifications/{id}/actions/accept`) are counted atomically and stop at `needed`; the filling accept closes the call and every notification of it changes to state filled (`notification.updated`). A decline (`.../actions/decline`) is counted (`declined`); one person answers once, accept or decline (409 otherwise). When everyone reached so far has declined, the next step runs at once. Escalation follows `policy` (ordered steps, each adding the staff it names who were not reached yet; repeats to who has neither answered nor read it; loops; expiry), inline or a tenant's named one (404 for an unknown name), frozen when the call is made; `escalateAfterSeconds`/`escalateTo` is its one-step shorthand: unfilled after `escalateAfterSeconds`, the call goes to `escalateTo` (staff not reached yet). The caller and `role:service` get `emergency.updated` (data: {call}) on every accept, decline, step and the close.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes a retry safe. Within 24 h and the tenant, the same key with the same request (route, caller, body) answers the first success's status and body again (header `Idempotent-Replayed: true`) and does nothing else, in any process and after restarts. The same key with another request: 422 `idempotency_key_reused`. While the first is still running: 409 `idempotency_key_in_flight`. A request that failed keeps nothing: retry it with the same key. 1 to 200 printable ASCII characters. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["EmergencyCallRequest"];
                };
            };
            responses: {
                /** @description Called. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EmergencyCallCreated"];
                    };
                };
                /** @description Malformed body, or `unknown_recipients`: staff missing from the directory (add them with PUT /api/directory/members). */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `policy` names no escalation policy of the tenant. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_in_flight`: a request with this Idempotency-Key is still running; retry shortly. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_reused`: this Idempotency-Key was used with another request in the last 24 hours. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 1,200 per user, 6,000 per tenant, 12,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/emergency-calls/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A call's progress, who accepted and who declined */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The call. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            call: components["schemas"]["EmergencyCallDetail"];
                        };
                    };
                };
                /** @description The id is not one this service issues. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Unknown id, or another tenant's (never told apart). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/emergency-calls/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every step of a call, in order, with its time and who
         * @description created, notified (which wave, which audience, how many), delivered (per recipient and channel: stream or push, with the device), displayed (page or service worker), seen (opened or read), accepted, declined, repeated, escalated (which step), filled, cancelled, expired. The call's own events are numbered (`seq`); deliveries come from the recipients' receipts (`seq` null). Live: `emergency.updated` and `receipts.updated` say when to read it again. In pages of up to 1,000 entries (a call to a whole hospital has three or so per recipient): `nextCursor` names the next page, null on the last.
         */
        get: {
            parameters: {
                query?: {
                    /** @description At most this many entries (1 to 1000, the default). */
                    limit?: number;
                    /** @description The `nextCursor` of the page before. */
                    cursor?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of the timeline, oldest first. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EmergencyCallTimeline"];
                    };
                };
                /** @description The id is not one this service issues. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Unknown id, or another tenant's (never told apart). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/emergency-calls/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel an open call
         * @description Role service or admin; the tenant is the caller's. Nobody else is needed: the call closes, its steps and repeats are cancelled and its notifications change to state cancelled. Cancelling a cancelled call answers with it again.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Cancelled. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            call: components["schemas"]["EmergencyCall"];
                        };
                    };
                };
                /** @description The id is not one this service issues. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Unknown id, or another tenant's (never told apart). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Already filled, or expired. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 1,200 per user, 6,000 per tenant, 12,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/escalation-policies/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A named escalation policy */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The policy. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            policy: components["schemas"]["NamedEscalationPolicy"];
                        };
                    };
                };
                /** @description The name is not 1 to 64 lowercase letters, digits, - or _. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description No policy of that name in your tenant (another tenant's is never seen). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        /**
         * Store a named escalation policy
         * @description Role service or admin; the tenant is the caller's. Creates or replaces the tenant's policy of this name (an upsert: sending the same body again changes nothing). An emergency call names it with `policy: "<name>"` and gets a copy when it is made: changing or deleting the policy later changes no call already made. Steps run in order, each `afterSeconds` after the previous one; named staff must be in the directory. At most 100 policies per tenant.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["EscalationPolicy"];
                };
            };
            responses: {
                /** @description Replaced (or unchanged). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            policy: components["schemas"]["NamedEscalationPolicy"];
                        };
                    };
                };
                /** @description Created. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            policy: components["schemas"]["NamedEscalationPolicy"];
                        };
                    };
                };
                /** @description Malformed body, or `unknown_recipients`: staff missing from the directory (add them with PUT /api/directory/members). Also a name that is not one, negative or too long times, too many steps, unknown fields. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The tenant has 100 policies already. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        post?: never;
        /**
         * Delete a named escalation policy
         * @description Calls made with it keep their copy and run on. New calls that name it get 404.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted; the policy it was. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            policy: components["schemas"]["NamedEscalationPolicy"];
                        };
                    };
                };
                /** @description The name is not 1 to 64 lowercase letters, digits, - or _. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description No policy of that name in your tenant (another tenant's is never seen). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/escalation-policies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's escalation policies */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Every policy of the tenant, by name. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            policies: components["schemas"]["NamedEscalationPolicy"][];
                        };
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reminders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Schedule a shift reminder
         * @description Role service or admin. At `remindAt`, or `minutesBefore` (default 60) before `shiftStartsAt`, the staff get a `shift_reminder` notification (priority high). Kept in the durable scheduler: it fires on time across restarts, once, also with several processes.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Makes a retry safe. Within 24 h and the tenant, the same key with the same request (route, caller, body) answers the first success's status and body again (header `Idempotent-Replayed: true`) and does nothing else, in any process and after restarts. The same key with another request: 422 `idempotency_key_reused`. While the first is still running: 409 `idempotency_key_in_flight`. A request that failed keeps nothing: retry it with the same key. 1 to 200 printable ASCII characters. */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ReminderRequest"];
                };
            };
            responses: {
                /** @description The same key, recognised by the scheduler itself after the first answer was lost: the first reminder. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            reminder: components["schemas"]["Reminder"];
                        };
                    };
                };
                /** @description Scheduled. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            reminder: components["schemas"]["Reminder"];
                        };
                    };
                };
                /** @description Malformed body; a time in the past or more than 366 days ahead; or `unknown_recipients`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_in_flight`: a request with this Idempotency-Key is still running; retry shortly. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `idempotency_key_reused`: this Idempotency-Key was used with another request in the last 24 hours. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 30,000 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/reminders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A reminder and whether it was sent */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The reminder. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            reminder: components["schemas"]["Reminder"];
                        };
                    };
                };
                /** @description The id is not one this service issues. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Unknown id, or another tenant's (never told apart). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Cancel a reminder
         * @description A cancelled reminder never fires. Cancelling a cancelled one answers with it again.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Cancelled. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            reminder: components["schemas"]["Reminder"];
                        };
                    };
                };
                /** @description The id is not one this service issues. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Unknown id, or another tenant's (never told apart). */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description It is being sent right now, was already sent, or failed. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/push/vapid-public-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The VAPID public key (RFC 8292)
         * @description The `applicationServerKey` for `PushManager.subscribe`. Public; no token needed.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The key, base64url (65 octets, uncompressed P-256). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["VapidPublicKey"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sw.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The service worker
         * @description Shows pushes with their action buttons and posts a tapped action with the push's action token. Register with `navigator.serviceWorker.register('/sw.js')`. It is `@wardbell/client`'s push handling with the console as the page a tap opens; an app on its own origin puts the same handling into its own service worker (`installWardbellPush` from `@wardbell/client/service-worker`).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description JavaScript. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/javascript": string;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/push/subscribe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Register this browser for push
         * @description Idempotent on the endpoint: the same endpoint again renews keys, topics and owner. The endpoint must be https on a known push service and must not resolve into a private network.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PushSubscribe"];
                };
            };
            responses: {
                /** @description Already registered; renewed. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            subscription: components["schemas"]["PushSubscription"];
                        };
                    };
                };
                /** @description Registered. */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            subscription: components["schemas"]["PushSubscription"];
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        /** Remove this browser's subscription */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most `WARDBELL_MAX_BODY_BYTES` bytes (65,536 unless configured); nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PushUnsubscribe"];
                };
            };
            responses: {
                /** @description Removed. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            removed: true;
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The caller has no subscription with this endpoint. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/push/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's subscriptions */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Newest first. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            subscriptions: components["schemas"]["PushSubscription"][];
                        };
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/push/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a test push to the caller's own devices now
         * @description Bypasses the inbox and the outbox; answers with each subscription's result. Gone subscriptions are pruned.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Results. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            results: {
                                endpoint: string;
                                result: string;
                                status: number | null;
                            }[];
                        };
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description `rate_limited`: more than 30,000 per user, 60,000 per tenant, 120,000 per address in 60 s (`WARDBELL_RATE_LIMIT_*`); `Retry-After` says when the window ends. */
                429: {
                    headers: {
                        /** @description Seconds until the request may be made again. */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/push/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Push statistics of the caller's tenant
         * @description Role service or admin. Subscriptions (total, by topic, users) and delivery counters.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Statistics. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PushStats"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/push/backup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Back up the tenant's subscriptions as a file
         * @description Role service or admin. Keys stay sealed with the service's key-encryption key; a restore needs the same key and the same tenant.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The backup file. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PushBackup"];
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/push/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore the tenant's subscriptions from a backup file
         * @description Role service or admin. A file of another tenant is refused (403). Entries that do not check out are skipped and listed. Split files larger than the body limit below (restore is idempotent per endpoint).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            /** @description JSON, strict UTF-8, at most 16,777,216 bytes; nested at most 32 deep, arrays of at most 100,000 elements, strings of at most 65,536 characters, objects of at most 1,000 keys. */
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PushBackup"];
                };
            };
            responses: {
                /** @description Restored. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            restored: number;
                            skipped: {
                                endpoint: string;
                                reason: string;
                            }[];
                        };
                    };
                };
                /** @description Malformed JSON or a body that does not match the schema. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Missing, malformed, expired or forged credentials. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The identity may not do this. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description The file was sealed with another key-encryption key. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
                /** @description Body larger than the configured limit. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Redirect to the console */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Location: /api-test/realtime */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api-test/realtime": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The realtime console (seed section 6)
         * @description One page to watch the stream, the inbox, push and the metrics, and to try every API as any user.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The page. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description The console has not been built (run `npm run build`); an HTML page for browsers, the error envelope otherwise. */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api-test/realtime/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The realtime console (trailing slash) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The page. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description The console has not been built (run `npm run build`); an HTML page for browsers, the error envelope otherwise. */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api-test/realtime/assets/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A hashed console asset
         * @description Names carry a content hash, so they are cached for a year and never revalidated.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    file: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The asset. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/octet-stream": string;
                    };
                };
                /** @description No such asset. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorEnvelope"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description The data of each event type of the stream (`event: <type>`), as Wardbell's workflows send it. */
        EventPayloads: {
            notification: {
                notification: components["schemas"]["Notification"];
                /** @description The recipient's unread count after this one. */
                unreadCount?: number;
            };
            "notification.updated": {
                notification: components["schemas"]["Notification"];
            } | {
                id: string;
                action: {
                    id: string;
                    by: string;
                };
            };
            /** @description The user's inbox changed on another device: the ids read, unread again or deleted (or all), and the new unread count. */
            "inbox.updated": {
                read: string[] | "all";
                unreadCount: number;
            } | {
                unread: string[];
                unreadCount: number;
            } | {
                deleted: string[] | "all";
                unreadCount: number;
            };
            "swap.requested": {
                swap: components["schemas"]["Swap"];
            };
            "swap.approved": {
                swap: components["schemas"]["Swap"];
            };
            "swap.rejected": {
                swap: components["schemas"]["Swap"];
            };
            "emergency.called": {
                call: components["schemas"]["EmergencyCall"];
            };
            "emergency.updated": {
                call: components["schemas"]["EmergencyCall"];
            };
            /** @description How far a notification got: to its sender and role:service, at most once a second per notification. */
            "receipts.updated": {
                notificationId: string;
                summary: components["schemas"]["ReceiptSummary"];
                at: string;
            };
            /** @description What the publisher sent: the scheduling app's own data (with `notificationId` when Wardbell also sent the notification). */
            "schedule.published": {
                [key: string]: unknown;
            };
            /** @description What the publisher sent: the scheduling app's own data (with `notificationId` when Wardbell also sent the notification). */
            "schedule.updated": {
                [key: string]: unknown;
            };
        };
        Notification: {
            id: string;
            /** @enum {string} */
            type: "schedule_published" | "schedule_updated" | "swap_requested" | "swap_approved" | "swap_rejected" | "emergency_call" | "shift_reminder" | "general";
            /** @enum {string} */
            priority: "low" | "medium" | "high" | "urgent";
            title: string;
            body: string;
            data?: unknown;
            actions: components["schemas"]["NotificationAction"][];
            groupKey: string | null;
            groupCount: number;
            senderId: string;
            state?: unknown;
            createdAt: string;
            updatedAt: string;
        };
        /**
         * @example {
         *       "id": "approve",
         *       "label": "Approve",
         *       "style": "primary"
         *     }
         */
        NotificationAction: {
            id: string;
            label: string;
            /** @enum {string} */
            style?: "primary" | "secondary" | "danger";
        };
        Swap: {
            id: string;
            /** @enum {string} */
            status: "pending" | "approved" | "rejected";
            requesterId: string;
            targetId: string;
            shift: components["schemas"]["ShiftRef"];
            inReturn: components["schemas"]["ShiftRef"] & (Record<string, never> | null);
            note: string | null;
            notificationId: string | null;
            decidedBy: string | null;
            decidedAt: string | null;
            createdAt: string;
            updatedAt: string;
        };
        ShiftRef: {
            id: string;
            /**
             * Format: date-time
             * @description Shift start.
             * @example 2026-11-26T07:00:00+09:00
             */
            startsAt: string;
            /**
             * Format: date-time
             * @description Shift end.
             * @example 2026-11-26T07:00:00+09:00
             */
            endsAt?: string;
            ward?: string;
            label?: string;
        };
        EmergencyCall: {
            id: string;
            /**
             * @description open and escalated take answers; filled, cancelled and expired are closed.
             * @enum {string}
             */
            status: "open" | "escalated" | "filled" | "cancelled" | "expired";
            needed: number;
            accepted: number;
            /** @description How many pressed "Can't come". */
            declined: number;
            callerId: string;
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
            title: string;
            message: string;
            details: {
                [key: string]: unknown;
            };
            /** @description The first step's audience. */
            escalateTo: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            } | null;
            /** @description When the first step was due. */
            escalateAt: string | null;
            escalatedAt: string | null;
            filledAt: string | null;
            createdAt: string;
            updatedAt: string;
            policy: components["schemas"]["EmergencyCallPolicy"];
            /** @description Steps run so far, loops included. */
            stepsRun: number;
            /** @description Steps in all, loops included. */
            stepsTotal: number;
            /** @description When the next step is due; null when none is left or the call is closed. */
            nextStepAt: string | null;
            expiresAt: string | null;
        };
        /** @description The policy the call runs, fixed when it was made. */
        EmergencyCallPolicy: {
            /** @description The named policy it was copied from; null: given inline or as escalateAfterSeconds/escalateTo. */
            name: string | null;
            steps: {
                afterSeconds: number;
                to: {
                    users: string[];
                } | {
                    topic: string;
                } | {
                    /** @enum {boolean} */
                    tenant: true;
                };
            }[];
            repeatEverySeconds: number | null;
            maxRepeats: number;
            loops: number;
            expiresAfterSeconds: number | null;
        };
        ReceiptSummary: {
            recipients: number;
            /** @description Written to one of their open streams, or accepted by a push service for one of their devices. */
            reached: number;
            streamed: number;
            pushed: number;
            /** @description Shown by a page or the service worker (reported by the client packages). */
            displayed: number;
            /** @description Displayed, opened, read or acted on. */
            seen: number;
            opened: number;
            read: number;
            acted: number;
            /** @description Recipients per action pressed, e.g. {"accept": 2, "decline": 1}. */
            actions: {
                [key: string]: number;
            };
        };
        ApiKey: {
            /** @description The key's public id (the part after `wbk_`); lists and logs show it, never the key. */
            id: string;
            /** @description The tenant it acts for; null for a platform key. */
            tenantId: string | null;
            name: string;
            scopes: ("publish" | "send" | "directory" | "workflows" | "admin")[];
            /** Format: date-time */
            createdAt: string;
            /**
             * Format: date-time
             * @description Its last use, recorded at most once a minute.
             */
            lastUsedAt: string | null;
            /** Format: date-time */
            revokedAt: string | null;
        };
        ErrorEnvelope: {
            error: {
                /** @example validation_failed */
                code: string;
                /** @example Request body does not match the schema. */
                message: string;
                details?: unknown;
                /** @description The request's id, also in the `x-request-id` header and in the access log. */
                requestId?: string;
            };
        };
        ApiKeyCreate: {
            /** @description What the key is for, shown in lists. */
            name?: string;
            /** @description What it may call: `publish` (POST /api/events), `send` (/api/notifications (send, list, scheduled)), `directory` (/api/directory (staff, wards, revocations)), `workflows` (/api/schedules, /api/swaps, /api/emergency-calls, /api/reminders), `admin` (/api/admin (the tenant's API keys), /api/push/stats, backup and restore). */
            scopes: ("publish" | "send" | "directory" | "workflows" | "admin")[];
        };
        SseTicket: {
            ticket: string;
            /** Format: date-time */
            expiresAt: string;
        };
        Published: {
            /** @example k3x9a0b1c2-000000000042 */
            id: string;
        };
        PublishEvent: {
            /**
             * @example schedule.published
             * @enum {string}
             */
            type: "schedule.updated" | "schedule.published" | "swap.requested" | "swap.approved" | "swap.rejected" | "notification" | "notification.updated" | "inbox.updated" | "emergency.called" | "emergency.updated" | "receipts.updated";
            /**
             * @description Any JSON value; sent as the event data.
             * @example {
             *       "scheduleId": "s-2026-12",
             *       "month": "2026-12"
             *     }
             */
            data?: unknown;
            /**
             * @description Audience inside the caller's tenant: some users, one topic, or the whole tenant.
             * @example {
             *       "topic": "ward:3"
             *     }
             */
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
        };
        ScheduledNotification: {
            id: string;
            /**
             * @description pending: waiting for its time; running: being sent; done: sent; cancelled; failed: gave up (see lastError).
             * @enum {string}
             */
            status: "pending" | "running" | "done" | "cancelled" | "failed";
            runAt: string;
            attempts: number;
            /** @description The notification sent, once done. */
            notificationId: string | null;
            lastError: string | null;
            createdBy: string;
            createdAt: string;
            updatedAt: string;
            notification: {
                /** @enum {string} */
                type: "schedule_published" | "schedule_updated" | "swap_requested" | "swap_approved" | "swap_rejected" | "emergency_call" | "shift_reminder" | "general";
                /** @enum {string} */
                priority: "low" | "medium" | "high" | "urgent";
                title: string;
                body: string;
                data?: {
                    [key: string]: unknown;
                };
                actions?: {
                    id: string;
                    label: string;
                    /** @enum {string} */
                    style?: "primary" | "secondary" | "danger";
                }[];
                to: {
                    users: string[];
                } | {
                    topic: string;
                } | {
                    /** @enum {boolean} */
                    tenant: true;
                };
                groupKey?: string;
            };
        };
        ScheduledNotificationRequest: {
            /**
             * @default general
             * @enum {string}
             */
            type?: "schedule_published" | "schedule_updated" | "swap_requested" | "swap_approved" | "swap_rejected" | "emergency_call" | "shift_reminder" | "general";
            /**
             * @default medium
             * @enum {string}
             */
            priority?: "low" | "medium" | "high" | "urgent";
            title: string;
            /** @default  */
            body?: string;
            /** @description Structured data for the receiving page (any JSON object). */
            data?: {
                [key: string]: unknown;
            };
            actions?: components["schemas"]["NotificationAction"][];
            /**
             * @description Users, one topic (ward:3, role:nurse) or the whole tenant, inside the caller's tenant.
             * @example {
             *       "topic": "ward:3"
             *     }
             */
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
            /** @description Repeats with this key within 10 minutes collapse into one inbox entry with a count. */
            groupKey?: string;
            /**
             * Format: date-time
             * @description When to send; in the future, at most 366 days ahead.
             * @example 2026-11-26T07:00:00+09:00
             */
            sendAt: string;
            /** @description One scheduled notification per key: scheduling again returns the first (200). */
            idempotencyKey?: string;
        };
        ReceiptReportResult: {
            recorded: number;
            unknown: string[];
        };
        ReceiptReport: {
            receipts: {
                /** Format: uuid */
                id: string;
                /** @enum {string} */
                kind: "displayed" | "opened";
                /**
                 * @default page
                 * @enum {string}
                 */
                via?: "page" | "worker";
                /**
                 * Format: date-time
                 * @description When it happened on the device; clamped to the present.
                 */
                at?: string;
            }[];
        };
        Receipts: {
            notificationId: string;
            summary: components["schemas"]["ReceiptSummary"];
            /** @description The repeats of an urgent notification sent with repeatEverySeconds, oldest first (empty otherwise; an emergency call's repeats are on its timeline). */
            repeats: {
                /** @description The repeat, from 1. */
                n: number;
                /** Format: date-time */
                at: string;
                /** @description Recipients it went to again: who had neither read nor answered it. */
                reached: number;
            }[];
            recipients: components["schemas"]["RecipientReceipt"][];
            nextCursor: string | null;
        };
        RecipientReceipt: {
            userId: string;
            /** @description First written to one of the user's open streams. */
            streamedAt: string | null;
            /** @description First accepted by a push service for one of the user's devices. */
            pushedAt: string | null;
            /** @description The device (push subscription) of that first acceptance. */
            pushSubscriptionId: string | null;
            displayedAt: string | null;
            /** @enum {string|null} */
            displayedVia: "page" | "worker" | null;
            openedAt: string | null;
            /** @enum {string|null} */
            openedVia: "page" | "worker" | null;
            readAt: string | null;
            actedAt: string | null;
            action: string | null;
        };
        ActionResult: {
            notificationId: string;
            actionId: string;
            result: string;
            message: string;
            details?: unknown;
        };
        InboxPage: {
            items: components["schemas"]["InboxItem"][];
            nextCursor: string | null;
            unreadCount: number;
        };
        InboxItem: {
            id: string;
            /** @enum {string} */
            type: "schedule_published" | "schedule_updated" | "swap_requested" | "swap_approved" | "swap_rejected" | "emergency_call" | "shift_reminder" | "general";
            /** @enum {string} */
            priority: "low" | "medium" | "high" | "urgent";
            title: string;
            body: string;
            data?: unknown;
            actions: components["schemas"]["NotificationAction"][];
            groupKey: string | null;
            groupCount: number;
            senderId: string;
            state?: unknown;
            createdAt: string;
            updatedAt: string;
            readAt: string | null;
            actedAction: string | null;
        };
        SendResult: {
            notification: components["schemas"]["Notification"];
            recipients: number;
            grouped: boolean;
            duplicate: boolean;
        };
        SendNotification: {
            /**
             * @default general
             * @enum {string}
             */
            type?: "schedule_published" | "schedule_updated" | "swap_requested" | "swap_approved" | "swap_rejected" | "emergency_call" | "shift_reminder" | "general";
            /**
             * @default medium
             * @enum {string}
             */
            priority?: "low" | "medium" | "high" | "urgent";
            title: string;
            /** @default  */
            body?: string;
            /** @description Structured data for the receiving page (any JSON object). */
            data?: {
                [key: string]: unknown;
            };
            actions?: components["schemas"]["NotificationAction"][];
            /**
             * @description Users, one topic (ward:3, role:nurse) or the whole tenant, inside the caller's tenant.
             * @example {
             *       "topic": "ward:3"
             *     }
             */
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
            /** @description Repeats with this key within 10 minutes collapse into one inbox entry with a count. */
            groupKey?: string;
            /**
             * @description `generic`: this notification's pushes carry only a generic text and its id (as with the tenant setting `lockScreen: generic`, `GET /api/tenant/settings`), whatever the tenant's setting; the inbox and the stream still carry everything. Sticks to a group it folds into.
             * @enum {string}
             */
            lockScreen?: "generic";
            /** @description Urgent only: repeat it to each recipient who has neither read nor answered it, every this many seconds (30 to 3600), as a push with `Urgency: high` that alerts again and the `notification` event again; it stops for whoever reads or answers it. */
            repeatEverySeconds?: number;
            /** @description At most this many repeats (1 to 10; default 3). Needs repeatEverySeconds. */
            maxRepeats?: number;
            /** @description A key used again within 24 h returns the first result and sends nothing. */
            idempotencyKey?: string;
        };
        MarkRead: {
            ids: string[];
        } | {
            /** @enum {boolean} */
            all: true;
        };
        PreferencesView: {
            /** @default {} */
            channels?: {
                schedule_published?: {
                    inbox: boolean;
                    push: boolean;
                };
                schedule_updated?: {
                    inbox: boolean;
                    push: boolean;
                };
                swap_requested?: {
                    inbox: boolean;
                    push: boolean;
                };
                swap_approved?: {
                    inbox: boolean;
                    push: boolean;
                };
                swap_rejected?: {
                    inbox: boolean;
                    push: boolean;
                };
                emergency_call?: {
                    inbox: boolean;
                    push: boolean;
                };
                shift_reminder?: {
                    inbox: boolean;
                    push: boolean;
                };
                general?: {
                    inbox: boolean;
                    push: boolean;
                };
            };
            /** @default null */
            quietHours?: {
                enabled: boolean;
                start: string;
                end: string;
                timeZone: string;
            } | null;
            locked: components["schemas"]["LockedPreferences"];
        };
        /**
         * @example {
         *       "types": {
         *         "schedule_published": false,
         *         "schedule_updated": false,
         *         "swap_requested": false,
         *         "swap_approved": false,
         *         "swap_rejected": false,
         *         "emergency_call": true,
         *         "shift_reminder": false,
         *         "general": false
         *       },
         *       "priorities": {
         *         "low": false,
         *         "medium": false,
         *         "high": false,
         *         "urgent": true
         *       },
         *       "note": "Urgent notifications always reach you"
         *     }
         */
        LockedPreferences: {
            /** @description `true`: this type always reaches the inbox, the stream and push, at once; its channels cannot be switched off. */
            types: {
                schedule_published?: boolean;
                schedule_updated?: boolean;
                swap_requested?: boolean;
                swap_approved?: boolean;
                swap_rejected?: boolean;
                emergency_call?: boolean;
                shift_reminder?: boolean;
                general?: boolean;
            };
            /** @description `true`: notifications of this priority, of any type, reach every channel at once, in quiet hours too, and are never grouped. */
            priorities: {
                low?: boolean;
                medium?: boolean;
                high?: boolean;
                urgent?: boolean;
            };
            /** @description The words to show next to a locked row. */
            note: string;
        };
        Preferences: {
            /** @default {} */
            channels?: {
                schedule_published?: {
                    inbox: boolean;
                    push: boolean;
                };
                schedule_updated?: {
                    inbox: boolean;
                    push: boolean;
                };
                swap_requested?: {
                    inbox: boolean;
                    push: boolean;
                };
                swap_approved?: {
                    inbox: boolean;
                    push: boolean;
                };
                swap_rejected?: {
                    inbox: boolean;
                    push: boolean;
                };
                emergency_call?: {
                    inbox: boolean;
                    push: boolean;
                };
                shift_reminder?: {
                    inbox: boolean;
                    push: boolean;
                };
                general?: {
                    inbox: boolean;
                    push: boolean;
                };
            };
            /** @default null */
            quietHours?: {
                enabled: boolean;
                start: string;
                end: string;
                timeZone: string;
            } | null;
            locked?: components["schemas"]["LockedPreferences"];
        };
        /**
         * @example {
         *       "lockScreen": "generic"
         *     }
         */
        TenantSettings: {
            /**
             * @description `full` (default): pushes carry the notification's title, body and buttons. `generic`: pushes carry only a generic text made from the notification's type, priority and ward (e.g. "Urgent call, Ward 3", "Shift swap request") and its id, so nothing personal reaches a lock screen; the page a tap opens fetches the details with the user's credentials.
             * @enum {string}
             */
            lockScreen: "full" | "generic";
        };
        MemberUpsert: {
            members: components["schemas"]["Member"][];
        };
        /**
         * @example {
         *       "userId": "nurse-kim",
         *       "roles": [
         *         "nurse"
         *       ],
         *       "wards": [
         *         "3"
         *       ],
         *       "displayName": "Kim",
         *       "timeZone": "Asia/Seoul"
         *     }
         */
        Member: {
            userId: string;
            /** @default [] */
            roles?: string[];
            /** @default [] */
            wards?: string[];
            displayName?: string | null;
            timeZone?: string | null;
        };
        SessionRevocation: {
            userIds: string[];
        };
        ScheduleResult: {
            notificationId: string;
            recipients: number;
            grouped: boolean;
            duplicate: boolean;
            eventId: string | null;
        };
        SchedulePublished: {
            scheduleId: string;
            /**
             * @description The affected staff: a list of users, a ward (ward:3), a role, or the whole tenant.
             * @example {
             *       "topic": "ward:3"
             *     }
             */
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
            /**
             * @description The dates the schedule covers.
             * @example {
             *       "from": "2026-12-01",
             *       "to": "2026-12-31"
             *     }
             */
            period?: {
                /** Format: date */
                from: string;
                /** Format: date */
                to: string;
            };
            /** @description Default "New schedule published". */
            title?: string;
            body?: string;
            /** @description Where the page opens the schedule. */
            url?: string;
            /** @description Structured data for the receiving page (any JSON object). */
            data?: {
                [key: string]: unknown;
            };
            /** @description The same key within 24 h sends nothing again (neither notification nor event). */
            idempotencyKey?: string;
        };
        ScheduleUpdated: {
            scheduleId: string;
            /**
             * @description The affected staff.
             * @example {
             *       "topic": "ward:3"
             *     }
             */
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
            /** @description Change records carried by the schedule.updated event, for pages to apply. */
            changes?: {
                [key: string]: unknown;
            }[];
            /** @description One line for the notification body. */
            summary?: string;
            /** @description Default "Schedule updated". */
            title?: string;
            /** @description Structured data for the receiving page (any JSON object). */
            data?: {
                [key: string]: unknown;
            };
        };
        SwapRequest: {
            /** @description Who asks to swap (gets swap_approved or swap_rejected). */
            requesterId: string;
            /** @description Who is asked (gets swap_requested with Approve and Reject). */
            targetId: string;
            /** @description The requester's shift the target would take. */
            shift: {
                id: string;
                /**
                 * Format: date-time
                 * @description Shift start.
                 * @example 2026-11-26T07:00:00+09:00
                 */
                startsAt: string;
                /**
                 * Format: date-time
                 * @description Shift end.
                 * @example 2026-11-26T07:00:00+09:00
                 */
                endsAt?: string;
                ward?: string;
                label?: string;
            };
            /** @description The target's shift the requester would take; absent: a give-away. */
            inReturn?: {
                id: string;
                /**
                 * Format: date-time
                 * @description Shift start.
                 * @example 2026-11-26T07:00:00+09:00
                 */
                startsAt: string;
                /**
                 * Format: date-time
                 * @description Shift end.
                 * @example 2026-11-26T07:00:00+09:00
                 */
                endsAt?: string;
                ward?: string;
                label?: string;
            };
            note?: string;
        };
        EmergencyCallCreated: {
            call: components["schemas"]["EmergencyCall"];
            notificationId: string;
            recipients: number;
        };
        EmergencyCallRequest: {
            /**
             * @description A ward (ward:3) or selected staff ({users: [...]}); a role or the tenant also work.
             * @example {
             *       "topic": "ward:3"
             *     }
             */
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
            /** @description How many people are needed; accepts stop there. */
            needed: number;
            /** @default Emergency call */
            title?: string;
            /** @default  */
            message?: string;
            /** @description Free-form details (shift, ward, skills) for the receiving page. */
            details?: {
                [key: string]: unknown;
            };
            /** @description Seconds before an unfilled call escalates (the one-step shorthand of a policy). Default 600. */
            escalateAfterSeconds?: number;
            /**
             * @description The wider audience the call escalates to (staff already reached are skipped). Default {topic: "role:nurse"}; null: never escalate.
             * @example {
             *       "topic": "ward:3"
             *     }
             */
            escalateTo?: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            } | null;
            /** @description An ordered escalation policy, inline, or the name of one of the tenant's (PUT /api/escalation-policies/{name}). Copied into the call when it is made: later changes to a named policy do not change it. Instead of escalateAfterSeconds/escalateTo. */
            policy?: string | components["schemas"]["EscalationPolicy"];
            /**
             * @description The same as policy: "<name>".
             * @example night-shift
             */
            policyName?: string;
            /** @description Repeat the call to reached staff who have neither answered nor read it, every this many seconds (30 to 3600). */
            repeatEverySeconds?: number;
            /** @description Each recipient gets at most this many repeats over the whole call, whichever step reached them (1 to 10; default 3). Needs repeatEverySeconds. */
            maxRepeats?: number;
            /** @description Seconds after which a call still open closes as expired (no more accepts, steps or repeats). Default: never. */
            expiresAfterSeconds?: number;
        };
        EscalationPolicy: {
            /** @description In order; each adds the staff it names who were not reached yet. */
            steps: components["schemas"]["EscalationStep"][];
            /** @description Repeat the call to reached staff who have neither answered nor read it, every this many seconds (30 to 3600). */
            repeatEverySeconds?: number;
            /** @description Each recipient gets at most this many repeats over the whole call, whichever step reached them (1 to 10; default 3). Needs repeatEverySeconds. */
            maxRepeats?: number;
            /** @description Seconds after which a call still open closes as expired (no more accepts, steps or repeats). Default: never. */
            expiresAfterSeconds?: number;
            /**
             * @description After the last step, run the steps again this many times (0 to 5), each re-notifying the reached staff who have not answered or read the call.
             * @default 0
             */
            loops?: number;
        };
        EscalationStep: {
            /** @description Seconds after the previous step (the first: after the call was made). */
            afterSeconds: number;
            /**
             * @description A ward (`{ward: "3"}`, `{topic: "ward:3"}` or `"ward:3"`), a role (`{role: "nurse"}`), named staff (`{users: [...]}`) or the tenant (`{tenant: true}`).
             * @example {
             *       "ward": "5"
             *     }
             */
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            } | {
                ward: string;
            } | {
                role: string;
            } | string;
        };
        EmergencyCallDetail: {
            id: string;
            /**
             * @description open and escalated take answers; filled, cancelled and expired are closed.
             * @enum {string}
             */
            status: "open" | "escalated" | "filled" | "cancelled" | "expired";
            needed: number;
            accepted: number;
            /** @description How many pressed "Can't come". */
            declined: number;
            callerId: string;
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
            title: string;
            message: string;
            details: {
                [key: string]: unknown;
            };
            /** @description The first step's audience. */
            escalateTo: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            } | null;
            /** @description When the first step was due. */
            escalateAt: string | null;
            escalatedAt: string | null;
            filledAt: string | null;
            createdAt: string;
            updatedAt: string;
            policy: components["schemas"]["EmergencyCallPolicy"];
            /** @description Steps run so far, loops included. */
            stepsRun: number;
            /** @description Steps in all, loops included. */
            stepsTotal: number;
            /** @description When the next step is due; null when none is left or the call is closed. */
            nextStepAt: string | null;
            expiresAt: string | null;
            acceptedBy: {
                userId: string;
                acceptedAt: string;
            }[];
            declinedBy: {
                userId: string;
                declinedAt: string;
            }[];
            notificationIds: string[];
        };
        EmergencyCallTimeline: {
            callId: string;
            entries: components["schemas"]["EmergencyCallTimelineEntry"][];
            nextCursor: string | null;
        };
        EmergencyCallTimelineEntry: {
            seq: number | null;
            at: string;
            /** @enum {string} */
            kind: "created" | "notified" | "accepted" | "declined" | "repeated" | "escalated" | "filled" | "cancelled" | "expired" | "delivered" | "displayed" | "seen";
            /** @description Who: the caller, the nurse who answered, the recipient a delivery reached; null for the service's own steps. */
            actor: string | null;
            data: {
                [key: string]: unknown;
            };
        };
        EmergencyCallPage: {
            items: components["schemas"]["EmergencyCall"][];
            nextCursor: string | null;
        };
        NamedEscalationPolicy: {
            name: string;
            steps: components["schemas"]["EscalationStep"][];
            repeatEverySeconds?: number;
            maxRepeats?: number;
            expiresAfterSeconds?: number;
            loops: number;
            createdBy: string;
            updatedBy: string;
            createdAt: string;
            updatedAt: string;
        };
        Reminder: {
            id: string;
            /**
             * @description pending: waiting for its time; running: being sent; done: sent; cancelled; failed: gave up (see lastError).
             * @enum {string}
             */
            status: "pending" | "running" | "done" | "cancelled" | "failed";
            runAt: string;
            attempts: number;
            /** @description The notification sent, once done. */
            notificationId: string | null;
            lastError: string | null;
            createdBy: string;
            createdAt: string;
            updatedAt: string;
            shiftId: string;
            shiftStartsAt: string;
            ward: string | null;
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
            title: string;
            body: string;
        };
        ReminderRequest: {
            shiftId: string;
            /**
             * Format: date-time
             * @description When the shift starts.
             * @example 2026-11-26T07:00:00+09:00
             */
            shiftStartsAt: string;
            ward?: string;
            /**
             * @description Who is reminded: the shift's staff ({users: [...]}) or a ward.
             * @example {
             *       "topic": "ward:3"
             *     }
             */
            to: {
                users: string[];
            } | {
                topic: string;
            } | {
                /** @enum {boolean} */
                tenant: true;
            };
            /**
             * @description Remind this long before the shift. Default 60.
             * @default 60
             */
            minutesBefore?: number;
            /**
             * Format: date-time
             * @description An exact reminder time instead of minutesBefore.
             * @example 2026-11-26T07:00:00+09:00
             */
            remindAt?: string;
            /** @description Default "Shift reminder". */
            title?: string;
            body?: string;
            /** @description Structured data for the receiving page (any JSON object). */
            data?: {
                [key: string]: unknown;
            };
            /** @description One reminder per key: scheduling again returns the first (200). */
            idempotencyKey?: string;
        };
        VapidPublicKey: {
            publicKey: string;
        };
        PushSubscription: {
            id: string;
            endpoint: string;
            userId: string;
            tenantId: string;
            topics: string[];
            createdAt: string;
            expirationTime?: number | null;
        };
        PushSubscribe: {
            /**
             * Format: uri
             * @example https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bH...
             */
            endpoint: string;
            keys: {
                p256dh: string;
                auth: string;
            };
            /** @description Milliseconds since the epoch when the browser lets the subscription lapse; null: never. */
            expirationTime?: number | null;
            /**
             * @description Topics this device wants (user:<id>, ward:<id>, role:<name>), only ones the caller is granted. Absent: all granted topics. Urgent notifications always come through.
             * @example [
             *       "user:kim",
             *       "ward:3"
             *     ]
             */
            topics?: string[];
            /** @description Optional; must be the caller. */
            userId?: string;
            /** @description Optional; must be the caller's tenant. */
            tenantId?: string;
        };
        PushUnsubscribe: {
            endpoint: string;
        };
        PushStats: {
            tenantId: string;
            subscriptions: number;
            users: number;
            byTopic: {
                [key: string]: number;
            };
            deliveries: {
                delivered: number;
                failed: number;
                pruned: number;
                expired: number;
                retried: number;
                pending: number;
            };
        };
        PushBackup: {
            /** @enum {string} */
            format: "wardbell-push-backup";
            /** @enum {number} */
            version: 1;
            tenantId: string;
            keyId: string;
            exportedAt: string;
            subscriptions: {
                endpoint: string;
                userId: string;
                topics: string[];
                createdAt: string;
                expirationTime: number | null;
                keys: string;
            }[];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

/** Paths whose POST creates something and takes an `Idempotency-Key`: safe to retry with the same key. */
export const IDEMPOTENT_POSTS: readonly string[] = [
  '/api/emergency-calls',
  '/api/events',
  '/api/notifications',
  '/api/notifications/scheduled',
  '/api/reminders',
  '/api/schedules/published',
  '/api/schedules/updated',
  '/api/swaps'
];
