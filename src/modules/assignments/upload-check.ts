/**
 * What an uploaded file must be to be kept, checked while it streams (never trusting the name or the
 * client's Content-Type alone):
 * - its extension (lower-cased, after the last dot) is one of the assignment's `allowed_file_types`
 *   (an empty list allows any);
 * - its bytes agree with the extension: for formats with a signature (pdf, png, zip, docx, …, every
 *   extension `file-type` knows) the sniffed format must be that one; plain text, Markdown and CSV
 *   (txt, md, csv) have no signature, so they are accepted only when the sniffer finds no binary
 *   format and the whole file is valid UTF-8 without a NUL byte; an extension nobody can check is
 *   accepted only when allowed explicitly or when any type is allowed, and never when its bytes are a
 *   known binary format (an executable renamed `.py`), unless any type is allowed;
 * - it is at most `max_file_size_bytes`, counted as it streams (the upload stops at the first byte over).
 * A refusal is an AppError (422 `file_type_not_allowed`, 413 `file_too_large`); the caller deletes
 * whatever it had stored.
 */
import { Readable } from 'node:stream';
import { fileTypeFromBuffer, supportedExtensions } from 'file-type';
import { AppError } from '../../shared/errors.js';

export interface UploadRules {
  allowedFileTypes: readonly string[];
  maxFileSizeBytes: number;
}

/** Extensions without a signature, checked as UTF-8 text instead, with the type they are served as. */
const TEXT_TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** Two names of one format: the sniffer answers with the first. */
const ALIASES: Record<string, string> = { jpeg: 'jpg', tiff: 'tif', htm: 'html' };

/** Bytes read before deciding the format (enough for the signatures of zip-based office files). */
const HEAD_BYTES = 64 * 1024;

export const extensionOf = (filename: string): string => {
  const dot = filename.lastIndexOf('.');
  return dot <= 0 ? '' : filename.slice(dot + 1).toLowerCase();
};

const canonical = (extension: string): string => ALIASES[extension] ?? extension;

function notAllowed(filename: string, why: string): AppError {
  return new AppError('file_type_not_allowed', `${filename}: ${why}`, { file: filename });
}

export interface CheckedUpload {
  contentType: string;
  /** The file's bytes, failing with the refusal if the rest of the stream breaks a rule. */
  body: Readable;
  /** Bytes passed so far (all of them once `body` ended). */
  size(): number;
  /** The rule the rest of the stream broke, if it did (a storage adapter may wrap the stream's error). */
  failure(): AppError | undefined;
}

/**
 * Reads the head of `source`, decides whether the file may be kept and as what, and returns the whole
 * file as a stream that keeps checking (size, UTF-8) as it is read. Refusing at the head throws at once
 * (after draining `source`, so the rest of the request can still be read).
 */
export async function checkUpload(
  source: Readable,
  filename: string,
  rules: UploadRules,
): Promise<CheckedUpload> {
  const extension = extensionOf(filename);
  const allowed = rules.allowedFileTypes;
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // The rest of a refused file is read and dropped, so that the parts after it (and the answer) still flow.
  const drain = (): void => {
    void (async () => {
      for (let next = await iterator.next(); !next.done; next = await iterator.next());
    })().catch(() => undefined);
  };
  const refuse = (error: AppError): never => {
    drain();
    throw error;
  };
  if (allowed.length > 0 && !allowed.some((type) => canonical(type) === canonical(extension))) {
    refuse(notAllowed(filename, `only ${allowed.map((type) => `.${type}`).join(', ')} files are accepted.`));
  }

  const headChunks: Buffer[] = [];
  let headSize = 0;
  let ended = false;
  while (headSize < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    headChunks.push(next.value);
    headSize += next.value.length;
    if (headSize > rules.maxFileSizeBytes) refuse(tooLarge(filename, rules.maxFileSizeBytes));
  }
  const head = Buffer.concat(headChunks);
  const sniffed = await fileTypeFromBuffer(head);
  const textType = TEXT_TYPES[extension];
  let contentType: string;
  if (textType !== undefined) {
    if (sniffed) refuse(notAllowed(filename, `its content is ${sniffed.mime}, not text.`));
    contentType = textType;
  } else if (supportedExtensions.has(extension as never) || ALIASES[extension] !== undefined) {
    if (!sniffed || canonical(sniffed.ext) !== canonical(extension)) {
      refuse(notAllowed(filename, `its content is not a .${extension} file.`));
    }
    contentType = sniffed?.mime ?? 'application/octet-stream';
  } else {
    // An extension without a known signature: a recognisable binary format under it is a disguise,
    // unless the assignment takes anything.
    if (sniffed && allowed.length > 0) refuse(notAllowed(filename, `its content is ${sniffed.mime}.`));
    contentType = sniffed?.mime ?? 'application/octet-stream';
  }

  let passed = 0;
  let failure: AppError | undefined;
  const decoder = textType === undefined ? undefined : new TextDecoder('utf-8', { fatal: true });
  const check = (chunk: Buffer): void => {
    passed += chunk.length;
    if (passed > rules.maxFileSizeBytes) failure = tooLarge(filename, rules.maxFileSizeBytes);
    else if (decoder) {
      try {
        if (chunk.includes(0)) throw new Error('NUL byte');
        decoder.decode(chunk, { stream: true });
      } catch {
        failure = notAllowed(filename, 'it is not UTF-8 text.');
      }
    }
    if (failure) {
      drain();
      throw failure;
    }
  };
  async function* bytes(): AsyncGenerator<Buffer> {
    for (const chunk of headChunks) {
      check(chunk);
      yield chunk;
    }
    if (!ended) {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        check(next.value);
        yield next.value;
      }
    }
    try {
      decoder?.decode();
    } catch {
      failure = notAllowed(filename, 'it is not UTF-8 text.');
      throw failure;
    }
  }
  return { contentType, body: Readable.from(bytes()), size: () => passed, failure: () => failure };
}

function tooLarge(filename: string, limit: number): AppError {
  return new AppError('file_too_large', `${filename} is larger than ${limit} bytes.`, {
    file: filename,
    maxFileSizeBytes: limit,
  });
}
