# syntax=docker/dockerfile:1
# The podns image: `podns serve` (the cluster DNS Deployment, deploy/) and `podns nodecache`
# (the node-local-dns DaemonSet, deploy/nodecache/) from one image.
#
#   docker build -t REGISTRY/podns:0.1.0 .
#
# Both stages use Node 24.21.0 on Debian 12 slim, the Node that package.json pins. Pin the tag to
# a digest (node:24.21.0-bookworm-slim@sha256:…) in your registry mirror for reproducible builds.
#
# Runtime: node:*-slim, not distroless nodejs24, because `podns nodecache` needs the iptables and
# ip commands (the NOTRACK rules and the nodelocaldns dummy interface), which distroless cannot
# have (no package manager, no shell), and one image serves both commands. For the cluster DNS
# Deployment alone, gcr.io/distroless/nodejs24-debian12:nonroot would do and is smaller.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
# A C compiler for the batched-UDP addon (native/udp.c), which npm ci builds (postinstall) against
# the pinned Node's headers; PODNS_REQUIRE_NATIVE makes a failed build fail the image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY native ./native
RUN PODNS_REQUIRE_NATIVE=1 npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# iptables and iproute2 for `podns nodecache`; npm, npx and corepack are not needed at run time.
# 65532 is the conventional non-root uid (distroless's `nonroot`).
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables iproute2 \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
 && groupadd --gid 65532 nonroot \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nonroot
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the server; package.json carries "type": "module".
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/build ./build
USER 65532:65532
# DNS, /health, /ready, /metrics (kubeadm's Corefile); node-local-dns's metrics.
EXPOSE 53/udp 53/tcp 8080/tcp 8181/tcp 9153/tcp 9253/tcp
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve", "--conf", "/etc/podns/Corefile"]
