import { describe, expect, it } from 'vitest';
import type { QuestionType } from '../../src/infrastructure/database/schema/index.js';
import {
  type GradableQuestion,
  gradeAnswer,
  gradeAttempt,
  multipleSelectShare,
  normalizeShortAnswer,
  totalsOf,
} from '../../src/modules/quizzes/grading.js';
import {
  answerFits,
  assertValidQuestion,
  MAX_ACCEPTED_ANSWERS,
  MAX_OPTIONS,
} from '../../src/modules/quizzes/question-rules.js';

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
  const optionsOf = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ id: `o${i}`, text: `${i}` }));
  /** The problem's listed field errors, or 'valid'. */
  const problems = (definition: Parameters<typeof assertValidQuestion>[0]) => {
    try {
      assertValidQuestion(definition);
    } catch (error) {
      const { code, status, extras } = error as {
        code: string;
        status: number;
        extras?: { errors: { field: string; message: string }[] };
      };
      expect({ code, status }).toEqual({ code: 'invalid_question', status: 422 });
      return extras?.errors;
    }
    return 'valid';
  };
  const wrongAnswer = (message: string) => [{ field: '/body/correctAnswer', message }];
  const wrongOptions = (message: string) => [{ field: '/body/options', message }];

  it('accepts each well-formed type, and choice questions of 2 and of MAX_OPTIONS options', () => {
    expect(problems({ type: 'multiple_choice', options, correctAnswer: 'a' })).toBe('valid');
    expect(problems({ type: 'multiple_select', options, correctAnswer: ['a', 'b'] })).toBe('valid');
    expect(problems({ type: 'true_false', options: [], correctAnswer: true })).toBe('valid');
    expect(problems({ type: 'short_answer', options: [], correctAnswer: ['x'] })).toBe('valid');
    expect(problems({ type: 'essay', options: [], correctAnswer: null })).toBe('valid');
    expect(problems({ type: 'multiple_choice', options: optionsOf(MAX_OPTIONS), correctAnswer: 'o0' })).toBe(
      'valid',
    );
    const accepted = Array.from({ length: MAX_ACCEPTED_ANSWERS }, (_, i) => `answer ${i}`);
    expect(problems({ type: 'short_answer', options: [], correctAnswer: accepted })).toBe('valid');
  });

  it('lists each bad field with what is wrong (422 invalid_question)', () => {
    const needsOptions = wrongOptions(`a multiple_choice question needs 2 to ${MAX_OPTIONS} options`);
    expect(problems({ type: 'multiple_choice', options, correctAnswer: 'z' })).toEqual(
      wrongAnswer('must be the id of one of the options'),
    );
    expect(problems({ type: 'multiple_choice', options, correctAnswer: ['a'] })).toEqual(
      wrongAnswer('must be the id of one of the options'),
    );
    expect(problems({ type: 'multiple_choice', options: [options[0]!], correctAnswer: 'a' })).toEqual(
      needsOptions,
    );
    expect(
      problems({ type: 'multiple_choice', options: optionsOf(MAX_OPTIONS + 1), correctAnswer: 'o0' }),
    ).toEqual(needsOptions);
    expect(
      problems({ type: 'multiple_select', options: [options[0]!, options[0]!], correctAnswer: ['z'] }),
    ).toEqual([
      ...wrongOptions('option ids must be distinct'),
      ...wrongAnswer('must be a non-empty list of distinct option ids'),
    ]);
    for (const correctAnswer of [[], ['a', 'a'], ['a', 'z'], 'a']) {
      expect(problems({ type: 'multiple_select', options, correctAnswer })).toEqual(
        wrongAnswer('must be a non-empty list of distinct option ids'),
      );
    }
    expect(problems({ type: 'true_false', options: [], correctAnswer: 'true' })).toEqual(
      wrongAnswer('must be true or false'),
    );
    expect(problems({ type: 'true_false', options, correctAnswer: true })).toEqual(
      wrongOptions('a true_false question has no options'),
    );
    const acceptedAnswers = wrongAnswer(
      `must list 1 to ${MAX_ACCEPTED_ANSWERS} accepted answers (non-blank texts)`,
    );
    const tooMany = Array.from({ length: MAX_ACCEPTED_ANSWERS + 1 }, (_, i) => `answer ${i}`);
    for (const correctAnswer of [[], ['  '], ['x', ' '], 'x', tooMany]) {
      expect(problems({ type: 'short_answer', options: [], correctAnswer })).toEqual(acceptedAnswers);
    }
    expect(problems({ type: 'essay', options: [], correctAnswer: 'model answer' })).toEqual(
      wrongAnswer('an essay has no correct answer (it is graded by hand)'),
    );
  });

  it('checks the shape of a student answer for every type', () => {
    const fits = (type: QuestionType, answer: unknown) =>
      answerFits({ type, options: type.startsWith('multiple') ? options : [], correctAnswer: null }, answer);
    expect(fits('multiple_choice', 'a')).toBe(true);
    for (const answer of ['z', ['a'], 1, null]) expect(fits('multiple_choice', answer)).toBe(false);
    expect(fits('multiple_select', ['a', 'b'])).toBe(true);
    expect(fits('multiple_select', [])).toBe(true);
    for (const answer of [['a', 'a'], ['a', 'z'], ['z', 'a'], [1], 'a', null]) {
      expect(fits('multiple_select', answer)).toBe(false);
    }
    expect(fits('true_false', false)).toBe(true);
    for (const answer of ['yes', 'true', 0, null]) expect(fits('true_false', answer)).toBe(false);
    for (const type of ['short_answer', 'essay'] as const) {
      expect(fits(type, 'text')).toBe(true);
      expect(fits(type, '')).toBe(true);
      for (const answer of [1, ['text'], null, true]) expect(fits(type, answer)).toBe(false);
    }
  });

  it('grades an answer of the wrong shape (an old save) as wrong, never as right or as an error', () => {
    const wrong = { points: 0, maxPoints: 4, correct: false, needsReview: false };
    expect(gradeAnswer(q({ type: 'multiple_choice', correctAnswer: 'b' }), ['b'])).toEqual(wrong);
    expect(gradeAnswer(q({ type: 'true_false', correctAnswer: true }), 'true')).toEqual(wrong);
    expect(gradeAnswer(q({ type: 'multiple_select', correctAnswer: ['a', 'b'] }), 'a')).toEqual(wrong);
    expect(gradeAnswer(q({ type: 'multiple_select', correctAnswer: ['a', 'b'] }), ['a', 1])).toEqual(wrong);
    expect(gradeAnswer(q({ type: 'multiple_select', correctAnswer: ['a', 'b'] }), ['a', 'b', 1])).toEqual(
      wrong,
    );
    expect(gradeAnswer(q({ type: 'multiple_select', correctAnswer: 'a' }), ['a'])).toEqual(wrong);
    expect(gradeAnswer(q({ type: 'short_answer', correctAnswer: ['42'] }), 42)).toEqual(wrong);
    expect(gradeAnswer(q({ type: 'short_answer', correctAnswer: '42' }), '42')).toEqual(wrong);
    expect(multipleSelectShare([], new Set(['a']), true)).toBe(0);
    expect(multipleSelectShare([], new Set(), true)).toBe(1);
  });
});
