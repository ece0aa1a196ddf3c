/**
 * Errors a service may throw; the HTTP layer turns each into one response shape:
 * `{"error": {"code", "message", "fields"}}` for the API, a flash or a form with messages for pages.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(fields: Record<string, string>, message?: string) {
    const names = Object.keys(fields);
    super(422, 'validation_failed', message ?? `Invalid ${names.length === 1 ? 'field' : 'fields'}: ${names.join(', ')}`, fields);
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Record') {
    super(404, 'not_found', `${what} not found`);
  }
}

/**
 * A refusal: a missing permission (named), or, with a message, something the caller may not do
 * whatever its permissions (reach another company's user, grant what it does not hold).
 */
export class ForbiddenError extends AppError {
  constructor(permission?: string, message?: string, fields: Record<string, string> = {}) {
    super(403, 'forbidden', message ?? (permission ? `Missing permission: ${permission}` : 'Forbidden'), fields);
  }

  /** A refusal with its reason, and the field that asked for it when there is one. */
  static because(reason: string, fields: Record<string, string> = {}): ForbiddenError {
    return new ForbiddenError(undefined, reason, fields);
  }
}

export class UnauthenticatedError extends AppError {
  constructor() {
    super(401, 'unauthenticated', 'Authentication required');
  }
}

export class ConflictError extends AppError {
  constructor(message: string, fields: Record<string, string> = {}, code = 'conflict') {
    super(409, code, message, fields);
  }
}

/** Something an administrator must set up first (a product code another module names, a journal). */
export class ConfigurationError extends AppError {
  constructor(message: string, fields: Record<string, string> = {}) {
    super(422, 'configuration_error', message, fields);
  }
}
