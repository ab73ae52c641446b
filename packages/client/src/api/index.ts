export { createApiClient, type ApiClient } from './client.js';
export { WardbellApiError } from './errors.js';
export { fillPath, queryString, type ApiClientOptions } from './transport.js';
export type { ApiPath, CallOptions, HttpMethod, JsonBody, Operation, QueryParams, Schema, SuccessBody } from './types.js';
export type { paths, components } from './schema.js';
