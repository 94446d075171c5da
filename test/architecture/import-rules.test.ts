import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ImportEdge, parseImports, readImportGraph } from './import-graph.js';
import { findViolations, formatViolation } from './import-rules.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const graph = readImportGraph(root);
const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly });

describe('the import graph of src/', () => {
  it('is read completely (a parser that finds nothing would pass every rule)', () => {
    expect(graph.length).toBeGreaterThan(300);
    expect(new Set(graph.map((e) => e.from)).size).toBeGreaterThan(80);
    expect(graph).toContainEqual(edge('src/app.ts', 'src/modules/auth/index.ts'));
    expect(graph).toContainEqual(
      edge('src/shared/actor.ts', 'src/infrastructure/database/schema/index.ts', true),
    );
    expect(graph).toContainEqual(edge('src/modules/auth/index.ts', 'src/modules/auth/auth.module.ts'));
    expect(graph).toContainEqual(edge('src/server.ts', 'src/seed/seed-on-start.ts'));
  });

  it('keeps the layering and the index.ts public surface rules', () => {
    const violations = findViolations(graph).map(formatViolation);
    if (violations.length > 0) console.error(`Import rule violations:\n${violations.join('\n')}`);
    expect(violations).toEqual([]);
  });
});

describe('the import parser', () => {
  it('reads static, type-only, re-export, side-effect and dynamic imports, not those in comments', () => {
    const source = [
      "import { a, type B } from './a.js';",
      "import type { C } from './c.js';",
      'import {',
      '  type D,',
      '  type E,',
      "} from './d.js';",
      "import * as all from './all.js';",
      "export { f } from './f.js';",
      "export type { G } from './g.js';",
      "export * from './star.js';",
      "import './side-effect.js';",
      "const lazy = await import('./lazy.js');",
      "// import { hidden } from './commented.js';",
      "/** import('./doc.js') */",
      "const url = 'https://example.com/x'; import { after } from './after-string.js';",
    ].join('\n');
    expect(parseImports(source).sort((x, y) => x.specifier.localeCompare(y.specifier))).toEqual([
      { specifier: './a.js', typeOnly: false },
      { specifier: './after-string.js', typeOnly: false },
      { specifier: './all.js', typeOnly: false },
      { specifier: './c.js', typeOnly: true },
      { specifier: './d.js', typeOnly: true },
      { specifier: './f.js', typeOnly: false },
      { specifier: './g.js', typeOnly: true },
      { specifier: './lazy.js', typeOnly: false },
      { specifier: './side-effect.js', typeOnly: false },
      { specifier: './star.js', typeOnly: false },
    ]);
  });
});

describe('the rules', () => {
  it('report each violating edge as "from → to: rule"', () => {
    const violations = findViolations([
      edge('src/modules/users/users.service.ts', 'src/http/pagination.ts'),
      edge('src/modules/auth/auth.service.ts', 'src/modules/users/user-view.ts'),
      edge('src/app.ts', 'src/modules/users/users.routes.ts'),
      edge('src/infrastructure/database/client.ts', 'src/modules/users/index.ts'),
      edge('src/infrastructure/cache/cache.ts', 'src/http/errors.ts'),
      edge('src/shared/keyset.ts', 'src/http/pagination.ts'),
      edge('src/shared/actor.ts', 'src/infrastructure/database/schema/index.ts'),
      edge('src/shared/transaction.ts', 'src/infrastructure/database/client.ts', true),
      edge('src/server.ts', 'src/cli/seed/seed-demo-data.ts'),
    ]).map(formatViolation);
    expect(violations).toEqual([
      'src/modules/users/users.service.ts → src/http/pagination.ts: only routes, *.module.ts and *.schemas.ts files of a module import src/http (services and queries use src/shared)',
      "src/modules/auth/auth.service.ts → src/modules/users/user-view.ts: another module's internals: import src/modules/users/index.ts, its public surface",
      "src/app.ts → src/modules/users/users.routes.ts: another module's internals: import src/modules/users/index.ts, its public surface",
      'src/infrastructure/database/client.ts → src/modules/users/index.ts: src/infrastructure never imports src/modules or src/http',
      'src/infrastructure/cache/cache.ts → src/http/errors.ts: src/infrastructure never imports src/modules or src/http',
      'src/shared/keyset.ts → src/http/pagination.ts: src/shared imports nothing from http, modules or infrastructure (only types of the database schema)',
      'src/shared/actor.ts → src/infrastructure/database/schema/index.ts: src/shared imports nothing from http, modules or infrastructure (only types of the database schema)',
      'src/shared/transaction.ts → src/infrastructure/database/client.ts: src/shared imports nothing from http, modules or infrastructure (only types of the database schema)',
      'src/server.ts → src/cli/seed/seed-demo-data.ts: src/cli holds the db:* commands: nothing else imports it (what a command shares with the server lives below both, e.g. src/seed)',
    ]);
  });

  it('allow what the layering permits', () => {
    expect(
      findViolations([
        edge('src/modules/users/users.routes.ts', 'src/http/pagination.ts'),
        edge('src/modules/users/users.schemas.ts', 'src/http/pagination.ts'),
        edge('src/modules/users/users.service.ts', 'src/shared/keyset.ts'),
        edge('src/modules/users/users.service.ts', 'src/modules/auth/index.ts'),
        edge('src/modules/users/users.service.ts', 'src/modules/users/user-view.ts'),
        edge('src/app.ts', 'src/modules/users/index.ts'),
        edge('src/shared/actor.ts', 'src/infrastructure/database/schema/index.ts', true),
        edge('src/infrastructure/security/access-tokens.ts', 'src/shared/uuid.ts'),
        edge('src/cli/db-seed.ts', 'src/cli/run-command.ts'),
        edge('src/cli/db-seed.ts', 'src/seed/seed-demo-data.ts'),
        edge('src/server.ts', 'src/seed/seed-on-start.ts'),
      ]),
    ).toEqual([]);
  });
});
