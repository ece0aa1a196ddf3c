import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createTestDatabase, openDatabase } from 'tessera/testing';
import { AesGcmSecretBox, CORE, installationSecretBox, type SecretBox } from 'tessera/core';
import { type MessagingWorld, makeCustomer, messagingWorld, runDelivery } from './messaging-fixtures';
import { startGateway } from './local-servers';
import { MESSAGING, type NotifyService } from '../api';
import * as messaging from '../migrations/001_messaging';
import * as notifications from '../migrations/002_notifications';
import * as secrets from '../migrations/003_channel_secrets';

describe('messaging channel secrets: encrypted at rest, never shown back', () => {
  let w: MessagingWorld;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  const channels = () => w.t.container.get<any>(Symbol.for('messaging.channel'));
  const stored = async (id: number) => (await w.t.knex('messaging_channels').where({ id }).first('secret')).secret as string;
  const deliver = (id: number) => runDelivery(w, { notification_id: id });

  before(async function () {
    this.timeout(120_000);
    gateway = await startGateway();
    w = await messagingWorld();
  });
  after(() => gateway.close());

  it('stores the token encrypted (AES-256-GCM) and sends with the clear one', async () => {
    const channel = await channels().create(w.ctx, { channel: 'sms', endpoint: gateway.url, secret: 'tok-4242-secret', sender: 'SHOP' });
    const sealed = await stored(channel.id);
    expect(sealed).to.match(/^enc1:[0-9a-f]{8}:/).and.not.contain('tok-4242');
    expect(w.t.container.get<SecretBox>(CORE.Secrets).open(sealed)).to.equal('tok-4242-secret');
    const customer = await makeCustomer(w);
    const [sms] = await w.t.container.get<NotifyService>(MESSAGING.Notify).send(w.ctx.db, { template: 'messaging.birthday', customerId: customer.id, channel: 'sms', data: {}, dedupeKey: 'secret-1' });
    expect(await deliver(sms.id)).to.deep.equal({ sent: true });
    expect(gateway.requests.find((r) => r.body.to === customer.phone)?.authorization).to.equal('Bearer tok-4242-secret');
  });

  it('keeps the secret on an edit that leaves it empty, re-encrypts a new one, and never shows it', async () => {
    const channel = await channels().create(w.ctx, { channel: 'whatsapp', endpoint: gateway.url, secret: 'wa-first-token' });
    const first = await stored(channel.id);
    await channels().update(w.ctx, channel.id, { sender: 'SHOP2', secret: '' });
    expect(await stored(channel.id)).to.equal(first);
    await channels().update(w.ctx, channel.id, { secret: 'wa-second-token' });
    const second = await stored(channel.id);
    expect(second).to.not.equal(first).and.not.contain('wa-second');
    const admin = await w.t.login(w.admin.email, w.admin.password);
    for (const page of [`/messaging/channels/${channel.id}`, '/messaging/channels', `/api/v1/messaging/channels/${channel.id}`]) {
      const res = await admin.get(page);
      expect(res.status, page).to.equal(200);
      expect(res.text, page).not.to.contain('wa-second-token').and.not.contain(second.slice(14, 40));
    }
    const history = JSON.stringify(await w.t.knex('core_audit_log').where({ record_table: 'messaging_channels', record_id: channel.id }).select('changes'));
    expect(history).not.to.contain('wa-').and.not.to.contain('enc1:');
  });

  it('fails a delivery for good, saying why, when the key cannot open the secret', async () => {
    const customer = await makeCustomer(w);
    const [sms] = await w.t.container.get<NotifyService>(MESSAGING.Notify).send(w.ctx.db, { template: 'messaging.birthday', customerId: customer.id, channel: 'sms', data: {}, dedupeKey: 'secret-2' });
    const other = new AesGcmSecretBox(Buffer.alloc(32, 7));
    await w.t.knex('messaging_channels').where({ company_id: w.companyId, channel: 'sms' }).update({ secret: other.seal('tok-4242-secret') });
    expect(await deliver(sms.id)).to.include({ sent: false });
    const row = await w.t.knex('messaging_notifications').where({ id: sms.id }).first();
    expect(row.status).to.equal('failed');
    expect(row.last_error).to.contain('encrypted with another key').and.contain('TESSERA_SECRET_KEY');
  });
});

describe('messaging channel secrets migration @integration', () => {
  it('encrypts the secrets stored in clear, and down gives them back', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => {
        t.increments('id').primary();
      });
      await messaging.up(knex);
      await notifications.up(knex);
      await knex('core_companies').insert([{ id: 1 }, { id: 2 }]);
      const now = new Date();
      await knex('messaging_channels').insert([
        { company_id: 1, channel: 'sms', endpoint: 'https://gw.test/send', secret: 'clear-token-1', created_at: now, updated_at: now },
        { company_id: 1, channel: 'email', endpoint: 'smtp.test', secret: null, created_at: now, updated_at: now },
        { company_id: 2, channel: 'sms', endpoint: 'https://gw.test/send', secret: 'x'.repeat(500), created_at: now, updated_at: now },
      ]);
      await secrets.up(knex);
      const box = installationSecretBox();
      const rows = await knex('messaging_channels').orderBy('id').select('secret');
      expect(rows[0].secret).to.match(/^enc1:/);
      expect(box.open(rows[0].secret)).to.equal('clear-token-1');
      expect(rows[1].secret).to.equal(null);
      expect(box.open(rows[2].secret)).to.equal('x'.repeat(500));
      await secrets.up(knex).catch(() => undefined);
      expect(box.open((await knex('messaging_channels').orderBy('id').first('secret')).secret)).to.equal('clear-token-1');
      await secrets.down(knex);
      expect((await knex('messaging_channels').orderBy('id').select('secret')).map((r) => r.secret)).to.deep.equal(['clear-token-1', null, 'x'.repeat(500)]);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });
});

describe('the installation key', () => {
  it('is made once in the key file (owner only) and read back by the next process', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-key-'));
    const first = installationSecretBox({ rootDir: dir, secretKeyFile: 'data/secret.key' });
    const file = path.join(dir, 'data', 'secret.key');
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    const second = installationSecretBox({ rootDir: dir, secretKeyFile: 'data/secret.key' });
    expect(second.open(first.seal('smtp-pass'))).to.equal('smtp-pass');
    fs.rmSync(dir, { recursive: true });
  });

  it('comes from TESSERA_SECRET_KEY when set, and a tampered value is refused', () => {
    const box = installationSecretBox({ rootDir: '/nonexistent', secretKey: 'ab'.repeat(32) });
    const sealed = box.seal('token');
    expect(installationSecretBox({ rootDir: '/nonexistent', secretKey: Buffer.alloc(32, 0xab).toString('base64') }).open(sealed)).to.equal('token');
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => box.open(tampered)).to.throw('damaged');
    expect(() => box.open('clear')).to.throw('not an encrypted secret');
  });
});
