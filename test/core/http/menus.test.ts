import { expect } from 'chai';
import type { Manifest } from '../../../core/modules/manifest';
import { buildMenus } from '../../../core/http/menus';
import type { RequestContext } from '../../../core/security/request-context';

const manifest = { name: 'shop', menus: [
  { id: 'shop', label: 'Shop', path: '/shop', permission: 'shop.read', order: 1 },
  { id: 'shop.report', label: 'Report', path: '/shop/report', permission: 'shop.report', alsoRequires: ['shop.all_branches'], parent: 'shop', order: 2 },
] } as unknown as Manifest;
const holding = (...permissions: string[]) => ({ can: (p: string) => permissions.includes(p) }) as unknown as RequestContext;
const labels = (ctx: RequestContext) => buildMenus([manifest], ctx, '/').flatMap((i) => [i.label, ...i.children.map((c) => c.label)]);

describe('core menus: an entry shows only to a user who may open it', () => {
  it('an entry that also requires permissions shows only to a user holding every one of them', () => {
    expect(labels(holding('shop.read', 'shop.report', 'shop.all_branches'))).to.deep.equal(['Shop', 'Report']);
    expect(labels(holding('shop.read', 'shop.report'))).to.deep.equal(['Shop']);
    expect(labels(holding('shop.read', 'shop.all_branches'))).to.deep.equal(['Shop']);
  });

  it('a parent the user may not open leads to its first child they may', () => {
    const items = buildMenus([manifest], holding('shop.report', 'shop.all_branches'), '/');
    expect(items.map((i) => [i.label, i.path])).to.deep.equal([['Shop', '/shop/report']]);
  });
});
