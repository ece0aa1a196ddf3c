import path from 'node:path';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../../support/harness';
import { defineEntity } from '../../../core/resources/define-entity';
import { field } from '../../../core/resources/fields';
import { EntityService, type EntityServiceOptions } from '../../../core/resources/entity-service';
import { EntityRegistry } from '../../../core/resources/entity-registry';
import { entitySchemas } from '../../../core/resources/entity-schemas';
import { cleanInput } from '../../../core/resources/field-rules';
import type { RequestContext } from '../../../core/security/request-context';

/** Keys of no company: a secret kept hashed in a column of another name, tags kept in a link table. */
const keyEntity = defineEntity({
  name: 'key',
  table: 'kept_keys',
  label: { one: 'Key', many: 'Keys' },
  permissions: { read: 'guild.guild.read', write: 'guild.guild.write' },
  paths: {},
  title: 'label',
  scope: 'none',
  stamps: { columns: ['created_at', 'updated_at'], shown: false },
  fields: {
    label: field.text({ label: 'Label', required: true, maxLength: 50 }),
    secret: field.secret({ label: 'Secret', required: true, minLength: 4, store: (v) => `hashed:${v}`, storedAs: 'secret_hash' }),
    tag_ids: field.ids({ label: 'Tags', column: false, maxItems: 5 }),
  },
});

type KeyRow = { id: number; label: string; tag_ids: number[] };
const LOCKED_TAG = 99;

/** Puts the tags back into every read, as a service of an entity with link rows does. */
class KeyService extends EntityService<typeof keyEntity, KeyRow> {
  protected override async complete(ctx: RequestContext, rows: KeyRow[]): Promise<KeyRow[]> {
    const links = await ctx.db.unscoped('test link rows')('kept_key_tags').whereIn('key_id', rows.map((r) => r.id)).orderBy('tag_id');
    return rows.map((r) => ({ ...r, tag_ids: links.filter((l: { key_id: number }) => Number(l.key_id) === r.id).map((l: { tag_id: number }) => Number(l.tag_id)) }));
  }
}

