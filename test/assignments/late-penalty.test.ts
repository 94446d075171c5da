import { describe, expect, it } from 'vitest';
import { countedScore, latenessAt } from '../../src/modules/assignments/index.js';

const due = new Date('2030-05-10T12:00:00.000Z');
const at = (ms: number) => new Date(due.getTime() + ms);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const policy = { dueAt: due, allowLate: true, latePenaltyPercent: 15, latePenaltyMaxPercent: 40 };

describe('late penalty arithmetic', () => {
  it('is on time up to and at the due instant, and without a due date', () => {
    expect(latenessAt(policy, at(-1))).toEqual({ isLate: false, daysLate: 0, penaltyPercent: 0 });
    expect(latenessAt(policy, due)).toEqual({ isLate: false, daysLate: 0, penaltyPercent: 0 });
    expect(latenessAt({ ...policy, dueAt: null }, at(100 * DAY)).isLate).toBe(false);
  });

  it('counts every started day: a millisecond late is one day, a day and a millisecond two', () => {
    expect(latenessAt(policy, at(1))).toEqual({ isLate: true, daysLate: 1, penaltyPercent: 15 });
    expect(latenessAt(policy, at(DAY))).toEqual({ isLate: true, daysLate: 1, penaltyPercent: 15 });
    expect(latenessAt(policy, at(DAY + 1))).toEqual({ isLate: true, daysLate: 2, penaltyPercent: 30 });
  });

  it('stops at the cap', () => {
    expect(latenessAt(policy, at(2 * DAY + HOUR))).toEqual({ isLate: true, daysLate: 3, penaltyPercent: 40 });
    expect(latenessAt(policy, at(30 * DAY)).penaltyPercent).toBe(40);
    expect(latenessAt({ ...policy, latePenaltyPercent: 0 }, at(5 * DAY))).toEqual({
      isLate: true,
      daysLate: 5,
      penaltyPercent: 0,
    });
  });

  it('refuses late work when the assignment does not accept it', () => {
    expect(() => latenessAt({ ...policy, allowLate: false }, at(1))).toThrow(
      expect.objectContaining({ code: 'past_due', status: 409 }),
    );
    expect(latenessAt({ ...policy, allowLate: false }, due).isLate).toBe(false);
  });

  it('takes the penalty off the grade to two decimals', () => {
    expect(countedScore(45, 10)).toBe(40.5);
    expect(countedScore(33.33, 15)).toBe(28.33);
    expect(countedScore(80, 0)).toBe(80);
    expect(countedScore(80, 100)).toBe(0);
  });
});
