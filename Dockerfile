# open-iam server image. Uses the Postgres named by DATABASE_URL (see docker-compose.yml).
# test/dockerfile.test.ts replays these COPY and RUN steps in order in a scratch folder
# and starts the result: keep RUN steps relative to WORKDIR.

# Build: every dependency, the generated code, src/ compiled to dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: our `prepare` (the policy package's build) needs sources not copied
# yet, and no dependency's install script is needed (npm run build below builds).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --include=dev --ignore-scripts
COPY . .
RUN npm run build
# What the image keeps of node_modules: the build's tools go, and the optional packages
# too (npm would keep TypeScript and Prisma's CLI, optional peers of @prisma/client; the
# other optional ones are other platforms' binaries and embedded Postgres's, which the
# image does not use: it needs DATABASE_URL). All but one: @node-rs/argon2's binary for
# this platform (@node-rs/argon2-linux-<arch>-gnu), an optional package too, is set aside
# and put back, since password hashing needs it.
RUN mkdir .argon2-binding && mv node_modules/@node-rs/argon2-linux-* .argon2-binding/ \
  && npm prune --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  && mv .argon2-binding/* node_modules/@node-rs/ && rmdir .argon2-binding && rm -rf node_modules/.cache

# Run: production dependencies and the compiled server, as a non-root user.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
# glibc's malloc gives memory of 128 KiB and more straight back to the system when freed,
# as its default does only until the first such free raises the bar: each sign-in's argon2
# takes 19 MiB, which would otherwise stay in a malloc arena per hashing thread, never given
# back (issue 21: resident memory 288 MiB after 150 tenants' sign-ins against 167 MiB with it;
# npm run bench:memory). npm start sets the same.
ENV GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072
# package.json for its "type": "module"; what the server reads at run time: its code
# and dependencies, the schema, the migrations it applies at start-up, the playground's tour.
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY schema.graphql ./
COPY prisma/migrations ./prisma/migrations
COPY docs/tour.md ./docs/
# The AWS-managed policy catalog's index, beside the dependencies: built now, as root,
# since the server's user cannot write there.
COPY scripts/build-aws-managed-policies.mjs ./scripts/
RUN node scripts/build-aws-managed-policies.mjs
EXPOSE 4000
USER node
# Ready, not merely alive: 503 while Postgres or the change feed is unreachable (README, Operations).
# node, not curl: the image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# WebAssembly compiled by V8's baseline compiler only (Liftoff), never tiered up by TurboFan:
# the one WebAssembly module is Prisma's query compiler, which runs once per query shape
# (its plans are cached), and TurboFan's compilation of its big functions left 25-45 MiB
# freed but resident in the malloc arenas of V8's threads (issue 21: idle RSS 112-122 MiB
# with these flags against 147-173 MiB without, Node 20; 151 against 157-160, Node 24).
# The young generation's semi-spaces at most 8 MiB: on Node 24, idle RSS 132-137 MiB against
# 145-152, 229 against 388 MiB after a minute of load, and the same throughput within the noise
# (listUsers 0.96x, getUser 0.99x, side by side).
# npm start sets the same.
CMD ["node", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering", "--max-semi-space-size=8", "dist/main.js"]
