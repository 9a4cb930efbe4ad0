import { FrameworkError, type ErrorCode } from '../errors/index.js'

/** The only place where errors meet HTTP (spec 4.2). */
const STATUS_BY_CODE = {
  ValidationError: 417, // Frappe's choice; clients depend on it
  MandatoryError: 417,
  LinkValidationError: 417,
  CancelledLinkError: 417,
  TimestampMismatchError: 417,
  DocstatusTransitionError: 417,
  UpdateAfterSubmitError: 417,
  CannotChangeConstantError: 417,
  CharacterLengthExceededError: 417,
  DataError: 417,
  UniqueValidationError: 417,
  LinkExistsError: 417,
  InvalidEmailAddressError: 417,
  InvalidNameError: 417,
  FrappeTypeError: 417,
  MaxFileSizeReachedError: 417,
  DoesNotExistError: 404,
  NameError: 409,
  DuplicateEntryError: 409,
  PermissionError: 403,
  AuthenticationError: 401,
  CSRFTokenError: 400,
  InvalidAuthorizationHeader: 400,
  InvalidAuthorizationToken: 400,
  TooManyRequestsError: 429,
  QueryTimeoutError: 500,
  DatabaseUnavailableError: 503,
  QueueUnavailableError: 503,
} as const satisfies Record<ErrorCode, number> // a new code without a status won't compile

export function statusFor(error: unknown): number {
  return error instanceof FrameworkError ? STATUS_BY_CODE[error.code] : 500
}
