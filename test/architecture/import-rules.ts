import type { ImportEdge } from './import-graph.js';

export interface Violation {
  edge: ImportEdge;
  rule: string;
}

/**
 * The one kind of import the kernel may make outside itself: types of the database schema (e.g.
 * `Role` for Actor, the table types for Transaction). Erased at compile time, so the kernel never
 * loads the database layer.
 */
const SCHEMA_TYPES = 'src/infrastructure/database/schema/';

/** Files of a module that speak HTTP and so may import src/http. */
const HTTP_FACING_MODULE_FILE = /\.(routes|module|schemas)\.ts$/;

const moduleOf = (path: string): string | undefined => /^src\/modules\/([^/]+)\//.exec(path)?.[1];
const isUnder = (path: string, folder: string) => path.startsWith(folder);

function ruleBroken(edge: ImportEdge): string | undefined {
  const { from, to } = edge;
  if (isUnder(from, 'src/shared/')) {
    const outward = ['src/http/', 'src/modules/', 'src/infrastructure/'].some((layer) => isUnder(to, layer));
    if (outward && !(edge.typeOnly && isUnder(to, SCHEMA_TYPES))) {
      return 'src/shared imports nothing from http, modules or infrastructure (only types of the database schema)';
    }
  }
  if (isUnder(to, 'src/cli/') && !isUnder(from, 'src/cli/')) {
    return 'src/cli holds the db:* commands: nothing else imports it (what a command shares with the server lives below both, e.g. src/seed)';
  }
  if (isUnder(from, 'src/infrastructure/') && (isUnder(to, 'src/modules/') || isUnder(to, 'src/http/'))) {
    return 'src/infrastructure never imports src/modules or src/http';
  }
  const fromModule = moduleOf(from);
  if (fromModule !== undefined && isUnder(to, 'src/http/') && !HTTP_FACING_MODULE_FILE.test(from)) {
    return 'only routes, *.module.ts and *.schemas.ts files of a module import src/http (services and queries use src/shared)';
  }
  const toModule = moduleOf(to);
  if (toModule !== undefined && toModule !== fromModule && to !== `src/modules/${toModule}/index.ts`) {
    return `another module's internals: import src/modules/${toModule}/index.ts, its public surface`;
  }
  return undefined;
}

/** Every edge that breaks a layering rule, with the rule it breaks. */
export function findViolations(edges: readonly ImportEdge[]): Violation[] {
  return edges.flatMap((edge) => {
    const rule = ruleBroken(edge);
    return rule === undefined ? [] : [{ edge, rule }];
  });
}

export const formatViolation = ({ edge, rule }: Violation) => `${edge.from} → ${edge.to}: ${rule}`;
