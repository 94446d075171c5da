/**
 * What a well-formed question is, per type (the request schemas check shapes; these rules check what
 * depends on the type): choice questions have 2..MAX_OPTIONS options with distinct ids and a correct
 * answer naming them; true/false has no options and a boolean; a short answer has accepted answers;
 * an essay has no correct answer (graded by hand). A bad question is 422 `invalid_question`, listing
 * every bad field, and nothing is written.
 */
import type {
  CorrectAnswer,
  QuestionOption,
  QuestionType,
} from '../../infrastructure/database/schema/index.js';
import { AppError, type FieldError } from '../../shared/errors.js';

export const MAX_OPTIONS = 20;
export const MAX_ACCEPTED_ANSWERS = 50;

export interface QuestionDefinition {
  type: QuestionType;
  options: QuestionOption[];
  correctAnswer: CorrectAnswer;
}

function problemsOf(question: QuestionDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ field: `/body/${field}`, message });
  const { type, options, correctAnswer } = question;
  const ids = options.map((option) => option.id);
  const isChoice = type === 'multiple_choice' || type === 'multiple_select';
  if (isChoice) {
    if (options.length < 2 || options.length > MAX_OPTIONS) {
      add('options', `a ${type} question needs 2 to ${MAX_OPTIONS} options`);
    }
    if (new Set(ids).size !== ids.length) add('options', 'option ids must be distinct');
  } else if (options.length > 0) {
    add('options', `a ${type} question has no options`);
  }
  switch (type) {
    case 'multiple_choice':
      if (typeof correctAnswer !== 'string' || !ids.includes(correctAnswer)) {
        add('correctAnswer', 'must be the id of one of the options');
      }
      break;
    case 'multiple_select':
      if (
        !Array.isArray(correctAnswer) ||
        correctAnswer.length === 0 ||
        new Set(correctAnswer).size !== correctAnswer.length ||
        !correctAnswer.every((id) => ids.includes(id))
      ) {
        add('correctAnswer', 'must be a non-empty list of distinct option ids');
      }
      break;
    case 'true_false':
      if (typeof correctAnswer !== 'boolean') add('correctAnswer', 'must be true or false');
      break;
    case 'short_answer':
      if (
        !Array.isArray(correctAnswer) ||
        correctAnswer.length === 0 ||
        correctAnswer.length > MAX_ACCEPTED_ANSWERS ||
        !correctAnswer.every((answer) => typeof answer === 'string' && answer.trim().length > 0)
      ) {
        add('correctAnswer', `must list 1 to ${MAX_ACCEPTED_ANSWERS} accepted answers (non-blank texts)`);
      }
      break;
    case 'essay':
      if (correctAnswer !== null)
        add('correctAnswer', 'an essay has no correct answer (it is graded by hand)');
      break;
  }
  return errors;
}

/** Throws 422 `invalid_question` unless the question is well formed for its type. */
export function assertValidQuestion(question: QuestionDefinition): void {
  const errors = problemsOf(question);
  if (errors.length > 0) {
    throw new AppError('invalid_question', 'The question is not valid for its type.', { errors });
  }
}

/**
 * Whether an answer has the shape its question takes (an option id, option ids, a boolean, a text):
 * saves with answers of the wrong shape are refused, so a grader never meets one.
 */
export function answerFits(question: QuestionDefinition, answer: unknown): boolean {
  const ids = question.options.map((option) => option.id);
  switch (question.type) {
    case 'multiple_choice':
      return typeof answer === 'string' && ids.includes(answer);
    case 'multiple_select':
      return (
        Array.isArray(answer) &&
        new Set(answer).size === answer.length &&
        answer.every((id) => typeof id === 'string' && ids.includes(id))
      );
    case 'true_false':
      return typeof answer === 'boolean';
    case 'short_answer':
    case 'essay':
      return typeof answer === 'string';
  }
}
