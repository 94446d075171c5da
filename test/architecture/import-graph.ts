import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import of one source file: both ends as repository paths (`src/shared/errors.ts`). */
export interface ImportEdge {
  from: string;
  to: string;
  /** `import type` / `export type`, or every named binding marked `type`: erased at compile time. */
  typeOnly: boolean;
}

/** The source with comments blanked out (strings kept), so an `import` in a doc comment is not read. */
function withoutComments(source: string): string {
  let result = '';
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    const next = source[index + 1];
    if (char === '/' && next === '/') {
      while (index < source.length && source[index] !== '\n') index++;
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', index + 2);
      index = end === -1 ? source.length : end + 2;
      result += ' ';
    } else if (char === "'" || char === '"' || char === '`') {
      const start = index++;
      while (index < source.length && source[index] !== char) index += source[index] === '\\' ? 2 : 1;
      result += source.slice(start, ++index);
    } else {
      result += char;
      index++;
    }
  }
  return result;
}

const STATIC_FORMS = [
  // import x from '…'; import { a, type b } from '…'; import type { T } from '…'; import * as m from '…'
  /\bimport\s+(type\s+)?([^'"`;]*?)\s*\bfrom\s*['"]([^'"]+)['"]/g,
  // export { a } from '…'; export type { T } from '…'; export * from '…'
  /\bexport\s+(type\s+)?([^'"`;=]*?)\s*\bfrom\s*['"]([^'"]+)['"]/g,
];
const SIDE_EFFECT_FORM = /\bimport\s*['"]([^'"]+)['"]/g;
const DYNAMIC_FORM = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every specifier a TypeScript source imports or re-exports, with whether the import is type-only. */
export function parseImports(source: string): { specifier: string; typeOnly: boolean }[] {
  const code = withoutComments(source);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const form of STATIC_FORMS) {
    for (const match of code.matchAll(form)) {
      const clause = match[2] ?? '';
      const names = /^\{([^}]*)\}$/.exec(clause.trim())?.[1];
      const allNamedAreTypes =
        names !== undefined &&
        names.split(',').filter((name) => name.trim() !== '').length > 0 &&
        names
          .split(',')
          .filter((name) => name.trim() !== '')
          .every((name) => /^\s*type\s/.test(name));
      found.push({ specifier: match[3] ?? '', typeOnly: match[1] !== undefined || allNamedAreTypes });
    }
  }
  for (const match of code.matchAll(SIDE_EFFECT_FORM))
    found.push({ specifier: match[1] ?? '', typeOnly: false });
  for (const match of code.matchAll(DYNAMIC_FORM)) found.push({ specifier: match[1] ?? '', typeOnly: false });
  return found;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The import graph of `src/` between its own files (package imports are left out), read from the
 * sources: relative specifiers end in `.js` (NodeNext) and name the `.ts` file beside them.
 */
export function readImportGraph(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const { specifier, typeOnly } of parseImports(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      edges.push({ from: relative(root, file), to: relative(root, target), typeOnly });
    }
  }
  return edges;
}
