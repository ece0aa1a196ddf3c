/**
 * Inversify identifiers of the services core binds. Modules inject these; a module exports its own
 * identifiers from its folder the same way (a Symbol plus an interface).
 */
export const CORE = {
  Config: Symbol.for('core.Config'),
  Knex: Symbol.for('core.Knex'),
  Logger: Symbol.for('core.Logger'),
  AuditLog: Symbol.for('core.AuditLog'),
  Sequences: Symbol.for('core.Sequences'),
  EventBus: Symbol.for('core.EventBus'),
  JobQueue: Symbol.for('core.JobQueue'),
  Settings: Symbol.for('core.Settings'),
  Contexts: Symbol.for('core.Contexts'),
  Permissions: Symbol.for('core.Permissions'),
  Users: Symbol.for('core.Users'),
  Roles: Symbol.for('core.Roles'),
  Companies: Symbol.for('core.Companies'),
  Tokens: Symbol.for('core.Tokens'),
  Views: Symbol.for('core.Views'),
  Registry: Symbol.for('core.Registry'),
  /** Every registered entity (`EntityRegistry`): refs, titles and record paths by full name. */
  Entities: Symbol.for('core.Entities'),
  /** `SecretBox`: encrypts secrets kept in the database (AES-256-GCM, the installation's key). */
  Secrets: Symbol.for('core.Secrets'),
  /** `ResetLinkSender`: filled by a module that sends password-reset links (none bound: ask an administrator). */
  ResetLinkSender: Symbol.for('core.ResetLinkSender'),
} as const;
