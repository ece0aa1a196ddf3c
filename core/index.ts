/**
 * Everything a module may use from the host, in one place. Modules import from here (a later sweep
 * turns the relative path into `tessera/core`), never from core's other files.
 */

// The module API
export { defineModule, AUTHENTICATED, HANDLED, eventName } from './modules/module-api';
export type {
  TesseraModule,
  ModuleContext,
  RouteRegistrar,
  PageRoute,
  PublicPageRoute,
  PublicPageResult,
  PublicAccess,
  PageResult,
  PageRouteInput,
  RedirectResult,
  ApiRoute,
  HttpMethod,
  DomainEvent,
  EventHandlerContext,
  JobContext,
  SlotContribution,
  DemoSeeder,
  ServiceRegistrar,
  EntityRegistrar,
  EventName,
  EventRegistrar,
  JobRegistrar,
} from './modules/module-api';
export { CORE } from './kernel/identifiers';
export { CORE_PERMISSIONS } from './security/services';
export type { Page, Company, CompanyService, UserService, RoleService } from './security/services';
export { RequestContext } from './security/request-context';
export type { Principal } from './security/request-context';
export type { ScopedDb, WriteOptions } from './data/scoped-db';
export type { JsonSchema } from './json-schema';

// Errors
export { AppError, ValidationError, NotFoundError, ForbiddenError, ConflictError, UnauthenticatedError, ConfigurationError } from './errors';

// Entities declared once
export { defineEntity, EntityDeclarationError } from './resources/define-entity';
export type { EntityDeclaration, EntityDefinition, AnyEntity, ResolvedField } from './resources/define-entity';
export { field } from './resources/fields';
export type { Field, FieldKind } from './resources/fields';
export type { EntityRow, EntityInput, EntityPatch, EntityPageOptions, BoundedCount, Stamps, WriteAction } from './resources/entity-types';
export { EntityService } from './resources/entity-service';
// Roles are core's (every request's permissions come from them); base serves their API from this declaration.
export { roleEntity } from './security/role-entity';
export { userEntity } from './security/user-entity';
export { installRoleTemplates, removeRoleTemplates, type RoleTemplate } from './security/role-templates';
export type { EntityScope, RowScope, StampColumn } from './resources/row-scope';
export { bumpSecurityVersion } from './security/security-version';
export { entitySchemas } from './resources/entity-schemas';
export type { EntitySchemas } from './resources/entity-schemas';
export type { EntityHooks, EntityServiceOptions } from './resources/entity-service';
export type { EntityOptions } from './resources/register-entity';
export type { ApiPart, ApiOverride } from './resources/entity-api';
export type { PagePart, PageOverride } from './resources/entity-pages';
export { EntityRegistry } from './resources/entity-registry';
export type { RegisteredEntity, RefTarget, RefOption, RefResolver } from './resources/entity-registry';
export { csvColumns, streamEntityCsv } from './resources/entity-csv';
export type { CsvColumn, CsvParsed } from './resources/entity-csv';
export { csvSafe } from './resources/field-display';
export { cleanValue } from './resources/field-rules';

// Shared helpers
export { idParams, cursorQuery, searchQuery, timestamp, pageOf, idList, orNull, intParam } from './http/common-schemas';
export { attempt, formProblem, checkbox, optionalText, raw, text, list as formList, idList as formIdList, idParam, requireId } from './http/form-input';
export type { FormBody, FormProblem } from './http/form-input';
export { keysetPage, applyKeysetOrder, parseKeysetCursor, cutKeysetPage, companiesToBranch } from './data/keyset-page';
export type { KeysetOrder, KeysetPlan, KeysetKind, BranchFilter } from './data/keyset-page';
export { encodeCursor, decodeCursor } from './data/keyset';
export { LIKE_ESCAPE, escapeLikePrefix, wherePrefix } from './db/like';
export { createBusinessTable, toDate, iso } from './db/schema-helpers';
export { parseAmount, formatAmount, parseRate, formatRate, currencyFractionDigits, applyRate } from './data/money';
export { formatMoney, formatDate, formatDateTime, buildQueryString } from './views/helpers';
export { startOfDay, endOfDay, instantOfWallTime, isTimeZone, dayIn, addCalendarDays, addCalendarMonths, daysBetween } from './data/calendar';

// CSV imports declared once (core/imports)
export { defineImport } from './imports/import-declaration';
export type { ImportDeclaration, ImportColumn, ImportKey, ImportRow, ImportCells, ImportSession, ImportRunInfo, BatchOutcome, RowError, SimpleTarget } from './imports/import-declaration';
export { mountImport } from './imports/import-mount';
export type { MountOptions } from './imports/import-mount';
export { ImportFrame } from './imports/import-service';
export type { ImportView, ImportStatus } from './imports/import-service';
export { runImport, MAX_REPORTED_ERRORS } from './imports/import-run';
export type { ImportReport, ImportProgress } from './imports/import-run';
export { mapHeader as mapImportHeader, headerKey, cellsOf } from './imports/import-header';
export type { ColumnMapping, HeaderMap } from './imports/import-header';
export { csvRecords, detectDelimiter } from './imports/csv-records';
export type { FileSource } from './imports/import-files';
export { SYNC_ROW_LIMIT } from './imports/import-routes';

// Added by bin/codemods/core-imports.js (move a line up to its group when you like)
export { idSchema } from './http/common-schemas';
export type { AuditRecord } from './data/audit-log';
export type { JobQueue, QueueCounts, JobInfo, JobScope } from './jobs/job-queue';
export { inScope, QueueUnavailableError } from './jobs/job-queue';
export type { PermissionDef, Role, TokenService, UserSummary, UserPatch } from './security/services';
export { SettingsService } from './data/settings';
export { AuditLog } from './data/audit-log';
export { fieldsOf } from './data/module-schemas';
export { Sequences } from './data/sequences';
export { parseId } from './http/id-schemas';
export { duplicateKeyOf } from './db/db-lock';
export { isDuplicateKey, isTransientConflict, retryOnConflict } from './db/db-errors';
export { deferredWrite, isDeferredWriteError, observeRoundTrips, sentTogether, sentWithNext } from './db/deferred-writes';
export type { RoundTrip } from './db/deferred-writes';
export { hashPassword } from './security/passwords';
export { installationSecretBox, AesGcmSecretBox, SecretBoxError } from './security/secret-box';
export type { SecretBox } from './security/secret-box';
export type { ResetLinkSender, ResetLinkMessage } from './security/password-reset';
export { isMysql } from './db/schema-helpers';
export { loadConfig } from './config/load-config';
export type { TesseraConfig } from './config/config';
export { seedDemoAtScale } from './cli/demo-commands';

// Lists: count, columns and saved filters per person, pages, bulk actions (any list, derived or hand-written).
export { listState, listControls, filterQuery, countText, COUNT_BOUND, DEFAULT_PAGE_SIZE } from './resources/list-controls';
export type { ListSetup, ListColumn, ListState, ListControls, BulkAction, BulkInput, BulkSelection } from './resources/list-controls';
export { listRoutes, collectIds } from './resources/list-routes';
export { firstValues } from './resources/list-query';
export { entityHistory, type HistoryEntry } from './resources/entity-history';
export { placeOf } from './resources/display-context';
export { readableJson } from './resources/field-display';
export type { RecordKind } from './resources/entity-registry';
export { auditLogView } from './resources/audit-view';
