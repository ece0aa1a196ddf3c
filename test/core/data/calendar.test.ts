import { expect } from 'chai';
import fc from 'fast-check';
import { addCalendarDays, addCalendarMonths, dayIn, daysBetween, endOfDay, startOfDay } from '../../../core/data/calendar';

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

  it('names the day an instant falls on where the company is, not in UTC', () => {
    expect(dayIn('2026-03-31T21:30:00Z', 'Europe/Paris')).to.equal('2026-03-31');
    expect(dayIn('2026-03-31T22:10:00Z', 'Europe/Paris')).to.equal('2026-04-01');
    expect(dayIn('2026-04-01T02:00:00Z', 'America/New_York')).to.equal('2026-03-31');
  });

  it('moves by calendar days across months, years and leap days', () => {
    expect(addCalendarDays('2026-01-31', 1)).to.equal('2026-02-01');
    expect(addCalendarDays('2028-02-28', 1)).to.equal('2028-02-29');
    expect(addCalendarDays('2027-01-01', -1)).to.equal('2026-12-31');
    expect(daysBetween('2026-02-01', '2026-03-01')).to.equal(28);
    expect(daysBetween('2026-03-01', '2026-02-01')).to.equal(-28);
  });

  it('moves by months keeping the day, or the last day of a shorter month', () => {
    expect(addCalendarMonths('2026-01-15', 1)).to.equal('2026-02-15');
    expect(addCalendarMonths('2026-01-31', 1)).to.equal('2026-02-28');
    expect(addCalendarMonths('2028-01-31', 1)).to.equal('2028-02-29');
    expect(addCalendarMonths('2026-03-31', -1)).to.equal('2026-02-28');
    expect(addCalendarMonths('2028-02-29', 12)).to.equal('2029-02-28');
    expect(addCalendarMonths('2026-11-30', 3)).to.equal('2027-02-28');
    expect(() => addCalendarMonths('2026-02-30', 1)).to.throw(/not a calendar day/);
    expect(() => addCalendarDays('26-1-1', 1)).to.throw(/not a calendar day/);
  });

  it('adding days then taking them away returns the same day, and daysBetween measures it', () => {
    const day = fc.integer({ min: 0, max: 80_000 }).map((n) => new Date(n * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        const moved = addCalendarDays(d, n);
        return addCalendarDays(moved, -n) === d && daysBetween(d, moved) === n;
      }),
    );
  });
});
