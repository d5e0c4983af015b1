# The Gatehouse gateway image: `docker build -t gatehouse:dev .`
# Runs as the unprivileged `node` user (uid 1000) and writes nothing to its own
# filesystem, so it can run with a read-only root (deploy/kubernetes/gateway.yaml).

# Build: the TypeScript compiler and the other dev dependencies stay in this stage.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

# Runtime: production dependencies and the compiled JavaScript only.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The example config and local functions, so `docker run -p 8080:8080 gatehouse:dev`
# behaves like `npm start`. On Kubernetes the routes and policies come from
# ConfigMaps instead (GATEHOUSE_ROUTES, GATEHOUSE_POLICIES).
COPY routes ./routes
COPY policies ./policies
COPY deploy/local/functions.yaml ./deploy/local/functions.yaml
COPY deploy/local/functions ./deploy/local/functions
USER node
EXPOSE 8080 9090
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
