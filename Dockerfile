# The Reelm image for compose.yaml (and any container platform): Node 24, ffmpeg for the
# transcoding worker, production dependencies, the built web app. One image for every role:
# `api`, `worker --realm <r>`, `serve` and the operator commands (`doctor`, `migrate-store`, …).

FROM node:24-bookworm-slim AS web
WORKDIR /app
COPY . .
RUN cd web && npm ci && npm run build

FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY tools tools
RUN npm ci --omit=dev
COPY src src
COPY config config
COPY deploy deploy
COPY --from=web /app/web/dist web/dist
# The data directory holds each realm's request log and scratch files (its stores are PostgreSQL
# and S3 here); secrets and the audit signing key come from outside it.
RUN mkdir -p /var/lib/reelm && chown node:node /var/lib/reelm
USER node
ENV NODE_ENV=production REELM_HOST=0.0.0.0 REELM_PORT=8080 REELM_DATA_DIR=/var/lib/reelm
EXPOSE 8080
ENTRYPOINT ["node", "src/main.ts"]
CMD ["api"]