describe('core resources: secrets stored under another column, id lists kept by hooks @integration', () => {
  let t: TestApp;
  let ctx: RequestContext;
  let keys: KeyService;
  const seen: Array<Record<string, unknown> | undefined> = [];

  before(async () => {
    t = await startTestApp({ kernel: { modulesDir: path.join(__dirname, '..', '..', 'fixtures', 'unscoped') } });
    await t.knex.schema.createTable('kept_keys', (tb) => {
      tb.increments('id').primary();
      tb.string('label', 50).notNullable();
      tb.string('secret_hash', 100).notNullable();
      tb.timestamp('created_at', { useTz: false }).notNullable();
      tb.timestamp('updated_at', { useTz: false }).notNullable();
    });
    await t.knex.schema.createTable('kept_key_tags', (tb) => {
      tb.integer('key_id').unsigned().notNullable();
      tb.integer('tag_id').unsigned().notNullable();
      tb.primary(['key_id', 'tag_id']);
    });
    ctx = await t.contextFor((await t.createUser({ permissions: ['guild.guild.write'] })).id);
    const options: EntityServiceOptions<KeyRow> = {
      fullName: 'test.key',
      registry: new EntityRegistry(),
      hooks: {
        // A tag the caller may not touch stays whatever the caller sends: the hook completes the set.
        async beforeUpdate(_ctx, changes, before) {
          if (!changes.tag_ids) return;
          const kept = before.tag_ids.filter((id) => id === LOCKED_TAG);
          return { tag_ids: [...new Set([...(changes.tag_ids as number[]), ...kept])] };
        },
        async afterWrite(hookCtx, { row, values }) {
          seen.push(values);
          if (!row || !values?.tag_ids) return;
          const knex = hookCtx.db.unscoped('test link rows');
          await knex('kept_key_tags').where({ key_id: row.id }).delete();
          const ids = values.tag_ids as number[];
          if (ids.length) await knex('kept_key_tags').insert(ids.map((tag_id) => ({ key_id: row.id, tag_id })));
        },
      },
    };
    keys = new KeyService(keyEntity, options);
  });
  after(async () => t.close());

  it('cleans id lists: numbers, once each, and names a list that holds anything else', () => {
    expect(cleanInput(keyEntity, { label: 'x', secret: 'long', tag_ids: ['2', 2, '3'] }, 'create')).to.deep.include({ errors: {} });
    expect(cleanInput(keyEntity, { label: 'x', secret: 'long', tag_ids: ['2', 2, '3'] }, 'create').values.tag_ids).to.deep.equal([2, 3]);
    expect(cleanInput(keyEntity, { tag_ids: ['two'] }, 'update').errors).to.deep.equal({ tag_ids: 'must be ids of records' });
    expect(cleanInput(keyEntity, { tag_ids: [0] }, 'update').errors).to.deep.equal({ tag_ids: 'must be ids of records' });
    const schemas = entitySchemas(keyEntity);
    expect((schemas.create.properties as Record<string, object>).tag_ids).to.deep.include({ type: 'array', uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 4294967295 }, maxItems: 5 });
    expect(((schemas.row.properties as Record<string, { items: unknown }>).tag_ids).items).to.deep.equal({ type: 'integer' });
    expect(schemas.row.properties).not.to.have.any.keys('secret', 'secret_hash');
  });

  it('stores a secret under the column it names, never shown back, audited as changed', async () => {
    const key = await keys.create(ctx, { label: 'Front door', secret: 'open-sesame', tag_ids: [3, 1] });
    expect(key).to.deep.equal({ id: key.id, label: 'Front door', tag_ids: [1, 3] });
    const raw = await t.knex('kept_keys').where({ id: key.id }).first();
    expect(raw.secret_hash).to.equal('hashed:open-sesame');
    const entry = await t.knex('core_audit_log').where({ record_table: 'kept_keys', record_id: key.id }).first();
    const changes = typeof entry.changes === 'string' ? JSON.parse(entry.changes) : entry.changes;
    expect(changes).to.deep.include({ label: 'Front door', secret_hash: '(changed)', tag_ids: [3, 1] });
    expect(JSON.stringify(changes)).not.to.contain('open-sesame');
    await keys.update(ctx, key.id, { secret: 'new-secret' });
    expect((await t.knex('kept_keys').where({ id: key.id }).first()).secret_hash).to.equal('hashed:new-secret');
    const registry = new EntityRegistry();
    registry.add({ fullName: 'test.key', module: 'test', entity: keyEntity, service: keys, serviceId: Symbol('key'), pagesPath: null, slots: { panels: 'p', actions: 'a' } });
    expect(registry.kindOfTable('kept_keys')!.fieldLabel!('secret_hash')).to.equal('Secret');
  });

  it('hands a hook\'s value of a column-less field to afterWrite and the audit trail, and every read completes rows', async () => {
    const key = await keys.create(ctx, { label: 'Back door', secret: 'long-one', tag_ids: [LOCKED_TAG, 5] });
    seen.length = 0;
    const updated = await keys.update(ctx, key.id, { tag_ids: [6] });
    expect(seen[0]?.tag_ids).to.deep.equal([6, LOCKED_TAG]);
    expect(updated.tag_ids).to.deep.equal([6, LOCKED_TAG]);
    const entries = await t.knex('core_audit_log').where({ record_table: 'kept_keys', record_id: key.id, action: 'update' });
    const changes = entries.map((e: { changes: unknown }) => (typeof e.changes === 'string' ? JSON.parse(e.changes) : e.changes));
    expect(changes).to.deep.include({ tag_ids: { from: [5, LOCKED_TAG], to: [6, LOCKED_TAG] } });
    expect((await keys.get(ctx, key.id)).tag_ids).to.deep.equal([6, LOCKED_TAG]);
    expect((await keys.find(ctx, key.id))!.tag_ids).to.deep.equal([6, LOCKED_TAG]);
    expect((await keys.getMany(ctx, [key.id])).get(key.id)!.tag_ids).to.deep.equal([6, LOCKED_TAG]);
    const page = await keys.page(ctx, { q: undefined, limit: 200 });
    expect(page.data.find((r) => r.id === key.id)!.tag_ids).to.deep.equal([6, LOCKED_TAG]);
  });
});
