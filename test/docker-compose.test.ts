// Checks docker-compose.yml, the Dockerfile and .env.example against the Database Migration Guide
// (spec/database-migration-guide.md). Docker itself is not needed: the files are read and parsed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const readText = (relative: string): string => readFileSync(new URL(relative, import.meta.url), 'utf8');

/** The connection string the guide tells users to put in `.env` and to pass to psql and pg_dump. */
const GUIDE_DATABASE_URL = 'postgresql://postgres:password@localhost:5432/learning_platform';
/** The guide's pgAdmin section. */
const GUIDE_PGADMIN = {
  url: 'http://localhost:5050',
  email: 'admin@learningplatform.com',
  password: 'admin',
};

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asMapping(value: unknown, what: string): Mapping {
  if (!isMapping(value)) throw new Error(`${what} must be a mapping, got ${JSON.stringify(value)}`);
  return value;
}

const compose = asMapping(parse(readText('../docker-compose.yml')), 'docker-compose.yml');
const services = asMapping(compose.services, 'services');

function service(name: string): Mapping {
  return asMapping(services[name], `services.${name}`);
}

/** `environment:` in either compose form (mapping, or a list of KEY=VALUE), values as strings. */
function environment(name: string): Record<string, string> {
  const raw = service(name).environment;
  const result: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const text = String(entry);
      const eq = text.indexOf('=');
      if (eq > 0) result[text.slice(0, eq)] = text.slice(eq + 1);
    }
  } else if (isMapping(raw)) {
    for (const [key, value] of Object.entries(raw)) {
      if (value !== null && value !== undefined) result[key] = String(value);
    }
  }
  return result;
}

interface PortMapping {
  host: number | undefined;
  container: number;
}

/** `ports:` in short ("HOST:CONTAINER", "IP:HOST:CONTAINER", "CONTAINER") or long syntax. */
function ports(name: string): PortMapping[] {
  const raw = service(name).ports;
  if (!Array.isArray(raw)) return [];
  return raw.map((entry): PortMapping => {
    if (isMapping(entry)) {
      return {
        host: entry.published === undefined ? undefined : Number(entry.published),
        container: Number(entry.target),
      };
    }
    const parts = String(entry)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const container = Number(parts.at(-1));
    const host = parts.length >= 2 ? Number(parts.at(-2)) : undefined;
    return { host, container };
  });
}

function publishes(name: string, host: number, container: number): boolean {
  return ports(name).some((p) => p.host === host && p.container === container);
}

/** Host port that reaches `container` in service `name`. */
function publishedPort(name: string, container: number): number | undefined {
  return ports(name).find((p) => p.container === container)?.host;
}

/** `depends_on:` in short (list) or long (mapping with conditions) syntax. */
function dependsOn(name: string): Record<string, string | undefined> {
  const raw = service(name).depends_on;
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((dep) => [String(dep), undefined]));
  if (isMapping(raw)) {
    return Object.fromEntries(
      Object.entries(raw).map(([dep, options]) => [
        dep,
        isMapping(options) && typeof options.condition === 'string' ? options.condition : undefined,
      ]),
    );
  }
  return {};
}

/** The healthcheck command as one string, whichever form (`CMD`, `CMD-SHELL`, plain string) is used. */
function healthcheckCommand(name: string): string {
  const healthcheck = service(name).healthcheck;
  if (!isMapping(healthcheck)) return '';
  const test = healthcheck.test;
  if (Array.isArray(test)) return test.map(String).join(' ');
  return typeof test === 'string' ? test : '';
}

/** Named volumes mounted by a service (short `name:/path` or long `type: volume` syntax). */
function namedVolumes(name: string): string[] {
  const raw = service(name).volumes;
  if (!Array.isArray(raw)) return [];
  const names: string[] = [];
  for (const entry of raw) {
    if (isMapping(entry)) {
      if (entry.type === 'volume' && typeof entry.source === 'string') names.push(entry.source);
      continue;
    }
    const source = String(entry).split(':')[0] ?? '';
    // Bind mounts start with a path; named volumes are bare names.
    if (source !== '' && !/^[./~]/.test(source)) names.push(source);
  }
  return names;
}

function imageMajor(image: string): number {
  const tag = image.split(':')[1] ?? '';
  return Number.parseInt(tag, 10);
}

