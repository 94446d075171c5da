import { describe, expect, it } from 'vitest';
import {
  type GradableQuestion,
  gradeAnswer,
  gradeAttempt,
  multipleSelectShare,
  normalizeShortAnswer,
  totalsOf,
} from '../../src/modules/quizzes/grading.js';
import { answerFits, assertValidQuestion } from '../../src/modules/quizzes/question-rules.js';

const base = { caseSensitive: false, normalizeWhitespace: true, partialCredit: true, points: 4 } as const;
const q = (overrides: Partial<GradableQuestion> & Pick<GradableQuestion, 'type' | 'correctAnswer'>) =>
  ({ id: 'q', ...base, ...overrides }) as GradableQuestion;

describe('automatic grading per question type', () => {
  it('multiple_choice: full points for the correct option only', () => {
    const question = q({ type: 'multiple_choice', correctAnswer: 'b' });
    expect(gradeAnswer(question, 'b')).toEqual({
      points: 4,
      maxPoints: 4,
      correct: true,
      needsReview: false,
    });
    expect(gradeAnswer(question, 'a')).toEqual({
      points: 0,
      maxPoints: 4,
      correct: false,
      needsReview: false,
    });
    expect(gradeAnswer(question, undefined).points).toBe(0);
    expect(gradeAnswer(question, ['b']).points).toBe(0);
  });

  it('true_false: the boolean, not a string that looks like it', () => {
    const question = q({ type: 'true_false', correctAnswer: false });
    expect(gradeAnswer(question, false).correct).toBe(true);
    expect(gradeAnswer(question, true).correct).toBe(false);
    expect(gradeAnswer(question, 'false').correct).toBe(false);
  });

  it('multiple_select with partial credit: (right − wrong) / correct count, floored at 0', () => {
    const question = q({ type: 'multiple_select', correctAnswer: ['a', 'b', 'c'], points: 3 });
    expect(gradeAnswer(question, ['a', 'b', 'c'])).toMatchObject({ points: 3, correct: true });
    expect(gradeAnswer(question, ['a', 'b'])).toMatchObject({ points: 2, correct: false });
    expect(gradeAnswer(question, ['a', 'b', 'd'])).toMatchObject({ points: 1, correct: false });
    expect(gradeAnswer(question, ['a', 'd', 'e'])).toMatchObject({ points: 0, correct: false });
    expect(gradeAnswer(question, [])).toMatchObject({ points: 0 });
    expect(multipleSelectShare(['a', 'b', 'c'], new Set(['a']), true)).toBeCloseTo(1 / 3);
    // Cents, as stored: 1/3 of 1 point.
    expect(gradeAnswer({ ...question, points: 1 }, ['a']).points).toBe(0.33);
  });

  it('multiple_select without partial credit: the exact set or nothing', () => {
    const question = q({ type: 'multiple_select', correctAnswer: ['a', 'b'], partialCredit: false });
    expect(gradeAnswer(question, ['b', 'a']).points).toBe(4);
    expect(gradeAnswer(question, ['a']).points).toBe(0);
    expect(gradeAnswer(question, ['a', 'b', 'c']).points).toBe(0);
  });

  it('short_answer: any accepted answer, case and whitespace by the flags', () => {
    const loose = q({ type: 'short_answer', correctAnswer: ['New York', 'NYC'] });
    expect(gradeAnswer(loose, '  new   york ').correct).toBe(true);
    expect(gradeAnswer(loose, 'nyc').correct).toBe(true);
    expect(gradeAnswer(loose, 'Boston').correct).toBe(false);
    const strictCase = { ...loose, caseSensitive: true };
    expect(gradeAnswer(strictCase, 'new york').correct).toBe(false);
    expect(gradeAnswer(strictCase, ' New  York ').correct).toBe(true);
    const strictSpace = { ...loose, normalizeWhitespace: false };
    expect(gradeAnswer(strictSpace, 'new  york').correct).toBe(false);
    expect(gradeAnswer(strictSpace, 'NEW YORK').correct).toBe(true);
    expect(normalizeShortAnswer(' A \t b ', { caseSensitive: false, normalizeWhitespace: true })).toBe('a b');
  });

  it('essay: 0 points for now, correct unknown, needs review', () => {
    expect(gradeAnswer(q({ type: 'essay', correctAnswer: null }), 'My essay')).toEqual({
      points: 0,
      maxPoints: 4,
      correct: null,
      needsReview: true,
    });
  });

  it('totals: score, max, percent with two decimals, needs review when any question does', () => {
    const results = gradeAttempt(
      [
        { ...q({ type: 'multiple_choice', correctAnswer: 'a' }), id: 'q1', points: 1 },
        { ...q({ type: 'true_false', correctAnswer: true }), id: 'q2', points: 2 },
      ],
      { q1: 'a', q2: false },
    );
    expect(totalsOf(results)).toEqual({ score: 1, maxScore: 3, scorePercent: 33.33, needsReview: false });
    expect(totalsOf({ e: { points: 0, maxPoints: 5, correct: null, needsReview: true } }).needsReview).toBe(
      true,
    );
    expect(totalsOf({}).scorePercent).toBeNull();
  });
});

