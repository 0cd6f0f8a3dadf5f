# open-iam server image. Uses the Postgres named by DATABASE_URL (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --include=dev
COPY . .
RUN node scripts/generate.mjs
EXPOSE 4000
USER node
# tsx's ESM loader only, as `npm start` runs it: tsx's full register also hooks
# CommonJS resolution, which Apollo's per-request `module.require("crypto")` then
# goes through (about 2 µs per request).
CMD ["node", "--import", "tsx/esm", "src/main.ts"]
