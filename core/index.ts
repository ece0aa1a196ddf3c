/**
 * Everything a module may use from the host, in one place. Modules import from here (a later sweep
 * turns the relative path into `tessera/core`), never from core's other files.
 */

// The module API
export { defineModule, eventName, AUTHENTICATED, HANDLED } from './modules/module-api';
export type {
  TesseraModule,
  ModuleContext,
  RouteRegistrar,
  PageRoute,
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
} from './modules/module-api';
export { CORE } from './kernel/identifiers';
export { CORE_PERMISSIONS } from './security/services';
export type { Page, Company, CompanyService, UserService, RoleService } from './security/services';
export type { RequestContext, Principal } from './security/request-context';
export type { ScopedDb, WriteOptions } from './data/scoped-db';
export type { JsonSchema } from './http/json-schema';

// Errors
export { AppError, ValidationError, NotFoundError, ForbiddenError, ConflictError, UnauthenticatedError, ConfigurationError } from './http/errors';

// Entities declared once
export { defineEntity, EntityDeclarationError } from './resources/define-entity';
export type { EntityDeclaration, EntityDefinition, AnyEntity, ResolvedField } from './resources/define-entity';
export { field } from './resources/fields';
export type { Field, FieldKind } from './resources/fields';
export type { EntityRow, EntityInput, EntityPatch, EntityPageOptions, BoundedCount, Stamps, WriteAction } from './resources/entity-types';
export { EntityService } from './resources/entity-service';
export type { EntityHooks, EntityServiceOptions } from './resources/entity-service';
export type { EntityOptions } from './resources/register-entity';
export type { ApiPart, ApiOverride } from './resources/entity-api';
export type { PagePart, PageOverride } from './resources/entity-pages';
export { EntityRegistry } from './resources/entity-registry';
export type { RegisteredEntity, RefTarget, RefOption, RefResolver } from './resources/entity-registry';
export { csvColumns, streamEntityCsv } from './resources/entity-csv';
export type { CsvColumn, CsvParsed } from './resources/entity-csv';
export { csvSafe } from './resources/field-display';

// Shared helpers
export { idParams, cursorQuery, searchQuery, timestamp, pageOf, idList, orNull, iso, intParam } from './http/common-schemas';
export { attempt, formProblem, checkbox, optionalText, raw, text, list as formList, idList as formIdList, idParam, requireId } from './http/form-input';
export type { FormBody, FormProblem } from './http/form-input';
export { keysetPage, applyKeysetOrder, parseKeysetCursor, cutKeysetPage, companiesToBranch } from './data/keyset-page';
export type { KeysetOrder, KeysetPlan, KeysetKind, BranchFilter } from './data/keyset-page';
export { encodeCursor, decodeCursor } from './data/keyset';
export { LIKE_ESCAPE, escapeLikePrefix, wherePrefix } from './db/like';
export { createBusinessTable, toDate } from './db/schema-helpers';
export { Sequences } from './data/sequences';
export { parseAmount, formatAmount, parseRate, formatRate } from './data/money';
export { formatMoney, formatDate, formatDateTime, buildQueryString } from './views/helpers';
export { startOfDay, endOfDay, instantOfWallTime } from './data/calendar';
