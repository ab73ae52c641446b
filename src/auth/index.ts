export { type Identity, canPublish, PUBLISHER_ROLES, ID_PATTERN, IdSchema } from './identity.js';
export { TOPIC_PATTERN, parseTopic, formatTopic, grantedTopics, mayUseTopic, selectTopics, type Topic, type TopicSelection } from './topics.js';
export { jwtKeyFrom, verifyToken, signDevToken, type JwtKey, type JwtAlgorithm, type JwtOptions } from './jwt.js';
export { identityFromHeaders } from './trusted-proxy.js';
export { createAuthenticator, type Authenticator, type HeaderGetter } from './authenticator.js';
export { loadOrCreateDevSecret } from './dev-secret.js';
export { createSqlTicketStore, TICKET_PATTERN, type TicketStore } from './tickets.js';
export { createActionTokens, type ActionTokens, type ActionClaims } from './action-tokens.js';
