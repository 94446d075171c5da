import { type Static, type TSchema, Type } from 'typebox';
import {
  courseStatusEnum,
  enrollmentStatusEnum,
  lessonTypeEnum,
  progressStatusEnum,
} from '../../infrastructure/database/schema/index.js';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const uuid = (description?: string) => Type.String({ format: 'uuid', description });
const dateTime = (description?: string) => Type.String({ format: 'date-time', description });

/**
 * The most time one progress call adds (15 minutes). Clients report the seconds spent since their
 * previous call; the server also caps each report by the time that has really passed since the
 * enrollment's previous activity, so calling more often adds nothing. Report at least every 15 minutes.
 */
export const MAX_TIME_SPENT_PER_CALL_SECONDS = 900;
/** A report above this is refused outright (400): no client measures a day between two calls. */
const MAX_REPORTED_SECONDS = 86_400;
/** Resume positions up to 7 days into a recording. */
const MAX_POSITION_SECONDS = 604_800;

export const LearnerCourseParams = Type.Object(
  { id: uuid('The course id.') },
  { additionalProperties: false },
);

export const LessonProgressParams = Type.Object(
  { lessonId: uuid('The lesson id.') },
  { additionalProperties: false },
);

export const UpdateProgressBody = Type.Object(
  {
    status: Type.Optional(
      Type.Enum(['in_progress', 'completed'], {
        description:
          '`completed` marks the lesson done (for good: a completed lesson never goes back). `in_progress` (or no status) on a completed lesson leaves it completed.',
      }),
    ),
    positionSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_POSITION_SECONDS,
        description: 'Resume point in the video or audio, in seconds.',
      }),
    ),
    timeSpentSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_REPORTED_SECONDS,
        description: `Seconds spent on the lesson since this client's previous progress call (a delta, not a total). At most ${MAX_TIME_SPENT_PER_CALL_SECONDS} s count per call, and never more than the time since the previous call.`,
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      { status: 'in_progress', positionSeconds: 312, timeSpentSeconds: 60 },
      { status: 'completed' },
    ],
  },
);
export type UpdateProgressInput = Static<typeof UpdateProgressBody>;

const EnrollmentProgressProperties = {
  id: uuid('The enrollment id.'),
  status: Type.Enum(enrollmentStatusEnum.enumValues),
  progressPercent: Type.Integer({
    minimum: 0,
    maximum: 100,
    description:
      'floor(100 × completed required lessons / required lessons); 100 once completed, 0 when the course has no required lesson.',
  }),
  completedLessonCount: Type.Integer({ description: 'Required lessons completed.' }),
  requiredLessonCount: Type.Integer({ description: 'Required lessons of the course now.' }),
  timeSpentSeconds: Type.Integer({ description: 'Time reported on all lessons of the course.' }),
  lastAccessedAt: nullable(dateTime()),
  completedAt: nullable(dateTime()),
};

export const EnrollmentProgressSchema = Type.Object(EnrollmentProgressProperties, {
  additionalProperties: false,
  title: 'EnrollmentProgress',
});

export const LessonProgressSchema = Type.Object(
  {
    lessonId: uuid(),
    courseId: uuid(),
    status: Type.Enum(progressStatusEnum.enumValues),
    positionSeconds: Type.Integer(),
    timeSpentSeconds: Type.Integer({ description: 'Time recorded on this lesson in total.' }),
    recordedSeconds: Type.Integer({
      description: 'Of `timeSpentSeconds` sent with this call, how much was counted (after the caps).',
    }),
    startedAt: nullable(dateTime()),
    completedAt: nullable(dateTime()),
    enrollment: EnrollmentProgressSchema,
  },
  {
    additionalProperties: false,
    title: 'LessonProgress',
    examples: [
      {
        lessonId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
        courseId: '0b7f5a52-4d8e-4c8a-9a39-1f0e6d1c2b3a',
        status: 'completed',
        positionSeconds: 600,
        timeSpentSeconds: 640,
        recordedSeconds: 60,
        startedAt: '2025-03-01T09:30:00.000Z',
        completedAt: '2025-03-01T09:41:00.000Z',
        enrollment: {
          id: '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f',
          status: 'active',
          progressPercent: 25,
          completedLessonCount: 3,
          requiredLessonCount: 12,
          timeSpentSeconds: 2400,
          lastAccessedAt: '2025-03-01T09:41:00.000Z',
          completedAt: null,
        },
      },
    ],
  },
);
export type LessonProgressView = Static<typeof LessonProgressSchema>;

