import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';
import { EventDeclarationError } from '../../../core/events/event-catalog';
import { Kernel } from '../../../core/kernel/kernel';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { ModuleFolders, manifestOf } from '../modules/module-folders';

describe('declared events', () => {
  describe('publishing', () => {
    let t: TestApp;
    before(async () => {
      t = await startFixtureApp();
    });
    after(() => t.close());

    const adminCtx = async () => t.contextFor(Number((await t.knex('core_users').where({ email: t.admin.email }).first()).id));
    const refusal = (work: () => Promise<unknown>) =>
      work().then(
        () => expect.fail('the event was published'),
        (error: Error) => {
          expect(error).to.be.instanceOf(EventDeclarationError);
          return error.message;
        },
      );

    it("refuses an event its module's manifest does not declare, naming the module and the event, and writes nothing", async () => {
      const ctx = await adminCtx();
      const message = await refusal(() =>
        ctx.db.transaction(async (db) => {
          await db.insert('alpha_items', { name: 'undeclared' });
          await db.publish('alpha.item.deleted', { id: 1 });
        }),
      );
      expect(message).to.equal('Module "alpha" publishes event "alpha.item.deleted", which its manifest does not declare (manifest.json "events")');
      expect(await t.knex('alpha_items').where({ name: 'undeclared' }).first()).to.equal(undefined);
      expect(await t.knex('core_outbox').where({ event: 'alpha.item.deleted' }).first()).to.equal(undefined);
    });

    it('refuses an event of a module that is not installed', async () => {
      const message = await refusal(async () => (await adminCtx()).db.publish('billing.payment.posted', { amount: 100 }));
      expect(message).to.equal('Event "billing.payment.posted" is published, but no installed module is named "billing" to declare it');
    });

    it('refuses a payload its schema refuses, naming each bad field, before any handler runs', async () => {
      const ctx = await adminCtx();
      const outboxBefore = await t.knex('core_outbox').count({ n: '*' }).first();
      expect(await refusal(() => ctx.db.publish('alpha.item.created', { name: 42 }))).to.equal(
        'Module "alpha" publishes event "alpha.item.created" with a payload its manifest refuses: field "name" must be string',
      );
      expect(await refusal(() => ctx.db.publish('alpha.item.created', { id: 'seven', colour: 'red' }))).to.equal(
        'Module "alpha" publishes event "alpha.item.created" with a payload its manifest refuses: field "name" must have required property \'name\'; field "colour" must NOT have additional properties; field "id" must be integer',
      );
      expect(await t.knex('core_outbox').count({ n: '*' }).first()).to.deep.equal(outboxBefore);
    });

    it('(control) publishes a declared event whose payload matches its schema', async () => {
      const ctx = await adminCtx();
      await ctx.db.publish('alpha.item.created', { id: 1, name: 'fine' });
      expect(await t.knex('core_outbox').where({ event: 'alpha.item.created' }).orderBy('id', 'desc').first()).to.deep.include({ payload: JSON.stringify({ id: 1, name: 'fine' }) });
    });
  });

  describe('declaring and subscribing', () => {
    let folders: ModuleFolders;
    let database: TestDatabase;
    beforeEach(async () => {
      folders = new ModuleFolders();
      database = await createTestDatabase();
    });
    afterEach(async () => {
      folders.remove();
      await database.drop();
    });

    /**
     * Boots two integrator's modules (found on the modules path): `listener`, subscribing to `eventName`,
     * and `speaker`, which declares `speaker.thing.said` with `payload` as its schema.
     */
    const bootWithListener = async (eventName: string, payload: Record<string, unknown> = { type: 'object' }) => {
      folders.add('speaker', manifestOf('speaker', { events: { 'speaker.thing.said': { description: 'Something was said', payload } } }), { under: 'external' });
      const listener = folders.add('listener', manifestOf('listener', { depends: ['speaker'] }), { under: 'external', entry: false });
      fs.writeFileSync(
        path.join(listener, 'index.ts'),
        `export default { register(m: any): void { m.events.on(${JSON.stringify(eventName)}, async () => undefined); } };\n`,
      );
      const kernel = await Kernel.boot({
        modulesDir: path.join(folders.root, 'no-builtin-modules'),
        runJobs: false,
        config: { databaseUrl: database.url, redisUrl: null, logLevel: 'silent', modulesPath: [path.join(folders.root, 'external')] },
      });
      await kernel.close();
    };

    it('stops the start when a module subscribes to an event no installed module declares, naming the module', async () => {
      const error = await bootWithListener('speaker.thing.shouted').then(
        () => null,
        (e: Error) => e,
      );
      expect(error).to.be.instanceOf(EventDeclarationError);
      expect(error!.message).to.equal('Module "listener" subscribes to event "speaker.thing.shouted", which no installed module declares in its manifest');
    });

    it("stops the start when an integrator's payload schema is not a JSON Schema, naming the module and the field", async () => {
      const error = await bootWithListener('speaker.thing.said', { type: 'object', properties: { words: { type: 'txt' } } }).then(
        () => null,
        (e: Error) => e,
      );
      expect(error).to.be.instanceOf(EventDeclarationError);
      expect(error!.message).to.equal('Module "speaker": manifest.json field "events/speaker.thing.said/payload/properties/words/type" is not a JSON Schema: must be equal to one of the allowed values');
    });

    it('(control) starts when the event is declared by an installed module', async () => {
      await bootWithListener('speaker.thing.said');
    });
  });
});
