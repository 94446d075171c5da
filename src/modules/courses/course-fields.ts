/**
 * Course field rules shared by creating, editing and publishing: how submitted fields are normalised
 * into column values, and what a course needs before it can be published. Pure: no database.
 */
import type { Static } from 'typebox';
import type { NewCourse } from '../../infrastructure/database/schema/index.js';
import type { FieldError } from '../../shared/errors.js';
import { looksLikeCourseId } from '../../shared/slug.js';
import type { CreateCourseBody, UpdateCourseBody } from './courses.schemas.js';

export type CreateCourseInput = Static<typeof CreateCourseBody>;
export type UpdateCourseInput = Static<typeof UpdateCourseBody>;

function normaliseTags(tags: string[]): string[] {
  const normalised = tags.map((tag) => tag.trim().replace(/\s+/g, ' ').toLowerCase());
  return [...new Set(normalised)];
}

/** Optional free text: surrounding space trimmed, blank → null. */
function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Markdown keeps its leading indentation (it is meaningful); only an all-blank description becomes null. */
function optionalMarkdown(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  return value.trim() === '' ? null : value.replace(/\s+$/, '');
}

/** The column values for the given fields, or the fields that are wrong after normalisation. */
export function courseValues(input: Partial<CreateCourseInput> & { slug?: string }): {
  values: Partial<NewCourse>;
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const values: Partial<NewCourse> = {};
  if (input.title !== undefined) {
    values.title = input.title.trim().replace(/\s+/g, ' ');
    if (values.title.length < 3) {
      errors.push({ field: '/body/title', message: 'must have at least 3 characters besides spaces' });
    }
  }
  if (input.subtitle !== undefined) values.subtitle = optionalText(input.subtitle);
  if (input.description !== undefined) values.description = optionalMarkdown(input.description);
  if (input.difficulty !== undefined) values.difficulty = input.difficulty;
  if (input.priceCents !== undefined) values.priceCents = input.priceCents;
  if (input.currency !== undefined) values.currency = input.currency;
  if (input.category !== undefined) values.category = optionalText(input.category);
  if (input.tags !== undefined) values.tags = normaliseTags(input.tags);
  if (input.language !== undefined) values.language = input.language;
  if (input.thumbnailUrl !== undefined) values.thumbnailUrl = input.thumbnailUrl;
  if (input.sequentialModules !== undefined) values.sequentialModules = input.sequentialModules;
  if (input.accessDurationDays !== undefined) values.accessDurationDays = input.accessDurationDays;
  if (input.slug !== undefined) {
    values.slug = input.slug;
    if (looksLikeCourseId(input.slug)) {
      errors.push({ field: '/body/slug', message: 'must not have the shape of a course id (a UUID)' });
    }
  }
  return { values, errors };
}

/** Why a course cannot be published yet (empty: it can). */
export function publishBlockersOf(
  description: string | null,
  moduleCount: number,
  lessonCount: number,
): string[] {
  const blockers: string[] = [];
  if (description === null || description.trim() === '') blockers.push('The course needs a description.');
  if (moduleCount === 0) blockers.push('The course needs at least one module with at least one lesson.');
  else if (lessonCount === 0) blockers.push('At least one module needs at least one lesson.');
  return blockers;
}