const LearnerLessonSchema = Type.Object(
  {
    id: uuid(),
    title: Type.String(),
    type: Type.Enum(lessonTypeEnum.enumValues),
    position: Type.Integer({ description: '0-based within the module.' }),
    durationSeconds: Type.Integer(),
    isPreview: Type.Boolean(),
    isRequired: Type.Boolean({ description: 'Counts towards completion; optional lessons do not.' }),
    locked: Type.Boolean({ description: 'Its module is locked (see the module’s `lock`).' }),
    status: Type.Enum(progressStatusEnum.enumValues),
    positionSeconds: Type.Integer({ description: 'Resume point.' }),
    timeSpentSeconds: Type.Integer(),
    completedAt: nullable(dateTime()),
  },
  { additionalProperties: false, title: 'LearnerLesson' },
);

const ModuleLockSchema = Type.Object(
  {
    blockingModuleId: uuid('The earliest module with required lessons still to complete.'),
    blockingModuleTitle: Type.String(),
    remainingRequiredLessons: Type.Integer({
      description: 'Required lessons of the earlier modules not completed yet.',
    }),
  },
  {
    additionalProperties: false,
    title: 'ModuleLock',
    description: 'Why the module is locked: the required lessons of the modules before it come first.',
  },
);

const LearnerModuleSchema = Type.Object(
  {
    id: uuid(),
    title: Type.String(),
    position: Type.Integer({ description: '0-based within the course.' }),
    locked: Type.Boolean(),
    lock: nullable(ModuleLockSchema),
    lessons: Type.Array(LearnerLessonSchema),
  },
  { additionalProperties: false, title: 'LearnerModule' },
);

const NextLessonSchema = Type.Object(
  { id: uuid(), moduleId: uuid(), title: Type.String(), type: Type.Enum(lessonTypeEnum.enumValues) },
  {
    additionalProperties: false,
    title: 'NextLesson',
    description:
      'The first required lesson not completed yet (in course order), else the first optional one; null when every lesson is completed.',
  },
);

export const LearnerCourseSchema = Type.Object(
  {
    course: Type.Object(
      {
        id: uuid(),
        slug: Type.String(),
        title: Type.String(),
        status: Type.Enum(courseStatusEnum.enumValues),
        sequentialModules: Type.Boolean({
          description:
            'Each module unlocks once every required lesson of the modules before it is completed.',
        }),
      },
      { additionalProperties: false },
    ),
    enrollment: Type.Object(
      {
        ...EnrollmentProgressProperties,
        enrolledAt: dateTime(),
        expiresAt: nullable(dateTime('End of access, when the course limits it.')),
      },
      { additionalProperties: false },
    ),
    nextLesson: nullable(NextLessonSchema),
    modules: Type.Array(LearnerModuleSchema),
  },
  {
    additionalProperties: false,
    title: 'LearnerCourse',
    examples: [
      {
        course: {
          id: '0b7f5a52-4d8e-4c8a-9a39-1f0e6d1c2b3a',
          slug: 'typescript-from-scratch',
          title: 'TypeScript from scratch',
          status: 'published',
          sequentialModules: true,
        },
        enrollment: {
          id: '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f',
          status: 'active',
          progressPercent: 50,
          completedLessonCount: 1,
          requiredLessonCount: 2,
          timeSpentSeconds: 640,
          lastAccessedAt: '2025-03-01T09:41:00.000Z',
          completedAt: null,
          enrolledAt: '2025-02-27T18:04:11.000Z',
          expiresAt: null,
        },
        nextLesson: {
          id: '3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f',
          moduleId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
          title: 'Your first type',
          type: 'text',
        },
        modules: [
          {
            id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
            title: 'Getting started',
            position: 0,
            locked: false,
            lock: null,
            lessons: [
              {
                id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
                title: 'Why types?',
                type: 'video',
                position: 0,
                durationSeconds: 420,
                isPreview: true,
                isRequired: true,
                locked: false,
                status: 'completed',
                positionSeconds: 420,
                timeSpentSeconds: 640,
                completedAt: '2025-03-01T09:41:00.000Z',
              },
              {
                id: '3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f',
                title: 'Your first type',
                type: 'text',
                position: 1,
                durationSeconds: 600,
                isPreview: false,
                isRequired: true,
                locked: false,
                status: 'not_started',
                positionSeconds: 0,
                timeSpentSeconds: 0,
                completedAt: null,
              },
            ],
          },
          {
            id: '8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e',
            title: 'Generics',
            position: 1,
            locked: true,
            lock: {
              blockingModuleId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
              blockingModuleTitle: 'Getting started',
              remainingRequiredLessons: 1,
            },
            lessons: [],
          },
        ],
      },
    ],
  },
);
export type LearnerCourse = Static<typeof LearnerCourseSchema>;
