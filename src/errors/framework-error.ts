/** Names match Frappe's `exc_type`, so clients see the values they already handle. */
export type ErrorCode =
  | 'ValidationError'
  | 'MandatoryError'
  | 'LinkValidationError'
  | 'CancelledLinkError'
  | 'TimestampMismatchError'
  | 'DocstatusTransitionError'
  | 'UpdateAfterSubmitError'
  | 'CannotChangeConstantError'
  | 'CharacterLengthExceededError'
  | 'DataError'
  | 'UniqueValidationError'
  | 'LinkExistsError'
  | 'InvalidEmailAddressError'
  | 'InvalidNameError'
  | 'FrappeTypeError'
  | 'MaxFileSizeReachedError'
  | 'DoesNotExistError'
  | 'NameError'
  | 'DuplicateEntryError'
  | 'PermissionError'
  | 'AuthenticationError'
  | 'CSRFTokenError'
  | 'InvalidAuthorizationHeader'
  | 'InvalidAuthorizationToken'
  | 'TooManyRequestsError'
  | 'QueryTimeoutError'
  | 'DatabaseUnavailableError'
  | 'QueueUnavailableError'

/** An error we expect and can explain to a client. Anything else is a bug (500). */
export abstract class FrameworkError extends Error {
  abstract readonly code: ErrorCode
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

export class ValidationError extends FrameworkError {
  readonly code: ErrorCode = 'ValidationError' // wide type, so subclasses can narrow it
}

export class MandatoryError extends ValidationError {
  override readonly code = 'MandatoryError'
  constructor(
    readonly doctype: string,
    readonly docname: string | undefined,
    readonly fieldnames: readonly string[],
  ) {
    super(`[${doctype}, ${docname ?? 'new'}]: ${fieldnames.join(', ')}`)
  }
}

export class LinkValidationError extends ValidationError {
  override readonly code = 'LinkValidationError'
}

export class CancelledLinkError extends ValidationError {
  override readonly code = 'CancelledLinkError'
}

export class TimestampMismatchError extends ValidationError {
  override readonly code = 'TimestampMismatchError'
}

export class DocstatusTransitionError extends ValidationError {
  override readonly code = 'DocstatusTransitionError'
}

export class UpdateAfterSubmitError extends ValidationError {
  override readonly code = 'UpdateAfterSubmitError'
}

export class CannotChangeConstantError extends ValidationError {
  override readonly code = 'CannotChangeConstantError'
}

export class CharacterLengthExceededError extends ValidationError {
  override readonly code = 'CharacterLengthExceededError'
}

/** A bad query: an unknown field, operator or function. Frappe's `DataError`. */
export class DataError extends ValidationError {
  override readonly code = 'DataError'
}

export class UniqueValidationError extends ValidationError {
  override readonly code = 'UniqueValidationError'
}

export class LinkExistsError extends ValidationError {
  override readonly code = 'LinkExistsError'
}

export class InvalidEmailAddressError extends ValidationError {
  override readonly code = 'InvalidEmailAddressError'
}

export class InvalidNameError extends ValidationError {
  override readonly code = 'InvalidNameError'
}

/** An argument of the wrong type, e.g. a list where a scalar belongs. */
export class FrappeTypeError extends ValidationError {
  override readonly code = 'FrappeTypeError'
}

/** An upload larger than the site's `max_file_size` (Frappe's, from core/doctype/file/exceptions.py). */
export class MaxFileSizeReachedError extends ValidationError {
  override readonly code = 'MaxFileSizeReachedError'
}

export class DoesNotExistError extends ValidationError {
  override readonly code = 'DoesNotExistError'
  constructor(
    readonly doctype: string,
    readonly docname: string,
  ) {
    super(`${doctype} ${docname} not found`)
  }
}

/** A name that cannot be used (Frappe's `NameError`, 409). */
export class NameError extends FrameworkError {
  readonly code: ErrorCode = 'NameError'
}

export class DuplicateEntryError extends NameError {
  override readonly code = 'DuplicateEntryError'
  constructor(
    readonly doctype: string,
    readonly docname: string,
    options?: ErrorOptions,
  ) {
    super(`${doctype} ${docname} already exists`, options)
  }
}

export class PermissionError extends FrameworkError {
  readonly code = 'PermissionError'
}

export class AuthenticationError extends FrameworkError {
  readonly code = 'AuthenticationError'
}

/** An unsafe request without its session's CSRF token, or from a cross-site context (400). */
export class CSRFTokenError extends FrameworkError {
  readonly code: ErrorCode = 'CSRFTokenError'
}

/** An `Authorization` header that is not `<scheme> <credentials>` (400, as Frappe's). */
export class InvalidAuthorizationHeader extends CSRFTokenError {
  override readonly code = 'InvalidAuthorizationHeader'
}

/** Basic credentials that are not valid base64 (400, as Frappe's). */
export class InvalidAuthorizationToken extends CSRFTokenError {
  override readonly code = 'InvalidAuthorizationToken'
}

/** Too many failed logins from one user name or client address (429). */
export class TooManyRequestsError extends FrameworkError {
  readonly code = 'TooManyRequestsError'
  constructor(
    message: string,
    /** Seconds until another attempt is accepted, for `Retry-After`. */
    readonly retryAfter: number,
  ) {
    super(message)
  }
}

/** The database could not give us a lock in time. */
export class QueryTimeoutError extends FrameworkError {
  readonly code = 'QueryTimeoutError'
}

/** The site's database cannot be reached (503): the request is refused at once, and the next one tries again. */
export class DatabaseUnavailableError extends FrameworkError {
  readonly code = 'DatabaseUnavailableError'
}

/** The job queue's Redis cannot be reached (503): the request that enqueues is refused at once. */
export class QueueUnavailableError extends FrameworkError {
  readonly code = 'QueueUnavailableError'
}
