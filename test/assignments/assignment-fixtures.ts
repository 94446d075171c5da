import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/infrastructure/database/client/client.js';
import {
  type Assignment,
  assignmentSubmissions,
  assignments,
  type NewAssignment,
} from '../../src/infrastructure/database/schema/index.js';
import { insertCourse, insertEnrollment } from '../helpers/factories/index.js';
import type { TestApp } from '../helpers/test-app.js';

/** A published course of `instructorId` with `student` actively enrolled, and one assignment in it. */
export async function insertAssignmentWorld(
  db: Database,
  people: { instructorId: string; studentIds: string[] },
  overrides: Partial<NewAssignment> = {},
): Promise<{ courseId: string; assignment: Assignment }> {
  const course = await insertCourse(db, people.instructorId, { title: 'Assignments course' });
  for (const studentId of people.studentIds) await insertEnrollment(db, studentId, course.id);
  const [assignment] = await db
    .insert(assignments)
    .values({ courseId: course.id, title: 'Essay', maxPoints: 50, isPublished: true, ...overrides })
    .returning();
  if (!assignment) throw new Error('insertAssignmentWorld: no row');
  return { courseId: course.id, assignment };
}

export async function submissionRows(db: Database, assignmentId: string) {
  return db.select().from(assignmentSubmissions).where(eq(assignmentSubmissions.assignmentId, assignmentId));
}

/** Every file (temporary ones too) the local storage holds for the assignment's submissions. */
export async function storedFilesOf(testApp: TestApp, assignmentId: string): Promise<string[]> {
  const storage = testApp.config.storage;
  if (storage.kind !== 'local') throw new Error('these tests read the local storage folder');
  const root = path.join(storage.directory, 'assignment-submissions', assignmentId);
  try {
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export interface MultipartFile {
  filename: string;
  content: Buffer;
  contentType?: string;
}

/** A multipart/form-data body: text fields, then file parts named `files`. */
export function multipart(fields: Record<string, string>, files: MultipartFile[] = []) {
  const boundary = `----assignments${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.filename}"\r\nContent-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** The smallest PDF the sniffer recognises (its signature and a little body). */
export const PDF_BYTES = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);
/** A PNG signature and header chunk. */
export const PNG_BYTES = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);
/** A Windows executable's start ("MZ" and a PE header offset). */
export const EXE_BYTES = Buffer.concat([
  Buffer.from('4d5a90000300000004000000ffff0000', 'hex'),
  Buffer.alloc(200, 0),
]);
