import { defineConfig } from 'drizzle-kit';

// drizzle-kit only reads this for `generate`; the URL is a placeholder because
// generation diffs the TypeScript schema against migrations/meta snapshots, not a live database.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/infrastructure/database/schema/index.ts',
  out: './migrations',
  dbCredentials: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/learning_platform',
  },
  migrations: { table: '__drizzle_migrations', schema: 'drizzle' },
  strict: true,
  verbose: false,
});
