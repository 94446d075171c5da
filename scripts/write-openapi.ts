import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument } from './openapi-document.js';

/**
 * Writes the served OpenAPI document to a file (default `.openapi/openapi.json`, git-ignored) for the
 * lint (`npm run lint:api`) and for client generators: `tsx scripts/write-openapi.ts [file]`.
 */
const target = path.resolve(process.argv[2] ?? '.openapi/openapi.json');
mkdirSync(path.dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`);
console.info(`OpenAPI document written to ${path.relative(process.cwd(), target)}`);
