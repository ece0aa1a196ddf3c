import { expect } from 'chai';
import { createTestDatabase, openDatabase, listTables } from 'tessera/testing';
import * as messaging from '../migrations/001_messaging';
import * as notifications from '../migrations/002_notifications';
import * as secrets from '../migrations/003_channel_secrets';
import * as claimToken from '../migrations/004_claim_token';

describe('messaging migrations @integration', () => {
  it('run up and down on an empty database, down leaving nothing behind, and up again', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => {
        t.increments('id').primary();
      });
      const before = (await listTables(knex)).sort();
      for (const m of [messaging, notifications, secrets, claimToken]) await m.up(knex);
      expect(await listTables(knex)).to.include.members(['messaging_appointments', 'messaging_day_counts', 'messaging_messages', 'messaging_notifications', 'messaging_otps']);
      for (const m of [claimToken, secrets, notifications, messaging]) await m.down(knex);
      expect((await listTables(knex)).sort()).to.deep.equal(before);
      for (const m of [messaging, notifications, secrets, claimToken]) await m.up(knex);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });
});
