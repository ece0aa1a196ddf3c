import { expect } from 'chai';
import type { Request } from 'express';
import { PageRenderer } from '../../../core/http/page-renderer';

/**
 * express-session writes a page (all but its last byte) before it saves the session the page changed:
 * a message shown on that page would still be stored when the user, quick, acts on it, and would show
 * again on the next page. The renderer forgets it in the store before the page is drawn.
 */
describe('flash messages', () => {
  const renderer = new PageRenderer({} as any, { error: () => undefined } as any, () => 'csrf');

  function requestWith(flash: Array<{ type: string; message: string }> | undefined, failing = false) {
    const saves: Array<unknown> = [];
    const session: Record<string, unknown> = {
      flash,
      save(done: (error?: Error) => void) {
        saves.push(structuredClone({ flash: session.flash }));
        setTimeout(() => done(failing ? new Error('store away') : undefined), 5);
      },
    };
    return { req: { session, path: '/x', query: {} } as unknown as Request, saves };
  }

  it('shows a message once: the store has forgotten it before the page that shows it is drawn', async () => {
    const { req, saves } = requestWith([{ type: 'success', message: '1 stamp added' }]);
    const layout = await renderer.layoutData(req);
    expect(layout.flash).to.deep.equal([{ type: 'success', message: '1 stamp added' }]);
    expect(saves).to.deep.equal([{ flash: undefined }]);
  });

  it('saves nothing for a page without a message', async () => {
    const { req, saves } = requestWith(undefined);
    await renderer.layoutData(req);
    expect(saves).to.deep.equal([]);
  });

  it('fails the page when the store cannot forget the message (the error page follows)', async () => {
    const { req } = requestWith([{ type: 'info', message: 'hello' }], true);
    let error: unknown;
    await renderer.layoutData(req).catch((e) => (error = e));
    expect((error as Error)?.message).to.equal('store away');
  });
});
