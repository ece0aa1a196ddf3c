import { expect } from 'chai';
import { decodeCursor, encodeCursor } from '../../../core/data/keyset';
import { MAX_ID } from '../../../core/db/schema-helpers';

function refusal(work: () => unknown): Record<string, string> {
  try {
    work();
  } catch (error: any) {
    expect(error.status).to.equal(422);
    return { ...error.fields };
  }
  throw new Error('expected a refusal');
}

describe('keyset cursors', () => {
  it('reads back what a list wrote', () => {
    expect(decodeCursor(encodeCursor(['anna', 12]), ['text', 'id'])).to.deep.equal(['anna', 12]);
    expect(decodeCursor(encodeCursor([3.5, MAX_ID]), ['value', 'id'])).to.deep.equal([3.5, MAX_ID]);
  });

  it('refuses any other shape with 422 naming after, before it reaches the database', () => {
    const others = ['WzFd', encodeCursor([[], {}]), encodeCursor(['anna', -1]), encodeCursor(['anna', MAX_ID + 1]), encodeCursor([12, 12]), encodeCursor(['anna', 12, 1]), encodeCursor([null, 1]), 'not base64 at all', ''];
    for (const bad of others) expect(refusal(() => decodeCursor(bad, ['text', 'id'])), bad).to.deep.equal({ after: 'is not a valid cursor' });
    expect(refusal(() => decodeCursor(encodeCursor(['x'.repeat(1001), 1]), ['value', 'id']))).to.have.property('after');
  });

  it('names the parameter the cursor came in', () => {
    expect(refusal(() => decodeCursor('WzFd', ['id', 'id'], 'page'))).to.have.property('page');
  });
});
