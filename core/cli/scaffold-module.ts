import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../config/load-config';

const NAME = /^[a-z][a-z0-9_]{1,39}$/;

/**
 * Writes a module that installs and passes its own test unchanged: manifest, a migration creating one
 * business table, a read and a write permission (its public face, api.ts), an entity declared once (its
 * list and record pages and its JSON API come from the core) and a test. It imports Tessera by name
 * (`tessera/core`, `tessera/testing`), so the folder works wherever it lives: `tessera test <folder>`.
 */
export function scaffoldModule(name: string, targetDir?: string): { dir: string; files: string[] } {
  if (!NAME.test(name)) throw new Error(`Module name "${name}" must be 2-40 lowercase letters, digits or _, starting with a letter`);
  const base = path.resolve(targetDir ?? path.join(ROOT_DIR, 'modules'));
  const dir = path.join(base, name);
  if (fs.existsSync(dir)) throw new Error(`${dir} already exists`);
  const external = targetDir !== undefined;
  const title = name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  const table = `${name}_notes`;
  const testFile = path.join(dir, 'test', `${name}.test.ts`);
  const constant = `${name.toUpperCase()}_PERMISSIONS`;

  const files: Record<string, string> = {
    [path.join(dir, 'manifest.json')]: JSON.stringify(
      {
        name,
        version: '1.0.0',
        description: `${title}: notes kept per company`,
        depends: [],
        permissions: [
          { name: `${name}.note.read`, description: `See ${title} notes` },
          { name: `${name}.note.write`, description: `Create ${title} notes`, implies: [`${name}.note.read`] },
        ],
        menus: [{ id: name, label: title, path: `/${name}`, permission: `${name}.note.read`, order: 500 }],
        settings: { type: 'object', properties: {} },
      },
      null,
      2,
    ) + '\n',
    [path.join(dir, 'api.ts')]: `// ${title}'s public face: what other modules may import from it, and nothing else of it.
export const ${constant} = {
  read: '${name}.note.read',
  write: '${name}.note.write',
} as const;

export type { Note } from './note-entity';
`,
    [path.join(dir, 'index.ts')]: `import { defineModule } from 'tessera/core';
import { noteEntity } from './note-entity';

export default defineModule({
  register(m) {
    // The list, the form, the record page and /api/v1/${name}/notes all come from the declaration.
    m.entities.register(noteEntity);
  },
});
`,
    [path.join(dir, 'note-entity.ts')]: `import { defineEntity, field, type EntityRow } from 'tessera/core';
import { ${constant} } from './api';

export const noteEntity = defineEntity({
  name: 'note',
  table: '${table}',
  label: { one: 'Note', many: 'Notes' },
  permissions: ${constant},
  paths: { api: '/notes', pages: '/${name}' },
  title: 'text',
  search: ['text'],
  sorts: ['-created_at', 'text'],
  fields: {
    text: field.text({ label: 'Note', required: true, maxLength: 500 }),
  },
});

export type Note = EntityRow<typeof noteEntity>;
`,
    [path.join(dir, 'migrations', '001_create_notes.ts')]: `import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, '${table}', (t) => {
    t.string('text', 500).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('${table}');
}
`,
    [testFile]: `import assert from 'node:assert/strict';
${external ? "import path from 'node:path';\n" : ''}import { startTestApp, type TestApp } from 'tessera/testing';
import { ${constant} } from '../api';

describe('${name} module', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(${external ? `{ modulesPath: [path.resolve(__dirname, '..')] }` : ''});
  });
  after(() => t.close());

  it('shows its page to a user with ${name}.note.read and saves notes with ${name}.note.write', async () => {
    const user = await t.createUser({ permissions: [${constant}.write] });
    const agent = await t.login(user.email, user.password);
    await agent.post('/${name}', { text: 'first note' }).expect(302);
    const page = await agent.get('/${name}').expect(200);
    assert.match(page.text, /first note/);
    await agent.post('/${name}', { text: ' ' }).expect(422);
  });

  it('answers 403 to a user without ${name}.note.read', async () => {
    const user = await t.createUser({ permissions: [] });
    const token = await t.token(user.email);
    await t.request().get('/api/v1/${name}/notes').set('Authorization', \`Bearer \${token}\`).expect(403);
  });
});
`,
  };
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return { dir, files: Object.keys(files).map(shortPath) };
}

/** Relative to the working folder when the file is below it, else absolute. */
function shortPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

