import type { Knex } from 'knex';
import { installationSecretBox } from 'tessera/core';

/**
 * Channel secrets encrypted at rest: the column grows to hold the sealed text (AES-256-GCM, base64),
 * and the secrets stored in clear before this version are encrypted with the installation's key (read
 * from TESSERA_SECRET_KEY or the key file, as the kernel reads it). Down decrypts them again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messaging_channels', (t) => {
    t.string('secret', 1000).nullable().alter();
  });
  const box = installationSecretBox();
  for (const row of await knex('messaging_channels').whereNotNull('secret').select('id', 'secret')) {
    if (box.isSealed(row.secret)) continue;
    // Guarded by the value read: a secret changed meanwhile (already sealed by the new code) is left alone.
    await knex('messaging_channels').where({ id: row.id, secret: row.secret }).update({ secret: box.seal(row.secret) });
  }
}

export async function down(knex: Knex): Promise<void> {
  const box = installationSecretBox();
  for (const row of await knex('messaging_channels').whereNotNull('secret').select('id', 'secret')) {
    if (box.isSealed(row.secret)) await knex('messaging_channels').where({ id: row.id }).update({ secret: box.open(row.secret).slice(0, 500) });
  }
  await knex.schema.alterTable('messaging_channels', (t) => {
    t.string('secret', 500).nullable().alter();
  });
}
