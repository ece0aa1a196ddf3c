import type { ImportFrame } from 'tessera/core';
import type { ParsedRow } from './csv-row';

/** crm's customer imports: the core import frame over crm's declaration (customer-import.ts), bound as `CRM.Imports`. */
export type ImportService = ImportFrame<ParsedRow['value']>;
