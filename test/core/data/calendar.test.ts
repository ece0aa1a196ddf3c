import { expect } from 'chai';
import { endOfDay, startOfDay } from '../../../core/data/calendar';

describe('calendar days in a company time zone', () => {
  it('starts a day at local midnight', () => {
    expect(startOfDay('2026-01-15', 'UTC').toISOString()).to.equal('2026-01-15T00:00:00.000Z');
    expect(startOfDay('2026-01-15', 'Europe/Paris').toISOString()).to.equal('2026-01-14T23:00:00.000Z');
    expect(startOfDay('2026-07-15', 'Europe/Paris').toISOString()).to.equal('2026-07-14T22:00:00.000Z');
    expect(startOfDay('2026-01-15', 'America/New_York').toISOString()).to.equal('2026-01-15T05:00:00.000Z');
    expect(startOfDay('2026-01-15', 'Asia/Kolkata').toISOString()).to.equal('2026-01-14T18:30:00.000Z');
  });

  it('ends a day where the next one starts, across daylight-saving changes', () => {
    // Paris moves its clocks forward on 2026-03-29: that day lasts 23 hours.
    const start = startOfDay('2026-03-29', 'Europe/Paris');
    const end = endOfDay('2026-03-29', 'Europe/Paris');
    expect(end.getTime() - start.getTime()).to.equal(23 * 3600_000);
    expect(end.toISOString()).to.equal('2026-03-29T22:00:00.000Z');
  });

  it('refuses what is not a calendar day', () => {
    expect(() => startOfDay('2026-13-45', 'UTC')).to.throw(/not a calendar day/);
  });
});
