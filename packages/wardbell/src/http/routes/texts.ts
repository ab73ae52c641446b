/** Sentences the OpenAPI description of several route groups shares. */

export const UNKNOWN_STAFF = 'Malformed body, or `unknown_recipients`: staff missing from the directory (add them with PUT /api/directory/members).';

export const PUBLISHER_ONLY = 'Role service or admin; the tenant is the caller\'s.';

export const CANNOT_CANCEL = 'It is being sent right now, was already sent, or failed.';

export const BAD_TIME = 'Malformed body; a time in the past or more than 366 days ahead; or `unknown_recipients`.';
