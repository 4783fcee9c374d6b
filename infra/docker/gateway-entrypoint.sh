#!/bin/sh
# Entry point of the trellis/gateway image. The gateway template (infra/gateway/nginx.conf.template)
# is the body of nginx's `http {}` block: this script fills its ${TRELLIS_...} placeholders from
# the environment (nginx's own $variables are left alone), wraps it in a main config that a
# non-root user can run on a read-only root filesystem (pid and temp files under $work), and
# runs nginx in the foreground. It refuses to start when a placeholder has no value, rather than
# handing nginx an empty upstream.
set -eu

template=${TRELLIS_GATEWAY_TEMPLATE:-/etc/trellis/gateway/nginx.conf.template}
work=${TRELLIS_GATEWAY_WORK_DIR:-/tmp/nginx}
nginx=${TRELLIS_GATEWAY_NGINX:-nginx}

mkdir -p "$work"

placeholders=$(grep -o '\${[A-Z][A-Z0-9_]*}' "$template" | sort -u)
missing=""
for placeholder in $placeholders; do
  name=${placeholder#??}
  name=${name%?}
  eval "present=\${$name+yes}"
  [ -n "$present" ] || missing="$missing $name"
done
if [ -n "$missing" ]; then
  echo "gateway: $template needs these variables, which are not set:$missing" >&2
  exit 2
fi

envsubst "$(printf '%s' "$placeholders" | tr '\n' ' ')" <"$template" >"$work/trellis.conf"

cat >"$work/nginx.conf" <<EOF
# Written by gateway-entrypoint.sh at start: the main context around the Trellis gateway template.
# It runs nginx and places its files; how requests, bodies and errors are handled is the
# template's alone, the same as under make up (infra/test/manifests.test.ts checks it).
daemon off;
worker_processes auto;
pid $work/nginx.pid;
error_log stderr warn;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    client_body_temp_path $work/client_body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;

    include $work/trellis.conf;
}
EOF

if [ "${1:-}" = "-t" ]; then
  exec "$nginx" -e stderr -p "$work/" -c "$work/nginx.conf" -t
fi
exec "$nginx" -e stderr -p "$work/" -c "$work/nginx.conf"