describe('question rules', () => {
  const options = [
    { id: 'a', text: 'A' },
    { id: 'b', text: 'B' },
  ];
  const invalid = (definition: Parameters<typeof assertValidQuestion>[0]) => {
    try {
      assertValidQuestion(definition);
    } catch (error) {
      return (error as { code: string }).code;
    }
    return 'valid';
  };

  it('accepts each well-formed type', () => {
    expect(invalid({ type: 'multiple_choice', options, correctAnswer: 'a' })).toBe('valid');
    expect(invalid({ type: 'multiple_select', options, correctAnswer: ['a', 'b'] })).toBe('valid');
    expect(invalid({ type: 'true_false', options: [], correctAnswer: true })).toBe('valid');
    expect(invalid({ type: 'short_answer', options: [], correctAnswer: ['x'] })).toBe('valid');
    expect(invalid({ type: 'essay', options: [], correctAnswer: null })).toBe('valid');
  });

  it('refuses answers that do not fit the type (422 invalid_question)', () => {
    expect(invalid({ type: 'multiple_choice', options, correctAnswer: 'z' })).toBe('invalid_question');
    expect(invalid({ type: 'multiple_choice', options: [options[0]!], correctAnswer: 'a' })).toBe(
      'invalid_question',
    );
    expect(
      invalid({ type: 'multiple_choice', options: [options[0]!, options[0]!], correctAnswer: 'a' }),
    ).toBe('invalid_question');
    expect(invalid({ type: 'multiple_select', options, correctAnswer: [] })).toBe('invalid_question');
    expect(invalid({ type: 'multiple_select', options, correctAnswer: ['a', 'a'] })).toBe('invalid_question');
    expect(invalid({ type: 'true_false', options: [], correctAnswer: 'true' })).toBe('invalid_question');
    expect(invalid({ type: 'true_false', options, correctAnswer: true })).toBe('invalid_question');
    expect(invalid({ type: 'short_answer', options: [], correctAnswer: ['  '] })).toBe('invalid_question');
    expect(invalid({ type: 'short_answer', options: [], correctAnswer: 'x' })).toBe('invalid_question');
    expect(invalid({ type: 'essay', options: [], correctAnswer: 'model answer' })).toBe('invalid_question');
  });

  it('checks the shape of a student answer', () => {
    expect(answerFits({ type: 'multiple_choice', options, correctAnswer: null }, 'a')).toBe(true);
    expect(answerFits({ type: 'multiple_choice', options, correctAnswer: null }, 'z')).toBe(false);
    expect(answerFits({ type: 'multiple_select', options, correctAnswer: null }, ['a', 'a'])).toBe(false);
    expect(answerFits({ type: 'true_false', options: [], correctAnswer: null }, 'yes')).toBe(false);
    expect(answerFits({ type: 'essay', options: [], correctAnswer: null }, 'text')).toBe(true);
  });
});
