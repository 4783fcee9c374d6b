# syntax=docker/dockerfile:1
#
# The gateway: nginx from Debian, the one config template infra/gateway/nginx.conf.template
# (the same file `make up` and the Kubernetes ConfigMap use) and the web UI's static files.
#
# Build from the repository root:
#   docker build -f infra/docker/gateway.Dockerfile -t trellis/gateway:0.1.0 .
#
# At start, gateway-entrypoint.sh fills the template's ${TRELLIS_...} placeholders from the
# environment (TRELLIS_<SERVICE>_UPSTREAM, TRELLIS_GATEWAY_LISTEN, TRELLIS_WEBUI_ROOT: see
# infra/gateway/README.md), wraps it (it is the body of `http {}`) in a main config and runs
# nginx in the foreground as a non-root user. The first two stages are identical to
# infra/docker/Dockerfile's, so their cached layers serve both images.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- manifests (same as infra/docker/Dockerfile)
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package.json package-lock.json /manifests/ \
 && if [ -f .npmrc ]; then cp .npmrc /manifests/; fi \
 && find . -name package.json -not -path '*/node_modules/*' -not -path './package.json' \
      -exec cp --parents {} /manifests/ \;

# ---- build (same as infra/docker/Dockerfile)
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npm run protos:gen && npm run build

# ---- the web UI's static files
FROM build AS webui
RUN npm run build --workspace webui

# ---- runtime
FROM debian:bookworm-slim AS runtime
# gettext-base: envsubst, to fill the template at start.
# Debian's config in /etc/nginx stays unused but for mime.types: the entry point writes the
# main config, pid and temp files under /tmp (a tmpfs in compose, an emptyDir in Kubernetes).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx gettext-base \
 && rm -rf /var/lib/apt/lists/*
COPY infra/gateway/nginx.conf.template /etc/trellis/gateway/nginx.conf.template
COPY infra/docker/gateway-entrypoint.sh /usr/local/bin/gateway-entrypoint.sh
COPY --from=webui /src/webui/dist/ /usr/share/trellis/webui/
RUN chmod 0755 /usr/local/bin/gateway-entrypoint.sh
ENV TRELLIS_GATEWAY_LISTEN=8080 \
    TRELLIS_WEBUI_ROOT=/usr/share/trellis/webui \
    TRELLIS_GATEWAY_TEMPLATE=/etc/trellis/gateway/nginx.conf.template
# Debian's www-data, by number so that Kubernetes can check runAsNonRoot.
USER 33:33
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/gateway-entrypoint.sh"]
