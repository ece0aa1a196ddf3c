import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { startTestApp, type TestApp } from '../../support/harness';
import { bearer, uniq } from './depot-app';

const ALL = ['guild.guild.write', 'guild.guild.delete'];

/**
 * An entity whose rows no company owns (`scope` with a visibility hook): the guild fixture. Members
 * see their guilds, a super admin all; only a super admin founds one; codes are unique overall.
 */
describe('core resources: an entity of no company, its visibility from its scope @integration', () => {
  let t: TestApp;
  let root: string;
  let member: { id: number; email: string; password: string };
  let memberToken: string;
  let stranger: string;
  const api = () => supertest(t.app);

  before(async () => {
    t = await startTestApp({ kernel: { modulesDir: path.join(__dirname, '..', '..', 'fixtures', 'unscoped') } });
    root = await t.token((await t.createUser({ permissions: ALL, superAdmin: true })).email);
    member = await t.createUser({ permissions: ALL });
    memberToken = await t.token(member.email);
    stranger = await t.token((await t.createUser({ permissions: ALL })).email);
  });
  after(async () => t.close());

  const found = async (name = 'Masons') => (await api().post('/api/v1/guild/guilds').set(bearer(root)).send({ code: uniq('g'), name }).expect(201)).body;
  const join = (guildId: number) => t.knex('guild_members').insert({ guild_id: guildId, user_id: member.id });

  it('creates, reads, changes and deletes rows without company_id, answering rows without one', async () => {
    const guild = await found();
    expect(Object.keys(guild).sort()).to.deep.equal(['code', 'created_at', 'created_by', 'id', 'motto', 'name', 'updated_at', 'updated_by']);
    const read = await api().get(`/api/v1/guild/guilds/${guild.id}`).set(bearer(root)).expect(200);
    expect(read.body).to.deep.equal(guild);
    const patched = await api().patch(`/api/v1/guild/guilds/${guild.id}`).set(bearer(root)).send({ motto: 'Square and level' }).expect(200);
    expect(patched.body).to.include({ motto: 'Square and level', code: guild.code });
    await api().delete(`/api/v1/guild/guilds/${guild.id}`).set(bearer(root)).expect(204);
    await api().get(`/api/v1/guild/guilds/${guild.id}`).set(bearer(root)).expect(404);
    const actions = await t.knex('core_audit_log').where({ record_table: 'guild_guilds', record_id: guild.id }).orderBy('id').pluck('action');
    expect(actions).to.deep.equal(['create', 'update', 'delete']);
  });

  it('shows members their guilds and nobody else any, in lists, reads and writes', async () => {
    const guild = await found('Weavers');
    await join(guild.id);
    const mine = await api().get('/api/v1/guild/guilds').query({ q: guild.code }).set(bearer(memberToken)).expect(200);
    expect(mine.body.data.map((g: { id: number }) => g.id)).to.deep.equal([guild.id]);
    const theirs = await api().get('/api/v1/guild/guilds').query({ q: guild.code }).set(bearer(stranger)).expect(200);
    expect(theirs.body.data).to.deep.equal([]);
    await api().get(`/api/v1/guild/guilds/${guild.id}`).set(bearer(stranger)).expect(404);
    await api().patch(`/api/v1/guild/guilds/${guild.id}`).set(bearer(stranger)).send({ name: 'Taken' }).expect(404);
    await api().delete(`/api/v1/guild/guilds/${guild.id}`).set(bearer(stranger)).expect(404);
    await api().patch(`/api/v1/guild/guilds/${guild.id}`).set(bearer(memberToken)).send({ name: 'Weavers United' }).expect(200);
  });

  it('keeps creation to whom the scope allows and codes unique across all rows', async () => {
    await api().post('/api/v1/guild/guilds').set(bearer(memberToken)).send({ code: uniq('g'), name: 'Rebels' }).expect(403);
    const guild = await found();
    const clash = await api().post('/api/v1/guild/guilds').set(bearer(root)).send({ code: guild.code, name: 'Copy' }).expect(409);
    expect(clash.body.error.fields).to.deep.equal({ code: 'is already used by another guild' });
    const bad = await api().post('/api/v1/guild/guilds').set(bearer(root)).send({ code: uniq('g'), name: 'X', company_id: t.companyId }).expect(422);
    expect(JSON.stringify(bad.body)).to.contain('company_id');
  });

  it('documents the API from the declaration, without a company', async () => {
    const doc = (await api().get('/api/v1/openapi.json').set(bearer(root)).expect(200)).body;
    const paths = doc.paths['/api/v1/guild/guilds'];
    expect(paths).to.have.keys('get', 'post');
    expect(doc.paths['/api/v1/guild/guilds/{id}']).to.have.keys('get', 'patch', 'delete');
    const body = paths.post.requestBody.content['application/json'].schema;
    expect(body.properties).to.have.keys('code', 'name', 'motto');
    expect(JSON.stringify(paths.get.responses)).not.to.contain('company_id');
  });

  it('offers the pages by the same rules: a founder gets the form, a member the list and no new link', async () => {
    const guild = await found('Coopers');
    await join(guild.id);
    const agent = await t.login(member.email, member.password);
    const list = await agent.get('/guilds').expect(200);
    expect(list.text).to.contain(`href="/guilds/${guild.id}"`);
    expect(list.text).not.to.contain('href="/guilds/new"');
    await agent.get('/guilds/new').expect(403);
    await agent.post('/guilds', { code: uniq('g'), name: 'Sneaky' }).expect(403);
    await agent.post(`/guilds/${guild.id}`, { name: '' }).expect(422);
    await agent.post(`/guilds/${guild.id}`, { name: 'Coopers & Sons' }).expect(302);
    const founder = await t.createUser({ permissions: ALL, superAdmin: true });
    const admin = await t.login(founder.email, founder.password);
    expect((await admin.get('/guilds').expect(200)).text).to.contain('href="/guilds/new"');
    const code = uniq('g');
    await admin.post('/guilds', { code, name: 'Chandlers' }).expect(302);
    expect(await t.knex('guild_members').join('guild_guilds', 'guild_guilds.id', 'guild_members.guild_id').where('guild_guilds.code', code).pluck('user_id')).to.deep.equal([founder.id]);
  });
});
