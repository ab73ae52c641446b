import { AppError } from '../shared/index.js';

/** The same answer whether the id does not exist, belongs to another user or another tenant. */
export function notInInbox(): AppError {
  return new AppError('not_found', 'No such notification in your inbox.');
}
