import {
  createDatabaseClient,
  type DatabaseClient,
} from '../../src/infrastructure/database/client/client.js';
import { insertUser, type TestUser } from './factories/users.js';
import { type RedisProcess, startRedisServer } from './processes.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * What the Redis reliability suites (outage, partition, two instances) start from: a redis-server of
 * their own, a fresh database, and an instructor and a student who sign in with `password`. Each
 * suite then spawns its API processes with the environment its faults need. Whether `redis-server`
 * is there is the suite's requirement (suite-requirements.ts: requireCommand('redis-server', …)).
 */
export interface RedisSuite {
  /** The suite may replace it (an outage restarts Redis on the same port); close() kills this one. */
  redis: RedisProcess;
  database: TestDatabase;
  /** A small pool of the test's own, to add rows and check what the servers stored. */
  verifier: DatabaseClient;
  instructor: TestUser;
  student: TestUser;
  /** Kills Redis and drops the database; stop the suite's servers first. */
  close(): Promise<void>;
}

export async function startRedisSuite(password: string): Promise<RedisSuite> {
  const redis = await startRedisServer();
  const database = await createTestDatabase();
  const verifier = createDatabaseClient(database.url, { max: 1 });
  const instructor = await insertUser(verifier.db, { role: 'instructor', password });
  const student = await insertUser(verifier.db, { role: 'student', password });
  const suite: RedisSuite = {
    redis,
    database,
    verifier,
    instructor,
    student,
    async close() {
      await suite.redis.kill();
      await verifier.close();
      await database.drop();
    },
  };
  return suite;
}
