import { type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import type { LessonContent, LessonType } from '../../infrastructure/database/schema/index.js';
import type { FieldError } from '../../shared/errors.js';

/**
 * Type-specific rules for lessons (`lesson_type`). The HTTP schema checks the common fields; the
 * `content` object and which of `videoUrl` / `durationSeconds` are required depend on the type and
 * are checked here, so that every bad field is reported with its JSON pointer.
 */

export const MAX_LESSON_DURATION_SECONDS = 86_400;
export const MAX_TEXT_BODY_LENGTH = 100_000;
export const MAX_DOWNLOAD_FILES = 20;
export const MAX_DOWNLOAD_FILE_BYTES = 10 * 1024 ** 3;

/** An absolute https URL (the only scheme lesson media and links may use). */
export const httpsUrl = (description?: string) =>
  Type.String({ format: 'uri', pattern: '^https://', maxLength: 2048, description });

const strict = { additionalProperties: false } as const;

/** The `content` object of each lesson type (documented in the OpenAPI description of the lesson routes). */
export const LESSON_CONTENT_SCHEMAS = {
  video: Type.Object(
    { transcript: Type.Optional(Type.String({ maxLength: MAX_TEXT_BODY_LENGTH })) },
    { ...strict, description: 'Optional transcript; the video itself is `videoUrl` + `durationSeconds`.' },
  ),
  text: Type.Object(
    {
      body: Type.String({
        minLength: 1,
        maxLength: MAX_TEXT_BODY_LENGTH,
        pattern: '\\S',
        description: 'Markdown.',
      }),
    },
    strict,
  ),
  quiz: Type.Object(
    { quizId: Type.String({ format: 'uuid', description: 'A quiz of this course.' }) },
    strict,
  ),
  assignment: Type.Object(
    { assignmentId: Type.String({ format: 'uuid', description: 'An assignment of this course.' }) },
    strict,
  ),
  live_session: Type.Object(
    {
      startsAt: Type.String({ format: 'date-time', description: 'In the future when set or changed.' }),
      joinUrl: httpsUrl('Where participants join.'),
    },
    strict,
  ),
  download: Type.Object(
    {
      files: Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 255, pattern: '\\S' }),
            url: httpsUrl(),
            sizeBytes: Type.Integer({ minimum: 1, maximum: MAX_DOWNLOAD_FILE_BYTES }),
          },
          strict,
        ),
        { minItems: 1, maxItems: MAX_DOWNLOAD_FILES },
      ),
    },
    strict,
  ),
} satisfies Record<LessonType, TSchema>;

const contentValidators = Object.fromEntries(
  Object.entries(LESSON_CONTENT_SCHEMAS).map(([type, schema]) => [type, Compile(schema)]),
) as Record<LessonType, ReturnType<typeof Compile>>;

/** Types whose lessons have a running time that must be given (1..86400 s); for the others it is optional. */
const DURATION_REQUIRED: ReadonlySet<LessonType> = new Set(['video', 'live_session']);

export interface LessonFields {
  type: LessonType;
  videoUrl: string | null;
  durationSeconds: number | undefined;
  content: LessonContent;
}

export interface CheckedLessonFields {
  errors: FieldError[];
  /** The values to store (content normalised: `startsAt` in UTC ISO form). */
  values: { videoUrl: string | null; durationSeconds: number; content: LessonContent };
  /** A quiz or assignment the content links to; the caller checks it belongs to the course. */
  link?: { kind: 'quiz' | 'assignment'; id: string; field: string };
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** TypeBox errors as field errors under `prefix` (one per missing / extra property, no duplicates). */
function toFieldErrors(prefix: string, issues: TLocalizedValidationError[]): FieldError[] {
  const result = new Map<string, FieldError>();
  const add = (field: string, message: string) => {
    if (!result.has(field)) result.set(field, { field, message });
  };
  for (const issue of issues) {
    const at = `${prefix}${issue.instancePath}`;
    const params = issue.params as Record<string, unknown>;
    if (issue.keyword === 'required' && Array.isArray(params.requiredProperties)) {
      for (const name of params.requiredProperties)
        add(`${at}/${escapePointer(String(name))}`, 'is required');
    } else if (issue.keyword === 'additionalProperties' && Array.isArray(params.additionalProperties)) {
      for (const name of params.additionalProperties)
        add(`${at}/${escapePointer(String(name))}`, 'is not allowed');
    } else if (issue.keyword === 'boolean') {
      // `additionalProperties: false` reports each extra property this way too.
      add(at, 'is not allowed');
    } else {
      add(at, issue.message);
    }
  }
  return [...result.values()];
}

/**
 * Checks a lesson's type-specific fields. `previousStartsAt` is the stored start of a live session
 * being edited: an unchanged start may lie in the past (the session happened), a new one may not.
 */
export function checkLessonFields(
  fields: LessonFields,
  options: { now: Date; previousStartsAt?: unknown },
): CheckedLessonFields {
  const { type } = fields;
  const errors: FieldError[] = [];

  if (type === 'video' && fields.videoUrl === null) {
    errors.push({ field: '/body/videoUrl', message: 'is required for video lessons' });
  }
  if (type !== 'video' && fields.videoUrl !== null) {
    errors.push({ field: '/body/videoUrl', message: 'is only allowed for video lessons' });
  }
  const duration = fields.durationSeconds ?? 0;
  if (DURATION_REQUIRED.has(type) && duration < 1) {
    errors.push({
      field: '/body/durationSeconds',
      message: `is required for ${type} lessons (1 to ${MAX_LESSON_DURATION_SECONDS} seconds)`,
    });
  }

  const content: LessonContent = { ...fields.content };
  const validator = contentValidators[type];
  const contentErrors = validator.Check(content)
    ? []
    : toFieldErrors('/body/content', validator.Errors(content));
  errors.push(...contentErrors);

  let link: CheckedLessonFields['link'];
  if (contentErrors.length === 0) {
    if (type === 'live_session') {
      const startsAt = new Date(String(content.startsAt));
      const normalised = startsAt.toISOString();
      const unchanged =
        typeof options.previousStartsAt === 'string' && options.previousStartsAt === normalised;
      if (!unchanged && startsAt.getTime() <= options.now.getTime()) {
        errors.push({ field: '/body/content/startsAt', message: 'must be in the future' });
      }
      content.startsAt = normalised;
    } else if (type === 'quiz') {
      const quizId = String(content.quizId).toLowerCase();
      content.quizId = quizId;
      link = { kind: 'quiz', id: quizId, field: '/body/content/quizId' };
    } else if (type === 'assignment') {
      const assignmentId = String(content.assignmentId).toLowerCase();
      content.assignmentId = assignmentId;
      link = { kind: 'assignment', id: assignmentId, field: '/body/content/assignmentId' };
    }
  }

  return {
    errors,
    values: { videoUrl: fields.videoUrl, durationSeconds: duration, content },
    ...(link ? { link } : {}),
  };
}
