import { expect } from 'chai';
import Handlebars from 'handlebars';
import { PageReach } from '../../../core/http/page-reach';
import { registerHelpers } from '../../../core/views/helpers';
import type { DeclaredPageRoute } from '../../../core/http/route-table';

/** Links only where the user may follow them: answered from the declared GET pages and their permissions. */
describe('page reach and the link helpers', () => {
  const route = (path: string, permission: string, method: 'GET' | 'POST' = 'GET') => ({ module: 'm', method, path, permission, handler: async () => ({ view: 'x' }) }) as DeclaredPageRoute;
  // Most specific first, as the route table keeps them.
  const reach = new PageReach([route('/things/new', 'm.thing.write'), route('/things/:id', 'm.thing.read'), route('/things', 'm.thing.write', 'POST'), route('/me', 'authenticated')]);
  const readerMay = reach.forUser((p) => p === 'm.thing.read');

  it('checks the page a link opens, its query and fragment aside', () => {
    expect(reach.permissionFor('/things/new')).to.equal('m.thing.write');
    expect(reach.permissionFor('/things/12?tab=history#top')).to.equal('m.thing.read');
    expect(readerMay('/things/12')).to.equal(true);
    expect(readerMay('/things/new')).to.equal(false);
    expect(readerMay('/me')).to.equal(true);
    // Not a declared page (a static file, the API): left to the server.
    expect(readerMay('/static/app.js')).to.equal(true);
    expect(readerMay('/things')).to.equal(true);
  });

  it('renders an anchor where the page opens and the bare, escaped text where it would answer 403', () => {
    const hb = Handlebars.create();
    registerHelpers(hb);
    const render = (template: string, data: Record<string, unknown>) => hb.compile(template)({ ...data, mayOpen: readerMay });
    expect(render('{{#link "/things/" id class="x"}}{{name}}{{/link}}', { id: 3, name: 'A & B' })).to.equal('<a href="/things/3" class="x">A &amp; B</a>');
    expect(render('{{#link "/things/new"}}{{name}}{{/link}}', { name: '<b>' })).to.equal('&lt;b&gt;');
    expect(render('{{#if (mayOpen "/things/" id)}}y{{else}}n{{/if}}', { id: 1 })).to.equal('y');
    expect(render('{{#if (mayOpen "/things/new")}}y{{else}}n{{/if}}', {})).to.equal('n');
    // Without a checker (a page outside the shell), links are shown: the route still checks.
    expect(hb.compile('{{#link "/things/new"}}x{{/link}}')({})).to.equal('<a href="/things/new">x</a>');
  });
});