describe('docker-compose.yml: postgres (the guide: "Start PostgreSQL", PostgreSQL >= 15)', () => {
  const env = environment('postgres');

  it('uses an official postgres image of major version 15 or newer, pinned to a major', () => {
    const image = String(service('postgres').image);
    expect(image).toMatch(/^postgres:\d+/);
    expect(imageMajor(image)).toBeGreaterThanOrEqual(15);
  });

  it('creates the learning_platform database with user postgres / password', () => {
    expect(env.POSTGRES_DB).toBe('learning_platform');
    expect(env.POSTGRES_USER).toBe('postgres');
    expect(env.POSTGRES_PASSWORD).toBe('password');
  });

  it('publishes 5432 on the host', () => {
    expect(publishes('postgres', 5432, 5432)).toBe(true);
  });

  it('has a pg_isready healthcheck for that user and database', () => {
    const command = healthcheckCommand('postgres');
    expect(command).toContain('pg_isready');
    expect(command).toMatch(/-U\s+postgres\b/);
    expect(command).toMatch(/-d\s+learning_platform\b/);
  });

  it('keeps its data in a declared named volume mounted at the data directory', () => {
    const volumes = namedVolumes('postgres');
    expect(volumes.length).toBeGreaterThan(0);
    const declared = Object.keys(asMapping(compose.volumes, 'volumes'));
    for (const volume of volumes) expect(declared).toContain(volume);
    const mounts = (service('postgres').volumes as unknown[]).map(String);
    expect(mounts.some((mount) => mount.endsWith(':/var/lib/postgresql/data'))).toBe(true);
  });

  it('agrees with the connection string in the guide', () => {
    const url = new URL(GUIDE_DATABASE_URL);
    expect(url.protocol).toBe('postgresql:');
    expect(decodeURIComponent(url.username)).toBe(env.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(env.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${env.POSTGRES_DB}`);
    expect(url.hostname).toBe('localhost');
    expect(publishedPort('postgres', 5432)).toBe(Number(url.port));
  });
});

describe('docker-compose.yml: redis', () => {
  it('runs Redis 7+, publishes 6379, has a ping healthcheck and a named volume', () => {
    const image = String(service('redis').image);
    expect(image).toMatch(/^redis:\d+/);
    expect(imageMajor(image)).toBeGreaterThanOrEqual(7);
    expect(publishes('redis', 6379, 6379)).toBe(true);
    expect(healthcheckCommand('redis')).toMatch(/redis-cli\s+ping/);
    expect(namedVolumes('redis').length).toBeGreaterThan(0);
  });
});

describe('docker-compose.yml: pgadmin (the guide: "Using PgAdmin")', () => {
  it('serves on the port in the guide, with the guide login', () => {
    expect(String(service('pgadmin').image)).toMatch(/^dpage\/pgadmin4(:|$)/);
    const guidePort = Number(new URL(GUIDE_PGADMIN.url).port);
    // pgAdmin's container listens on 80 unless PGADMIN_LISTEN_PORT says otherwise.
    const listenPort = Number(environment('pgadmin').PGADMIN_LISTEN_PORT ?? 80);
    expect(publishes('pgadmin', guidePort, listenPort)).toBe(true);
    expect(environment('pgadmin').PGADMIN_DEFAULT_EMAIL).toBe(GUIDE_PGADMIN.email);
    expect(environment('pgadmin').PGADMIN_DEFAULT_PASSWORD).toBe(GUIDE_PGADMIN.password);
  });

  it('starts after postgres', () => {
    expect(Object.keys(dependsOn('pgadmin'))).toContain('postgres');
  });

  it('pre-registers the server the guide describes (host postgres, 5432, learning_platform, postgres)', () => {
    const mounts = (service('pgadmin').volumes as unknown[]).map(String);
    const serversMount = mounts.find((mount) => mount.split(':')[1] === '/pgadmin4/servers.json');
    expect(serversMount).toBeDefined();
    const hostPath = serversMount?.split(':')[0] ?? '';
    expect(hostPath.startsWith('./')).toBe(true);
    const servers = asMapping(JSON.parse(readText(`../${hostPath.slice(2)}`)), 'servers.json');
    const entries = Object.values(asMapping(servers.Servers, 'Servers')).map((s) => asMapping(s, 'server'));
    const env = environment('postgres');
    expect(entries).toContainEqual(
      expect.objectContaining({
        Host: 'postgres',
        Port: 5432,
        MaintenanceDB: env.POSTGRES_DB,
        Username: env.POSTGRES_USER,
        Name: expect.any(String),
        Group: expect.any(String),
      }),
    );
  });
});

describe('docker-compose.yml: api', () => {
  const env = environment('api');

  it('is built from ./Dockerfile', () => {
    const build = service('api').build;
    if (typeof build === 'string') {
      expect(['.', './']).toContain(build);
    } else {
      const options = asMapping(build, 'services.api.build');
      expect(['.', './']).toContain(options.context);
      expect(options.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
    }
  });

  it('is behind a profile, so `npm run docker:up` starts only postgres, redis and pgadmin', () => {
    expect(service('api').profiles).toEqual(expect.arrayContaining([expect.any(String)]));
    for (const name of ['postgres', 'redis', 'pgadmin']) expect(service(name).profiles).toBeUndefined();
  });

  it('connects to the postgres service with its credentials and database', () => {
    const postgres = environment('postgres');
    const url = new URL(env.DATABASE_URL ?? '');
    expect(url.protocol).toBe('postgresql:');
    expect(url.hostname).toBe('postgres');
    expect(Number(url.port || 5432)).toBe(5432);
    expect(url.pathname).toBe('/learning_platform');
    expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
  });

  it('connects to the redis service and listens on all interfaces on 3000', () => {
    const redis = new URL(env.REDIS_URL ?? '');
    expect(redis.protocol).toBe('redis:');
    expect(redis.hostname).toBe('redis');
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.PORT).toBe('3000');
    expect(publishes('api', 3000, 3000)).toBe(true);
  });

  it('requires JWT_SECRET from the environment, with no default (one written here would be public)', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose interpolation, compared literally
    expect(env.JWT_SECRET).toBe('${JWT_SECRET:?set JWT_SECRET}');
  });

  it('waits for healthy postgres and redis, migrates, then starts the server', () => {
    expect(dependsOn('api')).toEqual({ postgres: 'service_healthy', redis: 'service_healthy' });
    const raw = service('api').command;
    const command = Array.isArray(raw) ? raw.map(String).join(' ') : String(raw);
    const migrate = command.indexOf('npm run db:migrate');
    const start = command.indexOf('npm start');
    expect(migrate).toBeGreaterThanOrEqual(0);
    expect(start).toBeGreaterThan(migrate);
    // The server must not start when the migration failed.
    expect(command.slice(migrate, start)).toContain('&&');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readText('../Dockerfile');
  const instructions = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('builds every stage from node 20 or newer', () => {
    const froms = instructions.filter((line) => /^FROM\s/i.test(line));
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) {
      const match = /^FROM\s+(?:--platform=\S+\s+)?node:(\d+)/i.exec(from);
      expect(match, from).not.toBeNull();
      expect(Number(match?.[1])).toBeGreaterThanOrEqual(20);
    }
  });

  it('installs dependencies from the lockfile and runs as the unprivileged node user', () => {
    expect(instructions.some((line) => /^RUN\s.*\bnpm ci\b/.test(line))).toBe(true);
    const users = instructions.filter((line) => /^USER\s/i.test(line));
    expect(users.at(-1)).toBe('USER node');
    expect(instructions.some((line) => /^CMD\s+\[\s*"npm",\s*"start"\s*\]$/.test(line))).toBe(true);
  });

  it('ships a PostgreSQL client at least as new as the compose server (pg_dump refuses newer servers)', () => {
    const install = instructions.find((line) => /\bapt-get install\b.*\bpostgresql-client\b/.test(line));
    expect(install).toBeDefined();
    // Debian bookworm's unversioned postgresql-client is PostgreSQL 15.
    const versioned = /postgresql-client-(\d+)/.exec(install ?? '');
    const clientMajor = versioned ? Number(versioned[1]) : 15;
    expect(clientMajor).toBeGreaterThanOrEqual(imageMajor(String(service('postgres').image)));
  });

  it('checks /health/live without curl', () => {
    const healthcheck = instructions.find((line) => /^HEALTHCHECK\s/i.test(line));
    expect(healthcheck).toContain('/health/live');
    expect(healthcheck).toContain('fetch(');
    expect(healthcheck).not.toMatch(/\bcurl\b|\bwget\b/);
  });

  it('is accompanied by a .dockerignore that keeps local state and secrets out of the image', () => {
    const ignored = readText('../.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim());
    for (const entry of ['node_modules', '.data', '.git', '.env', 'coverage', 'bench/results']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('package.json docker scripts (the guide: npm run docker:up)', () => {
  const pkg = asMapping(JSON.parse(readText('../package.json')), 'package.json');
  const scripts = asMapping(pkg.scripts, 'scripts');

  it('docker:up starts the compose services detached and docker:down stops them', () => {
    expect(String(scripts['docker:up'])).toMatch(/^docker[- ]compose\b.*\bup\b.*-d\b/);
    expect(String(scripts['docker:down'])).toMatch(/^docker[- ]compose\b.*\bdown\b/);
  });
});

describe('.env.example', () => {
  const example = readText('../.env.example');
  const lines = example.split(/\r?\n/);

  it('documents every variable src/config.ts reads', () => {
    const config = readText('../src/config.ts');
    const keys = new Set(
      [...config.matchAll(/read(?:String|Int|Bool|Url)\(env, '([A-Z0-9_]+)'/g)].map((m) => m[1]),
    );
    expect(keys.size).toBeGreaterThan(10);
    for (const key of keys) {
      const index = lines.findIndex((line) => line.startsWith(`# ${key}=`));
      expect(index, `${key} missing from .env.example`).toBeGreaterThan(0);
      // An explanation right above the variable's line.
      expect(lines[index - 1]?.startsWith('# '), `${key} has no comment above it`).toBe(true);
    }
  });

  it('sets nothing when copied as is, and suggests the guide connection string', () => {
    const active = lines.filter((line) => /^\s*[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line));
    expect(active).toEqual([]);
    expect(lines).toContain(`# DATABASE_URL=${GUIDE_DATABASE_URL}`);
  });
});
