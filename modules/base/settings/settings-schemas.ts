import { type JsonSchema, pageOf } from 'tessera/core';

export const moduleParams: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['module'],
  properties: { module: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,39}$', description: 'Module name, e.g. `crm`' } },
};

export const moduleSettingsInfo: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['module', 'label', 'description', 'schema'],
  properties: {
    module: { type: 'string' },
    label: { type: 'string' },
    description: { type: 'string' },
    schema: { type: 'object', additionalProperties: true, description: "The JSON Schema of the module's settings (from its manifest)" },
  },
};

export const moduleSettingsPage: JsonSchema = pageOf(moduleSettingsInfo);

/** The settings object itself; its shape is the module's own schema, checked by the settings service. */
export const settingsValues: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  description: "The module's settings for the company, as its schema describes them (defaults filled in)",
};

export const settingsBody: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'The whole settings object (it replaces the stored one); settings left out take their defaults',
};
