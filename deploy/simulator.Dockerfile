# The JumpCloud simulator (tools/serve/jumpcloud-simulator.ts) as a container: a stand-in tenant
# source for deploy/compose.yaml. Build from the repository root:
#   docker build -f deploy/simulator.Dockerfile -t jumpcloud-graph-simulator .
# The bundle holds the simulator and its libraries and needs only Node.js's own modules (no
# native module), so the runtime stage is the one file.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed to bundle (esbuild runs from its platform package),
# and better-sqlite3's would need a compiler this stage does not have.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json ./
COPY libs ./libs
COPY tools ./tools
RUN npx esbuild tools/serve/jumpcloud-simulator.ts --bundle --platform=node --target=node20 \
  --outfile=/out/serve.js --log-level=warning

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out/serve.js /app/serve.js
USER node
EXPOSE 4010
# SIGTERM reaches node directly (exec form): the server stops and the process exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/serve.js"]
CMD ["--host", "0.0.0.0", "--port", "4010"]
